// The Helm chart with the real tools: Helm v3 and kubeconform built from Go modules
// (scripts/tools/), schemas from the test API server's own OpenAPI (CRDs included), and an install
// into an API server of its own, where the controller then runs with nothing but the chart's
// ServiceAccount and arguments.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  AppsV1Api,
  AuthorizationV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
  loadAllYaml,
  type KubeConfig,
  type KubernetesObject,
  type V1Deployment,
  type V1ResourceAttributes,
} from '@kubernetes/client-node';
import { dump as dumpYaml, load as loadYaml, loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL } from '../../src/api/names.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { ensureTool, kubeconform, runCommand, writeKubeconformSchemas, type CommandResult } from '../../scripts/tools/kubeconform-schemas.ts';
import { startControlPlane, type ControlPlane } from '../testenv/control-plane.ts';
import { installCrds } from '../testenv/crd.ts';
import { kubectl, testKubeConfig, uniqueName, waitFor } from '../testenv/kube.ts';
import { freePorts } from '../testenv/ports.ts';
import { CLUSTER, role } from './support/harness.ts';
import { serviceAccountKubeconfig } from './support/service-account.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHART = join(ROOT, 'deploy/helm/eks-access-entry-controller');
const NODE = join(ROOT, 'node_modules/.bin/node');
/** A cold build of Helm takes 5-25 minutes on 2 cores; kubeconform 2-6. Cached afterwards. */
const TOOL_BUILD_TIMEOUT_MS = 45 * 60_000;

const kc = testKubeConfig();
const label = uniqueName('helm');
let workDir: string;
let helmBin: string;
let kubeconformBin: string;
let schemaDir: string;

function helm(args: string[], kubeconfig?: string): Promise<CommandResult> {
  return runCommand(helmBin, args, {
    env: {
      PATH: process.env.PATH,
      HOME: workDir,
      HELM_CACHE_HOME: join(workDir, 'helm/cache'),
      HELM_CONFIG_HOME: join(workDir, 'helm/config'),
      HELM_DATA_HOME: join(workDir, 'helm/data'),
      ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
    },
    timeoutMs: 120_000,
  });
}

/** The values every install needs: a region, and while the guardrails are on (the default), their admins. */
const REQUIRED = ['--set', 'region=us-east-1', '--set', 'admission.adminGroups={platform-admins}'];

/** `helm template` of the chart; fails the test with Helm's message if it does not render. */
async function render(args: string[] = [], release = 'eks-access-entry-controller'): Promise<string> {
  const result = await helm(['template', release, CHART, '--namespace', 'eks-access-entry-controller', ...REQUIRED, ...args]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

const objects = (yaml: string): KubernetesObject[] => (loadAllYaml(yaml) as Array<KubernetesObject | null>).filter((o): o is KubernetesObject => o != null);
const kinds = (yaml: string): string[] => objects(yaml).map((o) => o.kind!).sort();

/** The Prometheus Operator's CRDs (ServiceMonitor, PrometheusRule), from its Go module (scripts/tools/prometheus-operator-crds.sh). */
async function prometheusOperatorCrds(): Promise<string[]> {
  const result = await runCommand('bash', [join(ROOT, 'scripts/tools/prometheus-operator-crds.sh')], { timeoutMs: TOOL_BUILD_TIMEOUT_MS });
  expect(result.code, result.stderr).toBe(0);
  const dir = result.stdout.trim().split('\n').at(-1)!;
  return ['servicemonitors', 'prometheusrules'].map((plural) => join(dir, `monitoring.coreos.com_${plural}.yaml`));
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'eaec-helm-'));
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  [helmBin, kubeconformBin] = await Promise.all([ensureTool('helm', log), ensureTool('kubeconform', log)]);
  await installCrds(kc);
  const applied = await kubectl(['apply', '--server-side', ...(await prometheusOperatorCrds()).flatMap((file) => ['-f', file])]);
  expect(applied.code, applied.stderr).toBe(0);
  // An established CRD reaches /openapi/v3 a moment later.
  schemaDir = join(workDir, 'schemas');
  await waitFor(
    async () => {
      const { files } = await writeKubeconformSchemas(kc, schemaDir);
      return ['accessentry-eksaccess-v1alpha1.json', 'clusteraccess-eksaccess-v1alpha1.json', 'servicemonitor-monitoring-v1.json', 'prometheusrule-monitoring-v1.json'].every((f) =>
        files.has(f),
      );
    },
    { description: 'the CRDs in /openapi/v3', timeoutMs: 60_000, intervalMs: 1_000 },
  );
}, TOOL_BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('helm lint and values.schema.json', () => {
  it('lints clean with --strict, by default and with the monitoring objects on', async () => {
    for (const extra of [[], ['--set', 'grafanaDashboard.enabled=true', '--set', 'prometheusRule.enabled=true', '--set', 'metrics.serviceMonitor.enabled=true']]) {
      const lint = await helm(['lint', CHART, '--strict', ...REQUIRED, ...extra]);
      expect(lint.code, lint.stdout + lint.stderr).toBe(0);
      expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    }
  });

  it('refuses to render without a region, or with values that would break the controller, naming the value', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /region is required/],
      [['--set', 'region=us-east-1', '--set', 'logLevel=verbose'], /logLevel/],
      [['--set', 'region=us-east-1', '--set', 'replicas=3'], /replicas/],
      [['--set', 'region=us-east-1', '--set-string', 'replicaCount=two'], /replicaCount/],
      [['--set', 'region=us-east-1', '--set', 'resync=10 minutes'], /resync/],
      [['--set', 'region=us-east-1', '--set', 'image.pullPolicy=Sometimes'], /pullPolicy/],
      [['--set', 'region=Frankfurt'], /region/],
      [['--set', 'region=us-east-1', '--set', 'leaderElection.enabled=false'], /leaderElection\.enabled is false/],
      // The guardrails: on by default, so someone must be named their admin.
      [['--set', 'region=us-east-1'], /admission\.enabled is true but admission\.adminGroups and admission\.adminServiceAccounts are empty/],
      [[...REQUIRED, '--set', 'admission.tenants[0].name=team-a', '--set', 'admission.tenants[0].cluster={dev}'], /cluster/],
      [[...REQUIRED, '--set', 'admission.tenants[0].name=team-a', '--set', 'admission.tenants[0].clusters={eu-west-1a/prod}'], /clusters/],
      [[...REQUIRED, '--set', 'admission.tenants[0].name=team a'], /name/],
      [[...REQUIRED, '--set', 'admission.tenants[0].name=team-a', '--set', 'admission.tenants[0].kubernetesGroups={team-*-admins}'], /kubernetesGroups/],
      [[...REQUIRED, '--set', 'admission.tenants[0].name=team-a', '--set', 'admission.tenants[1].name=team-a'], /names tenant team-a twice/],
      [[...REQUIRED, '--set', 'admission.tenants[0].name=team-a', '--set', 'admission.tenants[0].kubernetesGroups={platform-*}'], /tenant team-a may grant Kubernetes group platform-admins/],
      [[...REQUIRED, '--set', 'admission.adminServiceAccounts={platform}'], /adminServiceAccounts/],
      [[...REQUIRED, '--set', 'admission.validationActions={Allow}'], /validationActions/],
      [[...REQUIRED, '--set', 'networkPolicy.metricsFrom[0].cidr=10.0.0.0/8'], /metricsFrom/],
      [[...REQUIRED, '--set', 'grafanaDashboard.enable=true'], /enable/],
      [[...REQUIRED, '--set', 'prometheusRule.runbookUrl=wiki/runbooks.md#top'], /runbookUrl/],
      [[...REQUIRED, '--set-string', 'perResourceMetrics=no'], /perResourceMetrics/],
    ];
    for (const [args, message] of cases) {
      const result = await helm(['template', 'x', CHART, ...args]);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    // One replica may run without leader election.
    expect(kinds(await render(['--set', 'replicaCount=1', '--set', 'leaderElection.enabled=false']))).not.toContain('Role');
  });
});

describe('helm template, validated by kubeconform against the API server\'s own schemas', () => {
  it('renders valid objects with the defaults: Deployment, ServiceAccount, RBAC, metrics Service, PDB, the guardrails, no ServiceMonitor or NetworkPolicy', async () => {
    const yaml = await render();
    expect(kinds(yaml)).toEqual([
      'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount',
      'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingAdmissionPolicyBinding',
    ]);
    const report = await kubeconform(kubeconformBin, schemaDir, yaml);
    expect(report.summary, report.output).toEqual({ resources: 12, valid: 12, invalid: 0, errors: 0, skipped: 0 });
    // Off, nothing of them is left.
    expect(kinds(await render(['--set', 'admission.enabled=false']))).not.toContain('ValidatingAdmissionPolicy');
  });

  it('renders valid objects with every option set, ServiceMonitor included', async () => {
    const values = {
      region: 'eu-west-1',
      replicaCount: 3,
      image: { repository: 'registry.example.com/eaec', digest: `sha256:${'a'.repeat(64)}`, pullPolicy: 'Always' },
      imagePullSecrets: [{ name: 'registry' }],
      serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/eks-access-entry-controller' } },
      leaderElection: { id: 'platform-shard' },
      selector: 'team=platform',
      controllerId: 'platform-prod',
      awsEndpoint: 'https://eks.eu-west-1.amazonaws.com',
      stsEndpoint: 'https://sts.eu-west-1.amazonaws.com',
      iamEndpoint: 'https://iam.amazonaws.com',
      iamRateLimit: 2,
      iamBurst: 4,
      concurrency: 8, resync: '5m', stalledRetry: '2m', awsRateLimit: 2.5, awsBurst: 5, logLevel: 'debug', shutdownTimeout: '20s',
      extraArgs: ['--leader-election-lease-duration=30s'],
      extraEnv: [{ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' }],
      nodeFlags: ['--optimize-for-size'],
      metrics: { service: { annotations: { 'prometheus.io/scrape': 'true' } }, serviceMonitor: { enabled: true, interval: '15s', scrapeTimeout: '10s', labels: { release: 'prometheus' } } },
      podDisruptionBudget: { maxUnavailable: '50%' },
      podAnnotations: { 'example.com/team': 'platform' },
      podLabels: { team: 'platform' },
      priorityClassName: 'system-cluster-critical',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'eks-access-entry-controller' } } } }] } },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'eks-access-entry-controller' } } }],
      admission: {
        enabled: true,
        adminGroups: ['platform-admins'],
        adminServiceAccounts: ['flux-system/platform-access'],
        objectSelector: { matchLabels: { team: 'platform' } },
        validationActions: ['Warn', 'Audit'],
        maxLifetime: [{ kubernetesGroups: ['break-glass-*'], duration: '8h' }, { tenants: ['search'], accessPolicies: ['AmazonEKSClusterAdminPolicy'], duration: '1h30m' }],
        tenants: [
          {
            name: 'payments',
            groups: ['payments-developers'],
            serviceAccounts: ['flux-system/payments-access'],
            clusters: ['dev', 'eu-west-1/prod'],
            kubernetesGroups: ['payments-*'],
            principalArns: ['arn:aws:iam::111111111111:role/payments-*'],
            accessPolicies: [{ policy: 'AmazonEKSViewPolicy', namespaces: ['payments-*'] }, { policy: 'amazoneksviewpolicy', namespaces: ['shared'] }],
          },
          { name: 'search' },
        ],
      },
      networkPolicy: { enabled: true, probesFrom: [{ ipBlock: { cidr: '10.0.0.0/16' } }] },
    };
    const file = join(workDir, 'all-options.yaml');
    await writeFile(file, dumpYaml(values));
    const yaml = await render(['-f', file]);
    expect(kinds(yaml)).toEqual(expect.arrayContaining(['ServiceMonitor', 'NetworkPolicy', 'ValidatingAdmissionPolicy']));
    const report = await kubeconform(kubeconformBin, schemaDir, yaml);
    expect(report.summary, report.output).toEqual({ resources: 16, valid: 16, invalid: 0, errors: 0, skipped: 0 });
    const deployment = objects(yaml).find((o) => o.kind === 'Deployment') as V1Deployment;
    const container = deployment.spec!.template.spec!.containers[0]!;
    expect(container.image).toBe(`registry.example.com/eaec@sha256:${'a'.repeat(64)}`);
    expect(container.args).toEqual(expect.arrayContaining(['--controller-id=platform-prod', '--selector=team=platform', '--leader-election-id=platform-shard', '--aws-rate-limit=2.5', '--iam-rate-limit=2', '--iam-burst=4', '--iam-endpoint=https://iam.amazonaws.com', '--leader-election-lease-duration=30s']));
    // extraArgs come last: a flag repeated there wins (the controller takes the last occurrence).
    expect(container.args!.at(-1)).toBe('--leader-election-lease-duration=30s');
    // nodeFlags: the image's own entrypoint, the flag added before the script.
    const entrypoint = JSON.parse(/^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(await readFile(new URL('../../Dockerfile', import.meta.url), 'utf8'))![1]!) as string[];
    expect(container.command).toEqual([...entrypoint.slice(0, -1), '--optimize-for-size', entrypoint.at(-1)]);
    // The guardrails' binding: the actions and the selection asked for.
    const bindings = objects(yaml).filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding') as Array<KubernetesObject & { spec: Record<string, unknown> }>;
    expect(bindings.map((b) => b.spec)).toEqual(['accessentries', 'clusteraccesses', 'accessentry-lifetimes'].map((what) => ({
      policyName: `eks-access-entry-controller-${what}`,
      validationActions: ['Warn', 'Audit'],
      matchResources: { objectSelector: { matchLabels: { team: 'platform' } } },
    })));
  });

  it('ships an optional NetworkPolicy: /metrics from the monitoring namespace, the probes from anywhere (or the sources given), egress open', async () => {
    // Read as plain YAML: the client's typed objects rename fields (from is _from).
    const policy = (loadAll(await render(['--set', 'networkPolicy.enabled=true'])) as Array<{ kind?: string; spec: Record<string, unknown> } | null>).find((o) => o?.kind === 'NetworkPolicy')!;
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'eks-access-entry-controller', 'app.kubernetes.io/instance': 'eks-access-entry-controller' } },
      policyTypes: ['Ingress'],
      ingress: [
        { ports: [{ port: 'metrics', protocol: 'TCP' }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] },
        { ports: [{ port: 'probes', protocol: 'TCP' }] },
      ],
    });
    const deployment = objects(await render()).find((o) => o.kind === 'Deployment') as V1Deployment;
    // The NetworkPolicy's selector picks the Deployment's pods, and its named ports are theirs.
    expect(deployment.spec!.template.metadata!.labels).toMatchObject((policy.spec.podSelector as { matchLabels: object }).matchLabels);
    expect(deployment.spec!.template.spec!.containers[0]!.ports!.map((p) => p.name)).toEqual(['metrics', 'probes']);
  });

  it('renders the values of the Flux HelmRelease example (deploy/examples/gitops/flux-helmrelease.yaml) into valid objects', async () => {
    const docs = objects(await readFile(join(ROOT, 'deploy/examples/gitops/flux-helmrelease.yaml'), 'utf8'));
    const release = docs.find((o) => o.kind === 'HelmRelease') as KubernetesObject & { spec: { values: object } };
    const file = join(workDir, 'flux-values.yaml');
    await writeFile(file, dumpYaml(release.spec.values));
    const result = await helm(['template', 'eks-access-entry-controller', CHART, '--namespace', 'eks-access-entry-controller', '-f', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(kinds(result.stdout)).toEqual(expect.arrayContaining(['NetworkPolicy', 'ValidatingAdmissionPolicy']));
    const report = await kubeconform(kubeconformBin, schemaDir, result.stdout);
    expect(report.summary, report.output).toMatchObject({ invalid: 0, errors: 0, skipped: 0 });
  });

  it('ships CRDs that are valid CustomResourceDefinitions, through helm show crds and --include-crds', async () => {
    const crds = await helm(['show', 'crds', CHART]);
    expect(crds.code, crds.stderr).toBe(0);
    expect(objects(crds.stdout).map((o) => o.metadata!.name).sort()).toEqual(['accessentries.eksaccess.dev', 'clusteraccesses.eksaccess.dev']);
    // What the upgrade instructions pipe into kubectl apply: two documents, both valid.
    expect((await kubeconform(kubeconformBin, schemaDir, crds.stdout)).summary).toEqual({ resources: 2, valid: 2, invalid: 0, errors: 0, skipped: 0 });
    const report = await kubeconform(kubeconformBin, schemaDir, await render(['--include-crds']));
    expect(report.summary, report.output).toEqual({ resources: 14, valid: 14, invalid: 0, errors: 0, skipped: 0 });
  });

  it('covers the CRDs too: the shipped AccessEntry examples are valid, a misspelt AccessEntry or ClusterAccess field is not', async () => {
    const dir = join(ROOT, 'deploy/examples');
    const examples = (await Promise.all((await readdir(dir)).filter((f) => f.endsWith('.yaml')).map((f) => readFile(join(dir, f), 'utf8')))).join('\n---\n');
    const valid = await kubeconform(kubeconformBin, schemaDir, examples);
    expect(valid.summary.resources).toBeGreaterThan(0);
    expect(valid.summary, valid.output).toMatchObject({ invalid: 0, errors: 0, skipped: 0, valid: valid.summary.resources });
    const misspelt = [
      `apiVersion: ${API_GROUP_VERSION}\nkind: AccessEntry\nmetadata: {name: x}\nspec: {clusterName: demo, principalArn: 'arn:aws:iam::111111111111:role/x', kubernetesGroup: [a]}`,
      `apiVersion: ${API_GROUP_VERSION}\nkind: ClusterAccess\nmetadata: {name: x}\nspec: {clusterName: demo, region: eu-west-1, rolArn: 'arn:aws:iam::111111111111:role/x'}`,
    ].join('\n---\n');
    const invalid = await kubeconform(kubeconformBin, schemaDir, misspelt);
    expect(invalid.summary, invalid.output).toMatchObject({ resources: 2, invalid: 2 });
    expect(invalid.output).toMatch(/kubernetesGroup/);
    expect(invalid.output).toMatch(/rolArn/);
  });

  it('is strict: a misspelt field, a wrong type or an unknown kind fails', async () => {
    const yaml = (await render())
      .replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesytem: true')
      .replace('maxUnavailable: 1', 'maxUnavailable: [1]');
    const report = await kubeconform(kubeconformBin, schemaDir, `${yaml}\n---\napiVersion: example.com/v1\nkind: Unknown\nmetadata: {name: x}\n`);
    expect(report.summary).toMatchObject({ resources: 13, invalid: 2, errors: 1 });
    expect(report.output).toMatch(/readOnlyRootFilesytem/);
  });

  it('by default runs two leader-electing replicas, hardened, with probes, ports and the downward API', async () => {
    const yaml = await render();
    const deployment = objects(yaml).find((o) => o.kind === 'Deployment') as V1Deployment;
    const pod = deployment.spec!.template.spec!;
    const container = pod.containers[0]!;
    expect(deployment.spec!.replicas).toBe(2);
    expect(container.command, "the image's entrypoint runs as it is").toBeUndefined();
    expect(container.args).toEqual(expect.arrayContaining(['--leader-elect', '--metrics-bind-address=:8080', '--health-probe-bind-address=:8081']));
    expect(container.env).toEqual([
      { name: 'AWS_REGION', value: 'us-east-1' },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ]);
    expect(container.ports).toEqual([
      { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
      { name: 'probes', containerPort: 8081, protocol: 'TCP' },
    ]);
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'probes' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'probes' });
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '192Mi' }, limits: { memory: '512Mi' } });
    expect(pod.volumes).toBeUndefined();
    expect(kinds(await render(['--set', 'replicaCount=1']))).not.toContain('PodDisruptionBudget');
  });
});

describe('monitoring: the Grafana dashboard and the PrometheusRule', () => {
  const dashboardFile = (): Promise<string> => readFile(join(ROOT, 'deploy/monitoring/grafana-dashboard.json'), 'utf8');
  const alertsFile = (): Promise<string> => readFile(join(ROOT, 'deploy/monitoring/alerts.yaml'), 'utf8');
  const SHIPPED_JOB = 'job="eks-access-entry-controller-metrics"';
  const RUNBOOKS = 'https://github.com/eks-access-entry-controller/eks-access-entry-controller/blob/main/docs/runbooks.md';

  it('renders neither by default, and both, valid, with grafanaDashboard.enabled and prometheusRule.enabled', async () => {
    expect(kinds(await render())).not.toEqual(expect.arrayContaining(['ConfigMap']));
    const yaml = await render(['--set', 'grafanaDashboard.enabled=true', '--set', 'prometheusRule.enabled=true', '--set', 'metrics.serviceMonitor.enabled=true']);
    expect(kinds(yaml)).toEqual(expect.arrayContaining(['ConfigMap', 'PrometheusRule', 'ServiceMonitor']));
    const report = await kubeconform(kubeconformBin, schemaDir, yaml);
    expect(report.summary, report.output).toEqual({ resources: objects(yaml).length, valid: objects(yaml).length, invalid: 0, errors: 0, skipped: 0 });
    expect(report.output).toMatch(/PrometheusRule eks-access-entry-controller is valid/);
  });

  it('ships the dashboard file byte for byte, with the sidecar\'s label', async () => {
    const yaml = await render(['--set', 'grafanaDashboard.enabled=true']);
    const configMap = objects(yaml).find((o) => o.kind === 'ConfigMap') as KubernetesObject & { data: Record<string, string> };
    expect(configMap.metadata).toMatchObject({ name: 'eks-access-entry-controller-dashboard', namespace: 'eks-access-entry-controller', labels: { grafana_dashboard: '1' } });
    expect(configMap.data).toEqual({ 'eks-access-entry-controller.json': await dashboardFile() });
  });

  it('ships the alert rules as they are, selecting the job of its own ServiceMonitor, whatever the release is called', async () => {
    const yaml = await render(['--set', 'prometheusRule.enabled=true', '--set', 'metrics.serviceMonitor.enabled=true'], 'platform');
    const rule = objects(yaml).find((o) => o.kind === 'PrometheusRule') as KubernetesObject & { spec: unknown };
    // A ServiceMonitor's job is the name of the Service it scrapes.
    const service = objects(yaml).find((o) => o.kind === 'Service' && o.metadata?.labels?.['app.kubernetes.io/component'] === 'metrics')!;
    expect(service.metadata!.name).toBe('platform-eks-access-entry-controller-metrics');
    const expected = (await alertsFile()).replaceAll(SHIPPED_JOB, `job="${service.metadata!.name}"`);
    expect(rule.spec).toEqual(loadYaml(expected));
    expect(JSON.stringify(rule.spec)).not.toContain(SHIPPED_JOB);
  });

  it('takes the sidecar label, namespace and folder, the rule labels, job and runbook location it is given, and --per-resource-metrics=false', async () => {
    const values = {
      perResourceMetrics: false,
      grafanaDashboard: { enabled: true, label: 'example.com/dashboard', labelValue: 'platform', namespace: 'monitoring', annotations: { grafana_folder: 'Platform' } },
      prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' }, job: 'kubernetes-pods', runbookUrl: 'https://wiki.example.com/eaec/runbooks' },
    };
    const file = join(workDir, 'monitoring-options.yaml');
    await writeFile(file, dumpYaml(values));
    const yaml = await render(['-f', file]);
    const report = await kubeconform(kubeconformBin, schemaDir, yaml);
    expect(report.summary, report.output).toEqual({ resources: objects(yaml).length, valid: objects(yaml).length, invalid: 0, errors: 0, skipped: 0 });
    const configMap = objects(yaml).find((o) => o.kind === 'ConfigMap')!;
    expect(configMap.metadata).toMatchObject({ namespace: 'monitoring', labels: { 'example.com/dashboard': 'platform' }, annotations: { grafana_folder: 'Platform' } });
    expect(configMap.metadata!.labels).not.toHaveProperty('grafana_dashboard');
    const rule = objects(yaml).find((o) => o.kind === 'PrometheusRule') as KubernetesObject & { spec: unknown };
    expect(rule.metadata!.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    const expected = (await alertsFile()).replaceAll(SHIPPED_JOB, 'job="kubernetes-pods"').replaceAll(RUNBOOKS, 'https://wiki.example.com/eaec/runbooks');
    expect(rule.spec).toEqual(loadYaml(expected));
    const container = (objects(yaml).find((o) => o.kind === 'Deployment') as V1Deployment).spec!.template.spec!.containers[0]!;
    expect(container.args).toContain('--per-resource-metrics=false');
    const byDefault = (objects(await render()).find((o) => o.kind === 'Deployment') as V1Deployment).spec!.template.spec!.containers[0]!;
    expect(byDefault.args!.filter((arg) => arg.startsWith('--per-resource-metrics'))).toEqual([]);
  });
});

describe('helm install into an API server of its own', () => {
  let plane: ControlPlane;
  let emulator: RunningEmulator;
  const release = uniqueName('eks-access-entry-controller');
  const namespace = uniqueName('eaec-helm');
  interface Controller {
    child: ChildProcessWithoutNullStreams;
    output: () => string;
    exited: Promise<number | null>;
  }
  let controller: Controller | undefined;

  beforeAll(async () => {
    plane = await startControlPlane();
    emulator = await startEmulator({ implicitPrincipals: true });
    emulator.state.createCluster(CLUSTER, { authenticationMode: 'API' });
  }, 180_000);

  afterAll(async () => {
    controller?.child.kill('SIGKILL');
    await emulator?.close();
    await plane?.stop();
  });

  /** May the chart's ServiceAccount do this? Asked of the API server's authorizer. */
  async function may(attributes: V1ResourceAttributes): Promise<boolean> {
    const review = await plane.kubeConfig.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
      body: {
        spec: {
          user: `system:serviceaccount:${namespace}:${release}`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
          resourceAttributes: attributes,
        },
      },
    });
    return review.status?.allowed === true;
  }

  function runLikeTheDeployment(deployment: V1Deployment, kubeconfig: string, ports: [number, number]): Controller {
    const container = deployment.spec!.template.spec!.containers[0]!;
    const env = Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    // What the kubelet would do: the downward API's values, and the container's own arguments.
    const child = spawn(
      NODE,
      [
        '--import', 'tsx', 'src/main.ts', ...(container.args ?? []),
        // Test-only: where the API server and EKS are, which entries are this file's, and ports of its own.
        '--kubeconfig', kubeconfig, '--aws-endpoint', emulator.endpoint, '--selector', `test.eksaccess.dev/run=${label}`,
        '--metrics-bind-address', `127.0.0.1:${ports[0]}`, '--health-probe-bind-address', `127.0.0.1:${ports[1]}`,
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, POD_NAMESPACE: namespace, POD_NAME: `${release}-7d4b9c-abcde`, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
      },
    );
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return { child, output: () => text, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  }

  const crdNames = async (admin: KubeConfig): Promise<string[]> =>
    (await admin.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition()).items.map((crd) => crd.metadata!.name!).sort();

  it('creates both CRDs on the first install (the API server had none) and the chart\'s objects, without --wait', async () => {
    expect(await crdNames(plane.kubeConfig)).toEqual([]);
    // No --wait: nothing schedules pods here, so Helm would wait forever.
    const install = await helm(['install', release, CHART, '--namespace', namespace, '--create-namespace', ...REQUIRED], plane.kubeconfigPath);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toContain('STATUS: deployed');
    expect(await crdNames(plane.kubeConfig)).toEqual(['accessentries.eksaccess.dev', 'clusteraccesses.eksaccess.dev']);
    const deployment = await plane.kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: release, namespace });
    expect(deployment.spec!.template.spec!.serviceAccountName).toBe(release);
    // The guardrails too: the controller below runs under them.
    const policies = await plane.kubeConfig.makeApiClient(AdmissionregistrationV1Api).listValidatingAdmissionPolicy();
    expect(policies.items.map((p) => p.metadata!.name).sort()).toEqual([`${release}-accessentries`, `${release}-clusteraccesses`]);
  });

  it('grants the ServiceAccount what the controller needs and refuses the rest (SubjectAccessReview)', async () => {
    const allowed: V1ResourceAttributes[] = [
      { group: API_GROUP, resource: 'accessentries', verb: 'watch' },
      { group: API_GROUP, resource: 'accessentries', verb: 'patch', name: 'x' },
      { group: API_GROUP, resource: 'accessentries', subresource: 'status', verb: 'patch', name: 'x' },
      { group: API_GROUP, resource: 'accessentries', subresource: 'finalizers', verb: 'update', name: 'x' },
      { group: API_GROUP, resource: 'clusteraccesses', verb: 'list' },
      { group: API_GROUP, resource: 'clusteraccesses', subresource: 'status', verb: 'patch', name: 'x' },
      { group: '', resource: 'events', verb: 'create', namespace: 'default' },
      { group: '', resource: 'namespaces', verb: 'get', name: 'kube-system' },
      { group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace, name: 'x' },
    ];
    const refused: V1ResourceAttributes[] = [
      { group: '', resource: 'secrets', verb: 'list' },
      { group: '', resource: 'secrets', verb: 'get', namespace, name: 'x' },
      { group: API_GROUP, resource: 'accessentries', verb: 'create' },
      { group: API_GROUP, resource: 'accessentries', verb: 'delete', name: 'x' },
      { group: API_GROUP, resource: 'clusteraccesses', verb: 'patch', name: 'x' },
      { group: API_GROUP, resource: 'clusteraccesses', verb: 'create' },
      { group: '', resource: 'namespaces', verb: 'get', name: 'default' },
      { group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace: 'default', name: 'x' },
      { group: 'coordination.k8s.io', resource: 'leases', verb: 'delete', namespace, name: 'x' },
      { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'escalate', name: release },
    ];
    for (const attributes of allowed) expect(await may(attributes), `allowed: ${JSON.stringify(attributes)}`).toBe(true);
    for (const attributes of refused) expect(await may(attributes), `refused: ${JSON.stringify(attributes)}`).toBe(false);
  });

  it('runs the controller with only the chart\'s ServiceAccount token and the Deployment\'s arguments: it leads, reconciles and cleans up; a call outside its RBAC is refused', async () => {
    const deployment = await plane.kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: release, namespace });
    const saKubeconfig = join(workDir, 'chart-sa.kubeconfig');
    const sa = await serviceAccountKubeconfig(plane.kubeConfig, namespace, deployment.spec!.template.spec!.serviceAccountName!, saKubeconfig);
    const ports = (await freePorts(2)) as [number, number];
    const running = runLikeTheDeployment(deployment, saKubeconfig, ports);
    controller = running;
    const kubectl = (args: string[], kubeconfig = plane.kubeconfigPath): Promise<CommandResult> => runCommand(plane.kubectlPath, [`--kubeconfig=${kubeconfig}`, ...args]);
    try {
      // Leadership needs the chart's Role on leases; the caches its ClusterRole.
      await waitFor(() => (running.output().includes('became leader') ? true : undefined), { description: 'leadership', timeoutMs: 60_000 }).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${running.output()}`);
      });
      const name = uniqueName('helm');
      await plane.kubeConfig.makeApiClient(CustomObjectsApi).createClusterCustomObject({
        group: API_GROUP, version: API_VERSION, plural: PLURAL,
        body: { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name, labels: { 'test.eksaccess.dev/run': label } }, spec: { clusterName: CLUSTER, principalArn: role(name) } },
      });
      const ready = await kubectl(['wait', '--for=condition=Ready', `accessentry/${name}`, '--timeout=60s']);
      expect(ready.code, `${ready.stderr}\n${running.output()}`).toBe(0);
      expect(emulator.state.getAccessEntry(CLUSTER, role(name))).toBeDefined();
      expect((await fetch(`http://127.0.0.1:${ports[1]}/readyz`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${ports[0]}/metrics`)).text()).toMatch(/^leader_election_master_status\{.*\} 1$/m);

      // Real calls outside the chart's RBAC, with the same token.
      await expect(sa.makeApiClient(RbacAuthorizationV1Api).listClusterRole()).rejects.toMatchObject({ code: 403 });
      const secrets = await kubectl(['get', 'secrets', '-n', namespace], saKubeconfig);
      expect(secrets.code).not.toBe(0);
      expect(secrets.stderr).toMatch(/forbidden/i);

      // Deleting the resource deletes the entry: the finalizer's work, within the chart's RBAC too.
      const deleted = await kubectl(['delete', `accessentry/${name}`, '--timeout=30s']);
      expect(deleted.code, `${deleted.stderr}\n${running.output()}`).toBe(0);
      expect(emulator.state.getAccessEntry(CLUSTER, role(name))).toBeUndefined();
      expect(running.output()).not.toMatch(/forbidden/i);
    } finally {
      running.child.kill('SIGTERM');
    }
    expect(await running.exited, running.output()).toBe(0);
  });

  it('uninstalls everything but the CRDs', async () => {
    const uninstall = await helm(['uninstall', release, '--namespace', namespace], plane.kubeconfigPath);
    expect(uninstall.code, uninstall.stderr).toBe(0);
    await expect(plane.kubeConfig.makeApiClient(RbacAuthorizationV1Api).readClusterRole({ name: release })).rejects.toMatchObject({ code: 404 });
    await expect(plane.kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: release, namespace })).rejects.toMatchObject({ code: 404 });
    expect((await plane.kubeConfig.makeApiClient(AdmissionregistrationV1Api).listValidatingAdmissionPolicy()).items).toEqual([]);
    expect(await crdNames(plane.kubeConfig)).toEqual(['accessentries.eksaccess.dev', 'clusteraccesses.eksaccess.dev']);
  });
});
