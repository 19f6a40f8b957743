// What kstatus (sigs.k8s.io/cli-utils status.Compute: Flux's health checks and `wait: true`,
// cli-utils' appliers) and the healthCheckExprs of deploy/examples/gitops/flux-kustomization.yaml
// (as Flux's kustomize-controller evaluates them) make of AccessEntries the controller really wrote.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessEntry } from '../../src/api/accessentry.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL } from '../../src/api/names.ts';
import { uniqueName } from '../testenv/kube.ts';
import { StatusScenarios, TOOL_BUILD_TIMEOUT_MS, buildTool, judge, judgeOne, type Verdict } from './support/gitops.ts';
import { CLUSTER, Harness, role } from './support/harness.ts';

const GITOPS_DIR = fileURLToPath(new URL('../../deploy/examples/gitops/', import.meta.url));

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

const manifests = async (file: string): Promise<Manifest[]> => loadAll(await readFile(`${GITOPS_DIR}${file}`, 'utf8')) as Manifest[];

interface HealthCheckExpr {
  apiVersion: string;
  kind: string;
  current: string;
  inProgress?: string;
  failed?: string;
}

/** The healthCheckExprs entry for AccessEntry of the shipped Flux Kustomization. */
async function shippedHealthCheckExpr(): Promise<HealthCheckExpr> {
  const exprs = (await manifests('flux-kustomization.yaml')).flatMap((m) => (m.kind === 'Kustomization' ? ((m.spec.healthCheckExprs ?? []) as HealthCheckExpr[]) : []));
  const forAccessEntry = exprs.find((e) => e.apiVersion === API_GROUP_VERSION && e.kind === KIND);
  if (!forAccessEntry) throw new Error('flux-kustomization.yaml has no healthCheckExprs for AccessEntry');
  return forAccessEntry;
}

let h: Harness;
let kstatus: string;
let scenarios: StatusScenarios;
let fluxArgs: string[];

beforeAll(async () => {
  [kstatus, h] = await Promise.all([buildTool('kstatus'), Harness.start({ stalledRetry: 500 })]);
  scenarios = new StatusScenarios(h);
  const { current, inProgress, failed } = await shippedHealthCheckExpr();
  fluxArgs = ['--flux-health-check-exprs', JSON.stringify({ current, inProgress, failed })];
}, TOOL_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await h?.close();
});

const compute = (object: object): Promise<Verdict> => judgeOne(kstatus, [], object);
/** What Flux's kustomize-controller makes of the object with the shipped healthCheckExprs. */
const flux = async (object: object): Promise<string> => (await judgeOne(kstatus, fluxArgs, object)).status;

describe('kstatus and the shipped Flux healthCheckExprs, on AccessEntries the controller wrote', () => {
  it('reads Current once the EKS access entry matches the spec', async () => {
    const ready = await scenarios.ready();
    expect(await compute(ready)).toEqual({ status: 'Current', message: 'Resource is Ready' });
    expect(await flux(ready)).toBe('Current');
  });

  it('reads a freshly applied AccessEntry as InProgress, before the controller saw it', async () => {
    const unseen = await scenarios.unseen();
    expect(unseen.status).toEqual({ observedGeneration: 0 });
    expect(await compute(unseen)).toEqual({ status: 'InProgress', message: 'AccessEntry generation is 1, but latest observed generation is 0' });
    expect(await flux(unseen)).toBe('InProgress');
    // Why the CRD defaults the status: without one, kstatus would call it Current at once.
    const { status: _status, ...withoutStatus } = unseen;
    expect((await compute(withoutStatus)).status).toBe('Current');
  });

  it('reads InProgress while the controller works on a new generation', async () => {
    const reconciling = await scenarios.reconciling();
    expect(await compute(reconciling)).toEqual({ status: 'InProgress', message: Harness.message(reconciling, 'Reconciling') });
    expect(await flux(reconciling)).toBe('InProgress');
  });

  it('reads InProgress, not Failed, while EKS throttles the controller', async () => {
    const throttled = await scenarios.throttled();
    expect(await compute(throttled)).toEqual({ status: 'InProgress', message: Harness.message(throttled, 'Reconciling') });
    expect(await flux(throttled)).toBe('InProgress');
  });

  it('reads Failed for a CONFIG_MAP-only cluster, with what to do', async () => {
    const stalled = await scenarios.stalledConfigMap();
    const verdict = await compute(stalled);
    expect(verdict).toEqual({ status: 'Failed', message: Harness.message(stalled, 'Stalled') });
    expect(verdict.message).toContain('API_AND_CONFIG_MAP');
    expect(await flux(stalled)).toBe('Failed');
  });

  it('reads Failed for an entry the controller does not own', async () => {
    const stalled = await scenarios.stalledNotOwned();
    expect(await compute(stalled)).toEqual({ status: 'Failed', message: Harness.message(stalled, 'Stalled') });
    expect(await flux(stalled)).toBe('Failed');
  });

  it('reads InProgress when the spec is newer than the status, though Ready says True', async () => {
    const edited = await scenarios.newerGeneration();
    expect(await compute(edited)).toEqual({ status: 'InProgress', message: 'AccessEntry generation is 2, but latest observed generation is 1' });
    expect(await flux(edited)).toBe('InProgress');
  });

  it('reads Terminating while the finalizer holds a deletion', async () => {
    const { object, release } = await scenarios.deleting();
    try {
      expect((await compute(object)).status).toBe('Terminating');
    } finally {
      await release();
    }
  });
});

describe('a Flux wait on a new AccessEntry', () => {
  it('never reads Current before EKS has the entry', async () => {
    const api = h.kc.makeApiClient(CustomObjectsApi);
    const target = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
    const name = uniqueName('waited');
    const principal = role(name);
    h.emulator.faults.setLatency(1_000, 'CreateAccessEntry');
    const samples: { object: AccessEntry; inEks: boolean }[] = [];
    try {
      const body = { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name, labels: { 'test.eksaccess.dev/run': h.runLabel } }, spec: { clusterName: CLUSTER, principalArn: principal } };
      // The object as the apply answered it, then as a waiter polling it sees it. EKS is looked at
      // once each answer is in: an object the API server served as Ready must have had its entry in
      // EKS by then (looking before the request would race the controller on a loaded machine).
      samples.push({ object: (await api.createClusterCustomObject({ ...target, body })) as AccessEntry, inEks: h.entry(principal) !== undefined });
      for (let i = 0; i < 600 && samples.at(-1)?.object.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True'; i++) {
        const object = (await api.getClusterCustomObject({ ...target, name })) as AccessEntry;
        samples.push({ object, inEks: h.entry(principal) !== undefined });
      }
    } finally {
      h.emulator.faults.setLatency(0, 'CreateAccessEntry');
    }
    expect(samples.length).toBeGreaterThan(2);
    for (const args of [[], fluxArgs]) {
      const verdicts = (await judge(kstatus, args, samples.map((sample) => sample.object))).map((verdict) => verdict.status);
      expect(verdicts[0]).toBe('InProgress');
      expect(verdicts.at(-1)).toBe('Current');
      const firstCurrent = verdicts.indexOf('Current');
      expect(verdicts.slice(0, firstCurrent).every((status) => status === 'InProgress')).toBe(true);
      // The entry was in EKS before the first sample that read Current was taken.
      expect(samples[firstCurrent]?.inEks).toBe(true);
    }
  });
});

describe('the Flux examples in deploy/examples/gitops', () => {
  it('wait on the AccessEntries they apply, after the controller, with the identity the guardrails judge', async () => {
    const docs = await manifests('flux-kustomization.yaml');
    const kustomizations = docs.filter((m) => m.apiVersion === 'kustomize.toolkit.fluxcd.io/v1' && m.kind === 'Kustomization');
    expect(kustomizations.map((k) => k.metadata.name)).toEqual(['platform-access', 'payments-access']);
    const [waiting, checking] = kustomizations as [Manifest, Manifest];
    expect(waiting.spec).toMatchObject({ wait: true, prune: true, dependsOn: [{ name: 'eks-access-entry-controller' }], serviceAccountName: 'platform-access' });
    // Each team applies as its own ServiceAccount, which the guardrails know by name.
    expect(checking.spec).toMatchObject({ serviceAccountName: 'payments-access', commonMetadata: { labels: { 'eksaccess.dev/tenant': 'payments' } } });
    // With wait: true Flux ignores healthChecks: only the other one names entries.
    expect(waiting.spec.healthChecks).toBeUndefined();
    expect(checking.spec.healthChecks).toEqual([
      { apiVersion: API_GROUP_VERSION, kind: KIND, name: 'payments-developers' },
      { apiVersion: API_GROUP_VERSION, kind: KIND, name: 'payments-ci' },
    ]);
    const sources = docs.filter((m) => m.kind === 'GitRepository').map((m) => m.metadata.name);
    for (const k of kustomizations) expect(sources).toContain((k.spec.sourceRef as { name: string }).name);
    expect(docs.filter((m) => m.kind === 'ServiceAccount').map((m) => m.metadata)).toEqual([
      { name: 'platform-access', namespace: 'flux-system' },
      { name: 'payments-access', namespace: 'flux-system' },
    ]);
  });

  it('install the chart of this repository with its CRDs replaced on upgrade, and values the chart accepts', async () => {
    const docs = await manifests('flux-helmrelease.yaml');
    const release = docs.find((m) => m.apiVersion === 'helm.toolkit.fluxcd.io/v2' && m.kind === 'HelmRelease');
    expect(release?.metadata.name).toBe('eks-access-entry-controller'); // what flux-kustomization.yaml dependsOn
    expect(release?.spec).toMatchObject({ install: { crds: 'Create' }, upgrade: { crds: 'CreateReplace' } });
    const chartPath = (release?.spec.chart as { spec: { chart: string } }).spec.chart;
    const chartDir = fileURLToPath(new URL(`../../${chartPath}/`, import.meta.url));
    expect(await readFile(`${chartDir}Chart.yaml`, 'utf8')).toMatch(/^name: eks-access-entry-controller$/m);
    const schema = JSON.parse(await readFile(`${chartDir}values.schema.json`, 'utf8')) as JsonSchema;
    expect(unknownKeys(release?.spec.values, schema)).toEqual([]);
    expect(release?.spec.values).toMatchObject({ region: expect.stringMatching(/^[a-z]{2}-[a-z]+-\d$/) });
  });
});

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
}

/** The keys of `values` (dotted paths) that the chart's values.schema.json does not declare. */
function unknownKeys(values: unknown, schema: JsonSchema, path = ''): string[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return [];
  return Object.entries(values).flatMap(([key, value]) => {
    const child = schema.properties?.[key];
    if (child) return unknownKeys(value, child, `${path}${key}.`);
    return schema.additionalProperties === false ? [`${path}${key}`] : [];
  });
}
