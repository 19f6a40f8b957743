// The Argo CD health checks in deploy/argocd/, run as Argo CD runs argocd-cm scripts (gopher-lua,
// no string or math library, `obj` as a global, one second) on objects the controller really wrote.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { load as loadYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterAccess } from '../../src/api/clusteraccess.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, CLUSTER_ACCESS_KIND, CLUSTER_ACCESS_PLURAL } from '../../src/api/names.ts';
import { Reason } from '../../src/api/reasons.ts';
import { kubectl, uniqueName, waitFor } from '../testenv/kube.ts';
import { StatusScenarios, TOOL_BUILD_TIMEOUT_MS, buildTool, judge, judgeOne, type Verdict } from './support/gitops.ts';
import { ACCOUNT, Harness, REGION } from './support/harness.ts';

const ARGOCD_DIR = fileURLToPath(new URL('../../deploy/argocd/', import.meta.url));
const ACCESS_ENTRY_SCRIPT = join(ARGOCD_DIR, 'accessentry-health.lua');
const CLUSTER_ACCESS_SCRIPT = join(ARGOCD_DIR, 'clusteraccess-health.lua');
const CM_SNIPPET = join(ARGOCD_DIR, 'argocd-cm-health.yaml');
const APPLICATION_EXAMPLE = fileURLToPath(new URL('../../deploy/examples/gitops/argocd-application.yaml', import.meta.url));
const ACCESS_ENTRY_KEY = 'resource.customizations.health.eksaccess.dev_AccessEntry';
const CLUSTER_ACCESS_KEY = 'resource.customizations.health.eksaccess.dev_ClusterAccess';

let h: Harness;
let lua: string;
let scenarios: StatusScenarios;
let scratch: string;

beforeAll(async () => {
  [lua, h] = await Promise.all([buildTool('lua-health'), Harness.start({ stalledRetry: 500, clusterAccessStatusOwner: true })]);
  scenarios = new StatusScenarios(h);
  scratch = await mkdtemp(join(tmpdir(), 'eaec-argocd-'));
}, TOOL_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await h?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const health = (object: object): Promise<Verdict> => judgeOne(lua, [ACCESS_ENTRY_SCRIPT], object);

/** A Lua file holding `source`, for the runner to run. */
async function script(source: string): Promise<string> {
  const path = join(scratch, `${uniqueName('script')}.lua`);
  await writeFile(path, source);
  return path;
}

describe('the AccessEntry health check, on objects the controller wrote', () => {
  it('is Healthy once the EKS access entry matches the spec', async () => {
    expect(await health(await scenarios.ready())).toEqual({ status: 'Healthy', message: 'Synced: The EKS access entry matches the spec' });
  });

  it('is Progressing for an AccessEntry just applied, before the controller acted on it', async () => {
    const unseen = await scenarios.unseen();
    expect(await health(unseen)).toEqual({ status: 'Progressing', message: 'Waiting for the eks-access-entry-controller to act on the AccessEntry' });
  });

  it('is Progressing while the controller works on a new generation, and says so', async () => {
    expect(await health(await scenarios.reconciling())).toEqual({ status: 'Progressing', message: 'Progressing: Reconciling the access entry with EKS' });
  });

  it('is Progressing, not Degraded, while EKS throttles the controller, with the reason', async () => {
    const throttled = await scenarios.throttled();
    const verdict = await health(throttled);
    expect(verdict.status).toBe('Progressing');
    expect(verdict.message).toBe(`Throttled: ${Harness.message(throttled, 'Reconciling')}`);
  });

  it('is Suspended once spec.expiresAt has passed: the access ended as asked, nothing is wrong', async () => {
    const expired = await scenarios.expired();
    expect(await health(expired)).toEqual({ status: 'Suspended', message: `Expired: ${Harness.message(expired, 'Ready')}` });
  });

  it('is Degraded for a CONFIG_MAP-only cluster, saying how to switch it', async () => {
    const stalled = await scenarios.stalledConfigMap();
    const verdict = await health(stalled);
    expect(verdict).toEqual({ status: 'Degraded', message: `AuthenticationModeConfigMap: ${Harness.message(stalled, 'Stalled')}` });
    expect(verdict.message).toContain('API_AND_CONFIG_MAP');
  });

  it('is Degraded for an entry the controller does not own, saying how to adopt it', async () => {
    const stalled = await scenarios.stalledNotOwned();
    const verdict = await health(stalled);
    expect(verdict.status).toBe('Degraded');
    expect(verdict.message).toMatch(/^NotOwned: .*adoptExisting/);
  });

  it('is Progressing when the spec is newer than the status, though Ready says True', async () => {
    const edited = await scenarios.newerGeneration();
    expect(edited.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(await health(edited)).toEqual({
      status: 'Progressing',
      message: 'Waiting for the eks-access-entry-controller to act on generation 2 (it last acted on generation 1)',
    });
  });

  it('is Progressing while being deleted, with what holds the deletion up', async () => {
    const { object, release } = await scenarios.deleting();
    try {
      const verdict = await health(object);
      expect(verdict.status).toBe('Progressing');
      expect(verdict.message).toBe(`The AccessEntry is being deleted; AwsServerError: ${Harness.message(object, 'Ready')}`);
    } finally {
      await release();
    }
  });

  it('judges every object of a list on its own, as an Argo CD application tree does', async () => {
    const [ready, stalled] = await Promise.all([scenarios.ready(), scenarios.stalledConfigMap()]);
    const verdicts = await judge(lua, [ACCESS_ENTRY_SCRIPT], [ready, stalled, ready]);
    expect(verdicts.map((v) => v.status)).toEqual(['Healthy', 'Degraded', 'Healthy']);
  });
});

describe('the ClusterAccess health check, on objects the controller wrote', () => {
  const api = (): CustomObjectsApi => h.kc.makeApiClient(CustomObjectsApi);
  const target = { group: API_GROUP, version: API_VERSION, plural: CLUSTER_ACCESS_PLURAL };
  const names: string[] = [];
  afterAll(async () => {
    await Promise.allSettled(names.map((name) => api().deleteClusterCustomObject({ ...target, name })));
  });

  async function createAccess(clusterName: string, credentials: Partial<ClusterAccess['spec']> = {}): Promise<ClusterAccess> {
    const name = uniqueName('argocd-access');
    names.push(name);
    const spec = { clusterName, region: REGION, ...credentials };
    const body = { apiVersion: API_GROUP_VERSION, kind: CLUSTER_ACCESS_KIND, metadata: { name }, spec };
    return (await api().createClusterCustomObject({ ...target, body })) as ClusterAccess;
  }

  /** The object once its Ready condition has `status`: every controller on the test API server checks every ClusterAccess. */
  function withReady(name: string, status: string): Promise<ClusterAccess> {
    return waitFor(
      async () => {
        const access = (await api().getClusterCustomObject({ ...target, name })) as ClusterAccess;
        return access.status?.conditions?.find((c) => c.type === 'Ready')?.status === status ? access : undefined;
      },
      { description: `ClusterAccess ${name} Ready=${status}`, timeoutMs: 30_000, intervalMs: 50 },
    );
  }

  it('is Progressing before the controller checked it, Healthy once it reaches the cluster', async () => {
    const cluster = uniqueName('reachable');
    h.emulator.state.createCluster(cluster, { authenticationMode: 'API' });
    const created = await createAccess(cluster);
    expect(created.status).toBeUndefined();
    expect(await judgeOne(lua, [CLUSTER_ACCESS_SCRIPT], created)).toEqual({
      status: 'Progressing',
      message: 'Waiting for the eks-access-entry-controller to check the ClusterAccess',
    });
    const ready = await withReady(created.metadata.name!, 'True');
    expect(await judgeOne(lua, [CLUSTER_ACCESS_SCRIPT], ready)).toEqual({
      status: 'Healthy',
      message: `Reachable: The controller reaches cluster ${cluster} in account ${ACCOUNT}`,
    });
  });

  it('is Degraded when the role refuses the controller, with what to fix', async () => {
    const roleArn = 'arn:aws:iam::222222222222:role/eks-access-entry-controller';
    h.emulator.state.setRoleTrust(roleArn, { allowedCallers: [ACCOUNT], externalId: 'the-right-one' });
    const created = await createAccess(uniqueName('refusing'), { roleArn, externalId: 'not-the-right-one' });
    const failing = await withReady(created.metadata.name!, 'False');
    const condition = failing.status?.conditions?.find((c) => c.type === 'Ready');
    expect(condition?.reason).toBe(Reason.AccessDenied);
    expect(await judgeOne(lua, [CLUSTER_ACCESS_SCRIPT], failing)).toEqual({ status: 'Degraded', message: `AccessDenied: ${condition?.message}` });
    expect(condition?.message).toContain(`may not assume ${roleArn}`);
  });
});

describe('the runner', () => {
  it('offers what Argo CD offers a health script: no string or math library, os reduced to time and date', async () => {
    const probe = await script('return { status = "Healthy", message = type(string) .. " " .. type(math) .. " " .. type(os.exit) .. " " .. type(require("os").execute) .. " " .. type(os.time) .. " " .. type(table.insert) }');
    expect(await judgeOne(lua, [probe], {})).toEqual({ status: 'Healthy', message: 'nil nil nil nil function function' });
    await expect(judgeOne(lua, [await script('return { status = string.lower("HEALTHY") }')], {})).rejects.toThrow(/string/);
  });

  it('stops a script after one second, as Argo CD does', async () => {
    const started = Date.now();
    await expect(judgeOne(lua, [await script('while true do end')], {})).rejects.toThrow(/context deadline exceeded|canceled/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a status Argo CD does not know', async () => {
    await expect(judgeOne(lua, [await script('return { status = "Fine" }')], {})).rejects.toThrow(/"Fine", which Argo CD does not know/);
  });
});

describe('deploy/argocd/argocd-cm-health.yaml', () => {
  it('holds exactly the scripts that are tested here', async () => {
    const snippet = loadYaml(await readFile(CM_SNIPPET, 'utf8')) as { kind: string; metadata: { name: string }; data: Record<string, string> };
    expect(snippet).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'argocd-cm' } });
    expect(snippet.data[ACCESS_ENTRY_KEY]).toBe(await readFile(ACCESS_ENTRY_SCRIPT, 'utf8'));
    expect(snippet.data[CLUSTER_ACCESS_KEY]).toBe(await readFile(CLUSTER_ACCESS_SCRIPT, 'utf8'));
  });

  it('is also shipped as values of the argo-cd Helm chart, with the same scripts', async () => {
    const values = loadYaml(await readFile(join(ARGOCD_DIR, 'argo-cd-values.yaml'), 'utf8')) as { configs: { cm: Record<string, string> } };
    expect(Object.keys(values.configs.cm).sort()).toEqual([ACCESS_ENTRY_KEY, CLUSTER_ACCESS_KEY].sort());
    expect(values.configs.cm[ACCESS_ENTRY_KEY]).toBe(await readFile(ACCESS_ENTRY_SCRIPT, 'utf8'));
    expect(values.configs.cm[CLUSTER_ACCESS_KEY]).toBe(await readFile(CLUSTER_ACCESS_SCRIPT, 'utf8'));
  });

  it('merges into an existing argocd-cm with the kubectl patch it documents, keeping its other settings', async () => {
    const core = h.kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'argocd' } } }).catch((err: { code?: number }) => {
      if (err.code !== 409) throw err;
    });
    await core.createNamespacedConfigMap({ namespace: 'argocd', body: { metadata: { name: 'argocd-cm' }, data: { url: 'https://argocd.example.com' } } });
    try {
      const patched = await kubectl(['-n', 'argocd', 'patch', 'configmap', 'argocd-cm', '--patch-file', CM_SNIPPET]);
      expect(patched.stderr).toBe('');
      const merged = await core.readNamespacedConfigMap({ namespace: 'argocd', name: 'argocd-cm' });
      expect(Object.keys(merged.data ?? {}).sort()).toEqual([ACCESS_ENTRY_KEY, CLUSTER_ACCESS_KEY, 'url']);
      // What Argo CD would read back from the ConfigMap is what was tested above.
      const fromCluster = merged.data?.[ACCESS_ENTRY_KEY] ?? '';
      const path = await script(fromCluster);
      expect((await judgeOne(lua, [path], await scenarios.ready())).status).toBe('Healthy');
    } finally {
      await core.deleteNamespacedConfigMap({ namespace: 'argocd', name: 'argocd-cm' });
    }
  });
});

describe('deploy/examples/gitops/argocd-application.yaml', () => {
  it('is an Argo CD Application that syncs, prunes and self-heals AccessEntries with server-side apply', async () => {
    const app = loadYaml(await readFile(APPLICATION_EXAMPLE, 'utf8')) as { apiVersion: string; kind: string; metadata: { namespace: string }; spec: Record<string, unknown> };
    expect(app).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { namespace: 'argocd' } });
    expect(app.spec).toMatchObject({
      source: { repoURL: expect.any(String), path: expect.any(String), targetRevision: expect.any(String) },
      destination: { server: 'https://kubernetes.default.svc' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
    });
  });
});
