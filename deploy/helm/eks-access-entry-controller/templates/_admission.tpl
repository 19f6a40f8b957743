{{/*
The guardrails' settings (admission.*), rendered as CEL literals into the policies' variables.
Kubernetes' CEL wants every list and map literal to hold values of one type, so the tenants are
two maps keyed by tenant name: their lists (groups, clusters, ...), and the namespaces of each of
their access policies (keyed by the policy's name in lower case: names compare case-insensitively).
*/}}

{{/* A list of strings as a CEL list literal (JSON's syntax is CEL's). */}}
{{- define "eaec.admission.list" -}}
[{{ range $i, $item := . }}{{ if $i }}, {{ end }}{{ toJson $item }}{{ end }}]
{{- end }}

{{/* The controller's own identity: its finalizer and status writes are the only ones it may make. */}}
{{- define "eaec.admission.controller" -}}
{{- printf "system:serviceaccount:%s:%s" .Release.Namespace (include "eaec.serviceAccountName" .) }}
{{- end }}

{{/* admission.tenants as a map: tenant name → its lists. */}}
{{- define "eaec.admission.tenants" -}}
{{- $tenants := .Values.admission.tenants | default list }}
{{- if not $tenants }}{}{{ else -}}
{
{{- range $i, $tenant := $tenants }}
{{- $policies := list }}
{{- range $tenant.accessPolicies }}
{{- if not (has (lower .policy) ($policies | join "\n" | lower | splitList "\n")) }}
{{- $policies = append $policies .policy }}
{{- end }}
{{- end }}
  {{ toJson $tenant.name }}: {
    "groups": {{ include "eaec.admission.list" $tenant.groups }},
    "serviceAccounts": {{ include "eaec.admission.list" $tenant.serviceAccounts }},
    "clusters": {{ include "eaec.admission.list" $tenant.clusters }},
    "kubernetesGroups": {{ include "eaec.admission.list" $tenant.kubernetesGroups }},
    "principalArns": {{ include "eaec.admission.list" $tenant.principalArns }},
    "ssoPermissionSets": {{ include "eaec.admission.list" $tenant.ssoPermissionSets }},
    "accessPolicies": {{ include "eaec.admission.list" $policies }}
  }{{ if lt (add1 $i) (len $tenants) }},{{ end }}
{{- end }}
}
{{- end }}
{{- end }}

{{/*
admission.maxLifetime as a list of maps of lists (CEL literals hold one type of value): what each
rule selects, how it is named in messages, and its duration.
*/}}
{{- define "eaec.admission.lifetimes" -}}
[
{{- range $i, $rule := .Values.admission.maxLifetime }}
{{- $shown := list }}
{{- with $rule.kubernetesGroups }}{{ $shown = append $shown (printf "the Kubernetes groups %s" (join ", " .)) }}{{ end }}
{{- with $rule.accessPolicies }}{{ $shown = append $shown (printf "the access policies %s" (join ", " .)) }}{{ end }}
{{- with $rule.tenants }}{{ $shown = append $shown (printf "tenant %s" (join ", " .)) }}{{ end }}
  {
    "kubernetesGroups": {{ include "eaec.admission.list" $rule.kubernetesGroups }},
    "accessPolicies": {{ include "eaec.admission.list" (($rule.accessPolicies | default list) | join "\n" | lower | splitList "\n" | compact) }},
    "tenants": {{ include "eaec.admission.list" $rule.tenants }},
    "shown": {{ include "eaec.admission.list" (list (join " or " $shown)) }},
    "duration": {{ include "eaec.admission.list" (list $rule.duration) }}
  }{{ if lt (add1 $i) (len $.Values.admission.maxLifetime) }},{{ end }}
{{- end }}
]
{{- end }}

{{/* admission.tenants' access policies as a map: tenant name → policy name in lower case → namespaces. */}}
{{- define "eaec.admission.namespaces" -}}
{{- $tenants := .Values.admission.tenants | default list }}
{{- if not $tenants }}{}{{ else -}}
{
{{- range $i, $tenant := $tenants }}
{{- $byPolicy := dict }}
{{- $order := list }}
{{- range $tenant.accessPolicies }}
{{- $key := lower .policy }}
{{- if not (hasKey $byPolicy $key) }}{{ $order = append $order $key }}{{ end }}
{{- $_ := set $byPolicy $key (concat (get $byPolicy $key | default list) .namespaces | uniq) }}
{{- end }}
  {{ toJson $tenant.name }}: {{ if not $order }}{}{{ else }}{
{{- range $j, $key := $order }}
    {{ toJson $key }}: {{ include "eaec.admission.list" (get $byPolicy $key) }}{{ if lt (add1 $j) (len $order) }},{{ end }}
{{- end }}
  }{{ end }}{{ if lt (add1 $i) (len $tenants) }},{{ end }}
{{- end }}
}
{{- end }}
{{- end }}

{{/*
The variables both policies share: the settings, who is asking, and the words the messages use.
*/}}
{{- define "eaec.admission.requesterVariables" -}}
- name: adminGroups
  expression: |-
    {{ include "eaec.admission.list" .Values.admission.adminGroups }}
- name: adminServiceAccounts
  expression: |-
    {{ include "eaec.admission.list" .Values.admission.adminServiceAccounts }}
- name: controller
  expression: {{ include "eaec.admission.controller" . | squote | quote }}
- name: user
  expression: request.userInfo.username
- name: groups
  expression: "has(request.userInfo.groups) ? request.userInfo.groups : []"
# NAMESPACE/NAME of a ServiceAccount's token (its username is system:serviceaccount:NAMESPACE:NAME);
# empty for anyone else.
- name: serviceAccount
  expression: >-
    variables.user.startsWith('system:serviceaccount:')
    ? variables.user.substring(22).replace(':', '/') : ''
- name: admin
  expression: >-
    variables.adminGroups.exists(g, g in variables.groups) ||
    (variables.serviceAccount != '' && variables.serviceAccount in variables.adminServiceAccounts)
# Who may do what a refusal refuses, as the messages name them.
- name: admins
  expression: >-
    variables.adminGroups.size() > 0 && variables.adminServiceAccounts.size() > 0
    ? 'members of ' + variables.adminGroups.join(', ') + ' and the ServiceAccounts ' + variables.adminServiceAccounts.join(', ')
    : variables.adminGroups.size() > 0 ? 'members of ' + variables.adminGroups.join(', ')
    : variables.adminServiceAccounts.size() > 0 ? 'the ServiceAccounts ' + variables.adminServiceAccounts.join(', ')
    : 'cluster administrators (system:masters)'
- name: verb
  expression: "{'CREATE': 'create', 'UPDATE': 'change', 'DELETE': 'delete'}[request.operation]"
{{- end }}

{{/*
Cluster administrators (system:masters) pass RBAC whatever it says and may delete these policies:
judging them too would only stand in the way of a break-glass fix.
*/}}
{{- define "eaec.admission.matchConditions" -}}
- name: not-a-cluster-administrator
  expression: "!has(request.userInfo.groups) || !('system:masters' in request.userInfo.groups)"
{{- end }}

{{/* The label keys admission.objectSelector selects by: changing one moves an object out of (or into) this release's care. */}}
{{- define "eaec.admission.selectionLabels" -}}
{{- $selector := .Values.admission.objectSelector | default dict }}
{{- $keys := keys ($selector.matchLabels | default dict) | sortAlpha }}
{{- range $selector.matchExpressions }}{{ if not (has .key $keys) }}{{ $keys = append $keys .key }}{{ end }}{{ end }}
{{- include "eaec.admission.list" $keys }}
{{- end }}

{{- define "eaec.admission.binding" -}}
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: {{ .name }}
  labels:
    {{- include "eaec.labels" .root | nindent 4 }}
    app.kubernetes.io/component: admission
spec:
  policyName: {{ .name }}
  validationActions: {{ toJson .root.Values.admission.validationActions }}
  {{- with .root.Values.admission.objectSelector }}
  matchResources:
    objectSelector:
      {{- toYaml . | nindent 6 }}
  {{- end }}
{{- end }}

{{/* Settings that values.schema.json cannot check one value at a time. */}}
{{- define "eaec.admission.validate" -}}
{{- $admission := .Values.admission }}
{{- if not (or $admission.adminGroups $admission.adminServiceAccounts) }}
{{- fail "admission.enabled is true but admission.adminGroups and admission.adminServiceAccounts are empty: name the groups (or ServiceAccounts) of the people who may write any AccessEntry and every ClusterAccess, e.g. --set 'admission.adminGroups={platform-admins}'; or turn the guardrails off with --set admission.enabled=false" }}
{{- end }}
{{- range $admission.maxLifetime }}
{{- if not (or .kubernetesGroups .accessPolicies .tenants) }}
{{- fail (printf "admission.maxLifetime: the rule of duration %s selects nothing: give it kubernetesGroups, accessPolicies or tenants" .duration) }}
{{- end }}
{{- end }}
{{- $seen := dict }}
{{- range $admission.tenants }}
{{- if hasKey $seen .name }}
{{- fail (printf "admission.tenants names tenant %s twice: give each tenant one item" .name) }}
{{- end }}
{{- $_ := set $seen .name true }}
{{- $tenant := .name }}
{{- range $pattern := .kubernetesGroups }}
{{- range $group := $admission.adminGroups }}
{{- if or (eq $pattern $group) (and (hasSuffix "*" $pattern) (hasPrefix (trimSuffix "*" $pattern) $group)) }}
{{- fail (printf "admission.tenants: tenant %s may grant Kubernetes group %s (kubernetesGroups %s), which admission.adminGroups names: an AccessEntry for the management cluster would make its principal an admin. Narrow the pattern" $tenant $group $pattern) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
