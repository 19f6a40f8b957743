// The escalation attempts the chart's guardrails must refuse, and the changes they must let
// through, as data: who asks, what they ask (a dry run, so nothing is stored and each stands
// alone), and the message that refuses it. The settings they are judged by are TENANTS below;
// the objects they act on are FIXTURES, made by a cluster administrator beforehand.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, CLUSTER_ACCESS_KIND, CLUSTER_ACCESS_PLURAL, FINALIZER, KIND, PLURAL } from '../../../src/api/names.ts';
import { uniqueName } from '../../testenv/kube.ts';
import { RUN_LABEL, TENANT_LABEL, type Requester } from './admission.ts';
import { role } from './harness.ts';

export type Who = 'alice' | 'bob' | 'carol' | 'pat' | 'mallory' | 'teamAGitops' | 'teamBGitops' | 'intruder' | 'platformGitops' | 'controller';

/** The namespace of the GitOps ServiceAccounts: they all share its group, system:serviceaccounts:NAMESPACE. */
export const GITOPS_NAMESPACE = uniqueName('gitops');
export const ADMINS = `members of platform-admins and the ServiceAccounts ${GITOPS_NAMESPACE}/platform-gitops`;

export const TENANTS = {
  adminGroups: ['platform-admins'],
  adminServiceAccounts: [`${GITOPS_NAMESPACE}/platform-gitops`],
  tenants: [
    {
      name: 'team-a',
      groups: ['team-a'],
      serviceAccounts: [`${GITOPS_NAMESPACE}/team-a-gitops`],
      clusters: ['dev', 'eu-west-1/prod'],
      kubernetesGroups: ['team-a-*', 'viewers'],
      accessPolicies: [
        { policy: 'AmazonEKSViewPolicy', namespaces: ['team-a-*', 'shared'] },
        { policy: 'AmazonEKSEditPolicy', namespaces: ['team-a-dev'] },
      ],
    },
    {
      name: 'team-b',
      groups: ['team-b'],
      serviceAccounts: [`${GITOPS_NAMESPACE}/team-b-gitops`],
      clusters: ['dev'],
      kubernetesGroups: ['team-b-*'],
      principalArns: [role('team-b-*')],
      ssoPermissionSets: ['TeamB*'],
      accessPolicies: [{ policy: 'AmazonEKSViewPolicy', namespaces: ['team-b-*'] }],
    },
  ],
};

/** A spec as sent: raw, since some attempts send what the typed API would not allow. */
type Spec = Record<string, unknown>;
interface Fixture {
  name: string;
  tenant?: string;
  finalizers?: string[];
  spec: Spec;
}

const view = (namespaces: string[]) => ({ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces } });
const base: Spec = { clusterName: 'dev', principalArn: role('someone'), kubernetesGroups: ['team-a-view'] };

/** The objects the attempts act on, as a cluster administrator made them. */
export const FIXTURES = {
  ownA: { name: uniqueName('own-a'), tenant: 'team-a', finalizers: [FINALIZER], spec: { ...base, accessPolicies: [view(['team-a-dev'])] } },
  ownB: { name: uniqueName('own-b'), tenant: 'team-b', spec: { clusterName: 'dev', principalArn: role('team-b-ci'), kubernetesGroups: ['team-b-view'] } },
  unlabelled: { name: uniqueName('no-tenant'), spec: base },
  retainedA: { name: uniqueName('retained-a'), tenant: 'team-a', spec: { ...base, deletionPolicy: 'Retain' } },
  nodeA: { name: uniqueName('node-a'), tenant: 'team-a', spec: { clusterName: 'dev', principalArn: role('nodes'), type: 'EC2_LINUX' } },
  adminGrantA: {
    name: uniqueName('admin-grant-a'),
    tenant: 'team-a',
    spec: { ...base, accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }] },
  },
} satisfies Record<string, Fixture>;
export const CLUSTER_ACCESS = uniqueName('dev-access');

export function fixtureBody(fixture: Fixture, runLabel: string): object {
  const labels = { [RUN_LABEL]: runLabel, ...(fixture.tenant ? { [TENANT_LABEL]: fixture.tenant } : {}) };
  return { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name: fixture.name, labels, ...(fixture.finalizers ? { finalizers: fixture.finalizers } : {}) }, spec: fixture.spec };
}

export function clusterAccessBody(name: string, runLabel: string): object {
  return { apiVersion: API_GROUP_VERSION, kind: CLUSTER_ACCESS_KIND, metadata: { name, labels: { [RUN_LABEL]: runLabel } }, spec: { clusterName: 'dev', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/eks-access' } };
}

/** What an attempt needs to run: the run label its objects must carry to be judged. */
export interface Scene {
  runLabel: string;
}
type Request = (who: Requester, scene: Scene) => Promise<unknown>;

const AE = { group: API_GROUP, version: API_VERSION, plural: PLURAL, dryRun: 'All' };
const CA = { group: API_GROUP, version: API_VERSION, plural: CLUSTER_ACCESS_PLURAL, dryRun: 'All' };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function create(tenant: string | undefined, spec: Spec): Request {
  return (who, { runLabel }) => who.api.createClusterCustomObject({ ...AE, body: fixtureBody({ name: uniqueName('attempt'), ...(tenant ? { tenant } : {}), spec }, runLabel) });
}
const patch = (fixture: Fixture, body: object): Request => (who) => who.api.patchClusterCustomObject({ ...AE, name: fixture.name, body }, mergePatch);
const patchSpec = (fixture: Fixture, spec: Spec): Request => patch(fixture, { spec });
const relabel = (fixture: Fixture, tenant: string | null): Request => patch(fixture, { metadata: { labels: { [TENANT_LABEL]: tenant } } });
const remove = (fixture: Fixture): Request => (who) => who.api.deleteClusterCustomObject({ ...AE, name: fixture.name });
const writeStatus = (fixture: Fixture): Request => (who) =>
  who.api.patchClusterCustomObjectStatus({ ...AE, name: fixture.name, body: { status: { accessEntryArn: 'arn:aws:eks:us-east-1:123456789012:access-entry/dev/role/123456789012/x/1' } } }, mergePatch);
const createClusterAccess: Request = (who, { runLabel }) => who.api.createClusterCustomObject({ ...CA, body: clusterAccessBody(uniqueName('access'), runLabel) });

export interface Context {
  who: Requester;
  /** The controller's username, as the policies know it. */
  controller: string;
}

export interface Attempt {
  title: string;
  as: Who;
  request: Request;
  /** Who refuses it, and with which message: the guardrails (after their policy's prefix), or the CRD's own rules. */
  refused?: { by: 'accessentries' | 'clusteraccesses' | 'crd'; message: (context: Context) => string };
}

const A = FIXTURES;
const ae = (message: (context: Context) => string): Attempt['refused'] => ({ by: 'accessentries', message });
/** A refusal of team-a's; {admins} stands for who may. */
const teamA = (message: string): Attempt['refused'] => ae(() => `team-a may not ${message.replaceAll('{admins}', ADMINS)}`);

/** Who may write AccessEntries, and which: tenancy, labels, finalizer, status, the controller's own writes. */
export const TENANCY: Attempt[] = [
  { title: 'someone in no tenant creates an AccessEntry', as: 'mallory', request: create('team-a', base), refused: ae(({ who }) => `${who.username} may not create AccessEntries: only ${ADMINS}, and the requesters of the tenants the guardrails name (admission.tenants of the chart), may`) },
  { title: "a ServiceAccount sharing team-a's GitOps namespace (so its groups) writes as team-a", as: 'intruder', request: create('team-a', base), refused: ae(({ who }) => `${who.username} may not create AccessEntries: only ${ADMINS},`) },
  { title: "team-b's GitOps ServiceAccount creates an AccessEntry of team-a", as: 'teamBGitops', request: create('team-a', base), refused: ae(({ who }) => `${who.username} may not create AccessEntries of tenant team-a (label eksaccess.dev/tenant): only ${ADMINS} and the requesters of team-a may`) },
  { title: "team-b changes an AccessEntry of team-a", as: 'bob', request: patchSpec(A.ownA, { kubernetesGroups: ['team-b-view'] }), refused: ae(({ who }) => `${who.username} may not change AccessEntries of tenant team-a (label eksaccess.dev/tenant): only ${ADMINS} and the requesters of team-a may`) },
  { title: "team-b deletes an AccessEntry of team-a", as: 'bob', request: remove(A.ownA), refused: ae(({ who }) => `${who.username} may not delete AccessEntries of tenant team-a (label eksaccess.dev/tenant): only ${ADMINS} and the requesters of team-a may`) },
  { title: 'team-a creates an AccessEntry without the tenant label', as: 'alice', request: create(undefined, base), refused: ae(({ who }) => `${who.username} may not create AccessEntries without the label eksaccess.dev/tenant: label it eksaccess.dev/tenant=NAME with the name of your tenant; only ${ADMINS} may create AccessEntries of no tenant`) },
  { title: 'team-a creates an AccessEntry of a tenant nobody configured', as: 'alice', request: create('team-z', base), refused: ae(({ who }) => `${who.username} may not create AccessEntries labelled eksaccess.dev/tenant=team-z: the guardrails know no tenant of that name; use the name of your tenant. Only ${ADMINS} may create AccessEntries of other tenants`) },
  { title: "team-a creates an AccessEntry labelled with team-b's name", as: 'alice', request: create('team-b', { ...base, principalArn: role('team-b-x'), kubernetesGroups: ['team-b-x'] }), refused: ae(({ who }) => `${who.username} may not create AccessEntries of tenant team-b (label eksaccess.dev/tenant): only ${ADMINS} and the requesters of team-b may`) },
  { title: 'team-a moves its AccessEntry to team-b', as: 'alice', request: relabel(A.ownA, 'team-b'), refused: ae(({ who }) => `${who.username} may not move an AccessEntry from tenant team-a to tenant team-b (label eksaccess.dev/tenant): only ${ADMINS} may move AccessEntries between tenants`) },
  { title: 'team-a removes the tenant label of its AccessEntry', as: 'alice', request: relabel(A.ownA, null), refused: ae(({ who }) => `${who.username} may not remove the label eksaccess.dev/tenant (team-a) from an AccessEntry: only ${ADMINS} may move AccessEntries between tenants`) },
  { title: "team-a relabels team-b's AccessEntry as its own", as: 'alice', request: relabel(A.ownB, 'team-a'), refused: ae(({ who }) => `${who.username} may not move an AccessEntry from tenant team-b to tenant team-a (label eksaccess.dev/tenant): only ${ADMINS} may move`) },
  { title: 'team-a takes its AccessEntry out of the selection of these guardrails (and of its controller)', as: 'alice', request: patch(A.ownA, { metadata: { labels: { [RUN_LABEL]: null } } }), refused: ae(({ who }) => `${who.username} may not change the labels ${RUN_LABEL} of an AccessEntry: they choose which controller and which guardrails handle it; only ${ADMINS} may`) },
  { title: 'team-a moves its AccessEntry to another selection', as: 'alice', request: patch(A.ownA, { metadata: { labels: { [RUN_LABEL]: 'another-shard' } } }), refused: ae(({ who }) => `${who.username} may not change the labels ${RUN_LABEL} of an AccessEntry:`) },
  { title: 'team-a labels an AccessEntry of no tenant as its own', as: 'alice', request: relabel(A.unlabelled, 'team-a'), refused: ae(({ who }) => `${who.username} may not add the label eksaccess.dev/tenant (team-a) to an AccessEntry of no tenant: only ${ADMINS} may move AccessEntries between tenants`) },
  { title: 'team-a changes an AccessEntry of no tenant', as: 'alice', request: patchSpec(A.unlabelled, { kubernetesGroups: ['team-a-view', 'team-a-edit'] }), refused: ae(({ who }) => `${who.username} may not change AccessEntries without the label eksaccess.dev/tenant, which belong to no tenant: only ${ADMINS} may change AccessEntries of no tenant`) },
  { title: 'team-a deletes an AccessEntry of no tenant', as: 'alice', request: remove(A.unlabelled), refused: ae(({ who }) => `${who.username} may not delete AccessEntries without the label eksaccess.dev/tenant, which belong to no tenant: only ${ADMINS} may delete AccessEntries of no tenant`) },
  { title: 'team-a writes the status of its AccessEntry (status is what the controller saw in EKS)', as: 'alice', request: writeStatus(A.ownA), refused: ae(({ who, controller }) => `${who.username} may not write the status of AccessEntries: only the controller (${controller}), which reports there what EKS holds, and ${ADMINS} may`) },
  { title: "team-a removes the controller's finalizer (then a delete would leave the access in EKS)", as: 'alice', request: patch(A.ownA, { metadata: { finalizers: null } }), refused: ae(({ who, controller }) => `${who.username} may not remove the finalizer eksaccess.dev/finalizer: the controller removes it once EKS no longer holds the access entry, and without it deleting the AccessEntry would leave the access in EKS. Only the controller (${controller}) and ${ADMINS} may remove it`) },
  { title: "team-a's GitOps ServiceAccount removes the controller's finalizer", as: 'teamAGitops', request: patch(A.ownA, { metadata: { finalizers: [] } }), refused: ae(({ who }) => `${who.username} may not remove the finalizer eksaccess.dev/finalizer:`) },
  { title: "the controller's ServiceAccount changes a spec", as: 'controller', request: patchSpec(A.ownA, { kubernetesGroups: ['team-a-view', 'team-a-admin'] }), refused: ae(({ controller }) => `the controller (${controller}) may change only the finalizer and the status of AccessEntries, never their spec or labels: only the requesters of their tenant and ${ADMINS} may change those`) },
  { title: "the controller's ServiceAccount moves an AccessEntry to another tenant", as: 'controller', request: relabel(A.ownA, 'team-b'), refused: ae(({ controller }) => `the controller (${controller}) may change only the finalizer and the status of AccessEntries`) },
];

const nodeType = (type: string): Attempt => ({
  title: `team-a creates a node entry of type ${type}`,
  as: 'alice',
  request: create('team-a', { clusterName: 'dev', principalArn: role('nodes'), type }),
  refused: teamA(`create AccessEntries of type ${type}: node types make the principal a node of the cluster. Tenants grant type STANDARD only; only {admins} may create node entries`),
});

/** What an AccessEntry of team-a may hold: clusters, groups, username, types, options, and the same rules on delete. */
export const ALLOWLIST: Attempt[] = [
  { title: 'team-a grants access to a cluster it is not allowed on', as: 'alice', request: create('team-a', { ...base, clusterName: 'staging' }), refused: teamA('create an AccessEntry that grants access to EKS cluster staging: team-a may grant access only to dev, eu-west-1/prod; only {admins} may grant access to other clusters') },
  { title: 'team-a grants access to prod without spec.region (allowed only as eu-west-1/prod)', as: 'alice', request: create('team-a', { ...base, clusterName: 'prod' }), refused: teamA('create an AccessEntry that grants access to EKS cluster prod: team-a may grant access only to dev, eu-west-1/prod (an item REGION/NAME allows only AccessEntries whose spec.region is REGION: set spec.region); only {admins} may grant access to other clusters') },
  { title: 'team-a grants access to a cluster named prod in another region', as: 'alice', request: create('team-a', { ...base, clusterName: 'prod', region: 'us-east-1' }), refused: teamA('create an AccessEntry that grants access to EKS cluster prod in us-east-1: team-a may grant access only to dev, eu-west-1/prod; only {admins} may grant access to other clusters') },
  { title: 'team-a grants Kubernetes groups outside its patterns', as: 'alice', request: create('team-a', { ...base, kubernetesGroups: ['team-a-view', 'cluster-admins', 'team-b-view'] }), refused: teamA('create an AccessEntry that grants the Kubernetes groups cluster-admins, team-b-view: team-a may grant only team-a-*, viewers; only {admins} may grant other groups') },
  { title: 'team-a adds a group outside its patterns to its AccessEntry', as: 'alice', request: patchSpec(A.ownA, { kubernetesGroups: ['team-a-view', 'platform-admins'] }), refused: teamA('change an AccessEntry so that it grants the Kubernetes groups platform-admins: team-a may grant only team-a-*, viewers; only {admins} may grant other groups') },
  { title: 'team-a sets spec.username', as: 'alice', request: create('team-a', { ...base, username: 'cluster-admin' }), refused: teamA('create an AccessEntry that sets spec.username: the principal would become that Kubernetes user, with every binding to it. Leave username unset (EKS then names the principal by its ARN); only {admins} may set it') },
  { title: 'team-a adds spec.username to its AccessEntry (a session-name template)', as: 'alice', request: patchSpec(A.ownA, { username: 'admin-{{SessionName}}' }), refused: teamA('change an AccessEntry so that it sets spec.username: the principal would become that Kubernetes user') },
  ...['EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'EC2', 'HYBRID_LINUX', 'HYPERPOD_LINUX'].map(nodeType),
  { title: 'team-a changes the type of its AccessEntry to a node type (the CRD keeps type immutable)', as: 'alice', request: patchSpec(A.ownA, { type: 'EC2_LINUX', kubernetesGroups: null, accessPolicies: null }), refused: { by: 'crd', message: () => 'type is immutable: create a new AccessEntry with the other type and delete this one' } },
  { title: 'team-a sets adoptExisting: true', as: 'alice', request: create('team-a', { ...base, adoptExisting: true }), refused: teamA('create an AccessEntry that sets spec.adoptExisting: true, which takes over an EKS access entry this controller did not create: only {admins} may') },
  { title: 'team-a turns adoptExisting on for its AccessEntry', as: 'alice', request: patchSpec(A.ownA, { adoptExisting: true }), refused: teamA('change an AccessEntry so that it sets spec.adoptExisting: true, which takes over an EKS access entry this controller did not create: only {admins} may') },
  { title: 'team-a sets deletionPolicy: Retain', as: 'alice', request: create('team-a', { ...base, deletionPolicy: 'Retain' }), refused: teamA('create an AccessEntry that sets spec.deletionPolicy: Retain, which keeps the access in EKS once the AccessEntry is deleted: only {admins} may') },
  { title: 'team-a switches its AccessEntry to deletionPolicy: Retain', as: 'alice', request: patchSpec(A.ownA, { deletionPolicy: 'Retain' }), refused: teamA('change an AccessEntry so that it sets spec.deletionPolicy: Retain') },
  { title: 'team-a deletes an AccessEntry an admin gave deletionPolicy: Retain', as: 'alice', request: remove(A.retainedA), refused: teamA('delete an AccessEntry that sets spec.deletionPolicy: Retain, which keeps the access in EKS once the AccessEntry is deleted: only {admins} may') },
  { title: 'team-a deletes a node entry an admin labelled as team-a', as: 'alice', request: remove(A.nodeA), refused: teamA('delete AccessEntries of type EC2_LINUX: node types make the principal a node of the cluster. Tenants grant type STANDARD only; only {admins} may delete node entries') },
  { title: 'team-a deletes an AccessEntry an admin gave cluster-admin', as: 'alice', request: remove(A.adminGrantA), refused: teamA('delete an AccessEntry that grants access policies at cluster scope (AmazonEKSClusterAdminPolicy): team-a may grant access policies only in its namespaces (accessScope type namespace); only {admins} may grant them cluster-wide') },
  { title: 'team-a edits an AccessEntry an admin gave cluster-admin', as: 'alice', request: patchSpec(A.adminGrantA, { kubernetesGroups: ['team-a-edit'] }), refused: teamA('change an AccessEntry so that it grants access policies at cluster scope (AmazonEKSClusterAdminPolicy)') },
  { title: 'team-b grants access to a principal outside its principalArns', as: 'bob', request: create('team-b', { clusterName: 'dev', principalArn: role('someone-else'), kubernetesGroups: ['team-b-view'] }), refused: ae(() => `team-b may not create an AccessEntry that grants access to ${role('someone-else')}: team-b may grant access only to ${role('team-b-*')}, permission set TeamB*; only ${ADMINS} may grant access to other principals`) },
  { title: 'team-b grants access to a permission set outside its ssoPermissionSets', as: 'bob', request: create('team-b', { clusterName: 'dev', principal: { ssoPermissionSet: 'AdministratorAccess' }, kubernetesGroups: ['team-b-view'] }), refused: ae(() => `team-b may not create an AccessEntry that grants access to permission set AdministratorAccess: team-b may grant access only to ${role('team-b-*')}, permission set TeamB*; only ${ADMINS} may grant access to other principals`) },
];

const policy = (title: string, spec: Spec, message: string): Attempt => ({ title, as: 'alice', request: create('team-a', { ...base, ...spec }), refused: teamA(`create an AccessEntry that grants ${message}`) });
const scoped = (reference: Record<string, string>, namespaces: string[]) => ({ ...reference, accessScope: { type: 'namespace', namespaces } });
const GOV = { region: 'us-gov-west-1', principalArn: 'arn:aws-us-gov:iam::123456789012:role/someone' };
const CN = { region: 'cn-north-1', principalArn: 'arn:aws-cn:iam::123456789012:role/someone' };

/** Access policies: by name in any case or by ARN in any partition, at cluster scope, in namespaces and wildcards not allowed. */
export const POLICIES: Attempt[] = [
  policy('team-a grants AmazonEKSClusterAdminPolicy at cluster scope', { accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }] }, 'access policies at cluster scope (AmazonEKSClusterAdminPolicy): team-a may grant access policies only in its namespaces (accessScope type namespace); only {admins} may'),
  policy('team-a grants its own view policy at cluster scope', { accessPolicies: [{ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'cluster' } }] }, 'access policies at cluster scope (AmazonEKSViewPolicy)'),
  policy('team-a grants amazoneksclusteradminpolicy, in lower case, in its namespace', { accessPolicies: [scoped({ policy: 'amazoneksclusteradminpolicy' }, ['team-a-dev'])] }, 'the access policies amazoneksclusteradminpolicy: team-a may grant only AmazonEKSViewPolicy, AmazonEKSEditPolicy; only {admins} may'),
  policy('team-a grants AmazonEKSAdminPolicy by ARN', { accessPolicies: [scoped({ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy' }, ['team-a-dev'])] }, 'the access policies arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy: team-a may grant only AmazonEKSViewPolicy, AmazonEKSEditPolicy'),
  policy('team-a grants AmazonEKSClusterAdminPolicy by an aws-cn ARN', { ...CN, accessPolicies: [scoped({ policyArn: 'arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy' }, ['team-a-dev'])] }, 'the access policies arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy: team-a may grant only'),
  policy('team-a grants AmazonEKSAdminPolicy by an aws-us-gov ARN', { ...GOV, accessPolicies: [scoped({ policyArn: 'arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy' }, ['team-a-dev'])] }, 'the access policies arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy: team-a may grant only'),
  policy('team-a grants AmazonEKSSecretReaderPolicy', { accessPolicies: [scoped({ policy: 'AmazonEKSSecretReaderPolicy' }, ['team-a-dev'])] }, 'the access policies AmazonEKSSecretReaderPolicy: team-a may grant only'),
  policy('team-a grants its view policy in team-* (wider than team-a-*)', { accessPolicies: [view(['team-a-dev', 'team-*'])] }, 'AmazonEKSViewPolicy in team-* (team-a may grant it in team-a-*, shared only). A namespace ending in * passes only when every namespace it matches is allowed; only {admins} may grant access policies in other namespaces'),
  policy('team-a grants its view policy in k* (kube-system included)', { accessPolicies: [view(['k*'])] }, 'AmazonEKSViewPolicy in k* (team-a may grant it in team-a-*, shared only)'),
  policy('team-a grants its view policy in kube-system', { accessPolicies: [view(['kube-system', 'team-a-dev'])] }, 'AmazonEKSViewPolicy in kube-system (team-a may grant it in team-a-*, shared only)'),
  policy('team-a grants its view policy by an upper-case ARN in kube-system', { accessPolicies: [scoped({ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AMAZONEKSVIEWPOLICY' }, ['kube-system'])] }, 'arn:aws:eks::aws:cluster-access-policy/AMAZONEKSVIEWPOLICY in kube-system (team-a may grant it in team-a-*, shared only)'),
  policy('team-a grants its edit policy (team-a-dev only) in team-a-*', { accessPolicies: [scoped({ policy: 'AmazonEKSEditPolicy' }, ['team-a-*'])] }, 'AmazonEKSEditPolicy in team-a-* (team-a may grant it in team-a-dev only)'),
  { title: 'team-a grants its view policy in * (every namespace; the CRD refuses a bare *)', as: 'alice', request: create('team-a', { ...base, accessPolicies: [view(['*'])] }), refused: { by: 'crd', message: () => `namespace "*" uses * in a way EKS does not document` } },
  { title: 'team-a adds its edit policy in kube-system to its AccessEntry', as: 'alice', request: patchSpec(A.ownA, { accessPolicies: [view(['team-a-dev']), scoped({ policy: 'AmazonEKSEditPolicy' }, ['kube-system'])] }), refused: teamA('change an AccessEntry so that it grants AmazonEKSEditPolicy in kube-system (team-a may grant it in team-a-dev only)') },
];

const caRefused = (verb: string): Attempt['refused'] => ({ by: 'clusteraccesses', message: ({ who }) => `${who.username} may not ${verb} ClusterAccesses: a ClusterAccess chooses the AWS account and role the controller reaches an EKS cluster with, so only ${ADMINS} may` });
const caRequest = (body: (name: string) => Request): Request => body(CLUSTER_ACCESS);

/** ClusterAccesses: admins only. */
export const CLUSTER_ACCESSES: Attempt[] = [
  { title: 'a tenant creates a ClusterAccess', as: 'alice', request: createClusterAccess, refused: caRefused('create') },
  { title: "a tenant changes a ClusterAccess's role", as: 'alice', request: caRequest((name) => (who) => who.api.patchClusterCustomObject({ ...CA, name, body: { spec: { roleArn: 'arn:aws:iam::222222222222:role/mine' } } }, mergePatch)), refused: caRefused('change') },
  { title: 'a tenant deletes a ClusterAccess', as: 'alice', request: caRequest((name) => (who) => who.api.deleteClusterCustomObject({ ...CA, name })), refused: caRefused('delete') },
  { title: "a tenant's GitOps ServiceAccount creates a ClusterAccess", as: 'teamAGitops', request: createClusterAccess, refused: caRefused('create') },
  { title: 'someone in no tenant creates a ClusterAccess', as: 'mallory', request: createClusterAccess, refused: caRefused('create') },
];

/** What must keep working: each tenant's own changes, the admins' anything, the controller's bookkeeping. */
export const ALLOWED: Attempt[] = [
  { title: 'team-a creates an AccessEntry within its allowlist (groups, view and edit policies in its namespaces and wildcards inside them)', as: 'alice', request: create('team-a', { ...base, kubernetesGroups: ['team-a-view', 'viewers'], accessPolicies: [view(['team-a-dev', 'team-a-x-*', 'shared']), scoped({ policy: 'AmazonEKSEditPolicy' }, ['team-a-dev'])] }) },
  { title: 'team-a grants access to prod in eu-west-1', as: 'alice', request: create('team-a', { ...base, clusterName: 'prod', region: 'eu-west-1' }) },
  { title: 'team-a names its policies by ARN in aws-us-gov and in lower case', as: 'alice', request: create('team-a', { ...base, ...GOV, accessPolicies: [scoped({ policyArn: 'arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSViewPolicy' }, ['team-a-ops']), scoped({ policy: 'amazonekseditpolicy' }, ['team-a-dev'])] }) },
  { title: 'team-a edits the groups of its AccessEntry within its patterns', as: 'alice', request: patchSpec(A.ownA, { kubernetesGroups: ['team-a-view', 'team-a-oncall', 'viewers'] }) },
  { title: 'team-a adds its view policy on team-a-* to its AccessEntry', as: 'alice', request: patchSpec(A.ownA, { accessPolicies: [view(['team-a-*', 'shared'])] }) },
  { title: 'team-a asks the controller to re-check its AccessEntry (an annotation)', as: 'alice', request: patch(A.ownA, { metadata: { annotations: { 'eksaccess.dev/reconcile-requested-at': '2026-12-07T10:00:00Z' } } }) },
  { title: 'team-a deletes its own AccessEntry (the controller then deletes the entry in EKS)', as: 'alice', request: remove(A.ownA) },
  { title: "team-a's GitOps ServiceAccount creates an AccessEntry of team-a", as: 'teamAGitops', request: create('team-a', base) },
  { title: 'a member of both tenants writes for team-b', as: 'carol', request: create('team-b', { clusterName: 'dev', principalArn: role('team-b-deployer'), kubernetesGroups: ['team-b-view'] }) },
  { title: 'team-b grants access to one of its principals', as: 'bob', request: create('team-b', { clusterName: 'dev', principalArn: role('team-b-oncall'), kubernetesGroups: ['team-b-view'], accessPolicies: [{ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces: ['team-b-prod'] } }] }) },
  { title: 'team-b grants access to one of its permission sets', as: 'bob', request: create('team-b', { clusterName: 'dev', principal: { ssoPermissionSet: 'TeamBDeployers' }, kubernetesGroups: ['team-b-view'] }) },
  { title: 'team-a, with no principal allowlist, grants access to any permission set', as: 'alice', request: create('team-a', { clusterName: 'dev', principal: { ssoPermissionSet: 'AnyTeam' }, kubernetesGroups: ['team-a-view'] }) },
  { title: 'an admin grants cluster-admin with a username, Retain and adoptExisting', as: 'pat', request: create('team-a', { clusterName: 'staging', principalArn: role('break-glass'), username: 'break-glass', deletionPolicy: 'Retain', adoptExisting: true, accessPolicies: [{ policy: 'AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } }] }) },
  { title: 'an admin creates a node entry', as: 'pat', request: create(undefined, { clusterName: 'dev', principalArn: role('nodes'), type: 'EC2_LINUX' }) },
  { title: 'an admin moves an AccessEntry between tenants', as: 'pat', request: relabel(A.ownB, 'team-a') },
  { title: "an admin removes the controller's finalizer to un-stick an AccessEntry", as: 'pat', request: patch(A.ownA, { metadata: { finalizers: null } }) },
  { title: "the platform's GitOps ServiceAccount (an admin) creates a ClusterAccess", as: 'platformGitops', request: createClusterAccess },
  { title: "the controller removes its finalizer", as: 'controller', request: patch(A.ownA, { metadata: { finalizers: null } }) },
  { title: 'the controller adds its finalizer', as: 'controller', request: patch(A.ownB, { metadata: { finalizers: [FINALIZER] } }) },
  { title: 'the controller writes the status', as: 'controller', request: writeStatus(A.ownA) },
];
