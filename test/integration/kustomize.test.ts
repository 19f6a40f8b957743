// The plain manifests (deploy/controller/, `kubectl apply -k`): valid by the API server's own
// schemas and its dry run, and the same installation as the Helm chart's defaults.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadAllYaml,
  type KubernetesObject,
  type V1ClusterRole,
  type V1ClusterRoleBinding,
  type V1Deployment,
  type V1PodDisruptionBudget,
  type V1Role,
  type V1RoleBinding,
  type V1Service,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { ensureTool, kubeconform, runCommand, writeKubeconformSchemas } from '../../scripts/tools/kubeconform-schemas.ts';
import { kubectl, testKubeConfig } from '../testenv/kube.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MANIFESTS = join(ROOT, 'deploy/controller');
const CHART = join(ROOT, 'deploy/helm/eks-access-entry-controller');
const NAMESPACE = 'eks-access-entry-controller';
const TOOL_BUILD_TIMEOUT_MS = 45 * 60_000;

let workDir: string;
let plain: KubernetesObject[];
let chart: KubernetesObject[];
let kustomized: string;

const objects = (yaml: string): KubernetesObject[] => (loadAllYaml(yaml) as Array<KubernetesObject | null>).filter((o): o is KubernetesObject => o != null);
const key = (o: KubernetesObject): string => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
function one<T extends KubernetesObject>(list: KubernetesObject[], kind: string, name?: string): T {
  const found = list.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  expect(found.map(key), `one ${kind}${name ? ` ${name}` : ''}`).toHaveLength(1);
  return found[0] as T;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'eaec-kustomize-'));
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const helm = await ensureTool('helm', log);
  const rendered = await kubectl(['kustomize', MANIFESTS]);
  expect(rendered.code, rendered.stderr).toBe(0);
  kustomized = rendered.stdout;
  plain = objects(kustomized);
  // The chart as `helm install eks-access-entry-controller ... -n eks-access-entry-controller` makes it,
  // without the guardrails: the plain manifests keep them apart, in deploy/admission/.
  const template = await runCommand(helm, ['template', 'eks-access-entry-controller', CHART, '--namespace', NAMESPACE, '--set', 'region=us-east-1', '--set', 'admission.enabled=false'], {
    env: { PATH: process.env.PATH, HOME: workDir, HELM_CACHE_HOME: join(workDir, 'c'), HELM_CONFIG_HOME: join(workDir, 'f'), HELM_DATA_HOME: join(workDir, 'd') },
  });
  expect(template.code, template.stderr).toBe(0);
  chart = objects(template.stdout);
}, TOOL_BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('kubectl apply -k deploy/controller/', () => {
  it('renders objects valid by the API server\'s own schemas (kubeconform, strict)', async () => {
    const kubeconformBin = await ensureTool('kubeconform');
    const { dir } = await writeKubeconformSchemas(testKubeConfig(), join(workDir, 'schemas'));
    const report = await kubeconform(kubeconformBin, dir, kustomized);
    expect(report.summary, report.output).toEqual({ resources: 9, valid: 9, invalid: 0, errors: 0, skipped: 0 });
  }, TOOL_BUILD_TIMEOUT_MS);

  it('is accepted by the API server (server-side dry run), and so is kubectl apply -f deploy/controller/', async () => {
    // A dry run creates nothing, so the namespaced objects need their namespace for real (the
    // other files that run the shipped RBAC apply it too).
    const namespace = await kubectl(['apply', '--server-side', '-f', join(MANIFESTS, 'namespace.yaml')]);
    expect(namespace.code, namespace.stderr).toBe(0);
    const byKustomize = await kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager=kustomize-test', '-k', MANIFESTS]);
    expect(byKustomize.code, byKustomize.stderr).toBe(0);
    expect(byKustomize.stdout).toContain('deployment.apps/eks-access-entry-controller serverside-applied (server dry run)');
    // The README's command: the Kustomization file (no .yaml extension) is not mistaken for a manifest.
    const byFiles = await kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager=kustomize-test', '-f', MANIFESTS]);
    expect(byFiles.code, byFiles.stderr).toBe(0);
    expect(byFiles.stdout.trim().split('\n').sort()).toEqual(byKustomize.stdout.trim().split('\n').sort());
  });
});

describe('the namespace deploy/controller/ makes', () => {
  it("enforces Pod Security's restricted profile, which the controller's pod meets and a privileged pod does not", async () => {
    expect(one(plain, 'Namespace').metadata?.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    const applied = await kubectl(['apply', '--server-side', '-f', join(MANIFESTS, 'namespace.yaml')]);
    expect(applied.code, applied.stderr).toBe(0);
    const template = one<V1Deployment>(plain, 'Deployment').spec!.template;
    const pod = (spec: object): string => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod-security-check', namespace: NAMESPACE }, spec });
    // A dry run reaches admission, Pod Security included, and stores nothing.
    const controller = await kubectl(['create', '--dry-run=server', '-f', '-'], { input: pod(template.spec!) });
    expect(controller.code, controller.stderr).toBe(0);
    const [container] = template.spec!.containers;
    const privileged = { ...template.spec!, containers: [{ ...container, securityContext: { ...container!.securityContext, allowPrivilegeEscalation: true } }] };
    const refused = await kubectl(['create', '--dry-run=server', '-f', '-'], { input: pod(privileged) });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false');
  });
});

describe('the plain manifests and the chart defaults', () => {
  it('make the same objects, of the same kinds and names (the chart leaves the Namespace to --create-namespace)', () => {
    const plainKeys = plain.map(key).filter((k) => !k.startsWith('Namespace/')).sort();
    expect(plainKeys).toEqual(chart.map(key).sort());
    expect(one(plain, 'Namespace').metadata?.name).toBe(NAMESPACE);
    expect(plainKeys).toEqual([
      'ClusterRole//eks-access-entry-controller',
      'ClusterRoleBinding//eks-access-entry-controller',
      `Deployment/${NAMESPACE}/eks-access-entry-controller`,
      `PodDisruptionBudget/${NAMESPACE}/eks-access-entry-controller`,
      `Role/${NAMESPACE}/eks-access-entry-controller-leader-election`,
      `RoleBinding/${NAMESPACE}/eks-access-entry-controller-leader-election`,
      `Service/${NAMESPACE}/eks-access-entry-controller-metrics`,
      `ServiceAccount/${NAMESPACE}/eks-access-entry-controller`,
    ]);
  });

  it('grant the same RBAC rules, to the same ServiceAccount', () => {
    expect(one<V1ClusterRole>(chart, 'ClusterRole').rules).toEqual(one<V1ClusterRole>(plain, 'ClusterRole').rules);
    expect(one<V1Role>(chart, 'Role').rules).toEqual(one<V1Role>(plain, 'Role').rules);
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      const [a, b] = [one<V1ClusterRoleBinding | V1RoleBinding>(chart, kind), one<V1ClusterRoleBinding | V1RoleBinding>(plain, kind)];
      expect(a.roleRef, kind).toEqual(b.roleRef);
      expect(a.subjects, kind).toEqual(b.subjects);
    }
  });

  it('run the pod the same way: security contexts, replicas, probes, ports, resources, environment', () => {
    const [a, b] = [one<V1Deployment>(chart, 'Deployment'), one<V1Deployment>(plain, 'Deployment')];
    const [podA, podB] = [a.spec!.template.spec!, b.spec!.template.spec!];
    const [ca, cb] = [podA.containers[0]!, podB.containers[0]!];
    expect(podA.securityContext).toEqual(podB.securityContext);
    expect(ca.securityContext).toEqual(cb.securityContext);
    expect(a.spec!.replicas).toBe(b.spec!.replicas);
    expect(podA.serviceAccountName).toBe(podB.serviceAccountName);
    expect(podA.terminationGracePeriodSeconds).toBe(podB.terminationGracePeriodSeconds);
    expect(podA.volumes).toEqual(podB.volumes);
    expect(ca.image).toBe(cb.image);
    expect(ca.env).toEqual(cb.env);
    expect(ca.resources).toEqual(cb.resources);
    expect(ca.livenessProbe).toEqual(cb.livenessProbe);
    expect(ca.readinessProbe).toEqual(cb.readinessProbe);
    const ports = (list: typeof ca.ports) => list?.map(({ name, containerPort }) => ({ name, containerPort }));
    expect(ports(ca.ports)).toEqual(ports(cb.ports));
  });

  it('start the controller with the same settings (their arguments, read by the controller\'s own option parser)', () => {
    const settings = (deployment: V1Deployment): Omit<Config, 'identity'> => {
      const container = deployment.spec!.template.spec!.containers[0]!;
      const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? `from ${e.valueFrom?.fieldRef?.fieldPath}`]));
      const config = loadConfig(container.args ?? [], env);
      if (config === 'help') throw new Error('--help in the arguments');
      const { identity: _identity, ...rest } = config;
      return rest;
    };
    const [a, b] = [settings(one<V1Deployment>(chart, 'Deployment')), settings(one<V1Deployment>(plain, 'Deployment'))];
    expect(a).toEqual(b);
    expect(a.leaderElection?.namespace).toBe('from metadata.namespace');
  });

  it('put the metrics Service and the PodDisruptionBudget in front of the Deployment\'s own pods', () => {
    for (const objects of [plain, chart]) {
      const labels = one<V1Deployment>(objects, 'Deployment').spec!.template.metadata!.labels!;
      const service = one<V1Service>(objects, 'Service');
      const pdb = one<V1PodDisruptionBudget>(objects, 'PodDisruptionBudget');
      expect(labels).toMatchObject(service.spec!.selector!);
      expect(labels).toMatchObject(pdb.spec!.selector!.matchLabels!);
      expect(service.spec!.ports).toEqual([{ name: 'metrics', port: 8080, targetPort: 'metrics', protocol: 'TCP' }]);
      expect(pdb.spec!.maxUnavailable).toBe(1);
    }
  });
});
