// `eks-access-entries plan` end to end, as its own process, against the emulator and the real test
// API server: a directory of mixed changes is planned, then applied for the controller to carry out;
// what the controller then calls in EKS must be, resource by resource, what the plan said. Once it
// has converged, a second plan says there is nothing to do.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AccessEntry } from '../../src/api/accessentry.ts';
import { API_GROUP_VERSION, KIND, MANAGED_BY_TAG, OWNER_TAG } from '../../src/api/names.ts';
import { Reason } from '../../src/api/reasons.ts';
import type { PlanReport, ResourcePlan } from '../../src/cli/plan/model.ts';
import { controllerIdFor } from '../../src/kube/controller-id.ts';
import { kubectl, uniqueName } from '../testenv/kube.ts';
import { runCli, ROOT, type CliRun } from './support/cli.ts';
import { attributeWrites, normaliseComment, PLAN_READ_OPERATIONS } from './support/plan-world.ts';
import { Harness, role } from './support/harness.ts';

const SELECTOR_LABEL = 'test.eksaccess.dev/run';
const COMMENT_FIXTURE = join(ROOT, 'test/integration/fixtures/cli/plan-comment.md');

let h: Harness;
let dir: string;
let controllerId: string;
const cluster = uniqueName('prod');
const legacy = uniqueName('legacy');
const name = {
  created: uniqueName('new-team'),
  updated: uniqueName('payments'),
  kept: uniqueName('kept'),
  adopted: uniqueName('handmade'),
  theirs: uniqueName('theirs'),
  legacy: uniqueName('legacy-team'),
  invalid: uniqueName('invalid'),
  pruned: uniqueName('former-team'),
  handedBack: uniqueName('borrowed'),
};
const principal = (key: keyof typeof name): string => role(`plan/${key}`);

const doc = (key: keyof typeof name, spec: Partial<AccessEntry['spec']>): AccessEntry => ({
  apiVersion: API_GROUP_VERSION,
  kind: KIND,
  metadata: { name: name[key], labels: { [SELECTOR_LABEL]: h.runLabel } },
  spec: { clusterName: cluster, principalArn: principal(key), ...spec },
});

const liveSpecs = {
  updated: {
    kubernetesGroups: ['a', 'b'],
    username: 'payments-user',
    tags: { team: 'a', old: 'x' },
    accessPolicies: [
      { policy: 'AmazonEKSViewPolicy', accessScope: { type: 'namespace' as const, namespaces: ['payments'] } },
      { policy: 'AmazonEKSAdminPolicy', accessScope: { type: 'namespace' as const, namespaces: ['payments-admin'] } },
    ],
  },
  kept: { kubernetesGroups: ['viewers'] },
  pruned: { kubernetesGroups: ['former'] },
  handedBack: { adoptExisting: true },
};

async function writeFiles(): Promise<void> {
  const files: Record<string, unknown[]> = {
    'teams/new-team.yaml': [doc('created', { kubernetesGroups: ['devs'], accessPolicies: [{ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'cluster' } }] })],
    // Every field changes: groups, username, tags (one changed, one removed), a policy re-scoped, one added, one removed.
    'teams/payments.yaml': [
      doc('updated', {
        kubernetesGroups: ['a', 'c'],
        username: 'payments-deployer',
        tags: { team: 'b' },
        accessPolicies: [
          { policy: 'AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces: ['payments', 'payments-staging'] } },
          { policy: 'AmazonEKSEditPolicy', accessScope: { type: 'namespace', namespaces: ['payments'] } },
        ],
      }),
    ],
    'teams/settings.yaml': [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-an-access-entry' }, data: {} }],
    'teams/kept.yaml': [doc('kept', liveSpecs.kept)],
    'adopted/handmade.yaml': [doc('adopted', { adoptExisting: true, kubernetesGroups: ['ops'] })],
    'blocked/theirs.yaml': [doc('theirs', {})],
    'blocked/legacy.yaml': [doc('legacy', { clusterName: legacy })],
    'blocked/invalid.yaml': [doc('invalid', { kubernetesGroups: ['system:masters'] })],
    'kustomization.yaml': [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['teams', 'adopted', 'blocked'] }],
  };
  for (const [path, docs] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), docs.map((item) => dump(item)).join('---\n'));
  }
}

const planArgs = (...extra: string[]): string[] => ['plan', '-f', dir, '--prune', '--kubeconfig', inject('kubeconfigPath'), '--region', 'us-east-1', ...extra];
const byName = (report: PlanReport): Record<string, ResourcePlan> => Object.fromEntries(report.resources.map((plan) => [plan.name, plan]));

beforeAll(async () => {
  const namespace = await new Harness().kc.makeApiClient(CoreV1Api).readNamespace({ name: 'kube-system' });
  controllerId = controllerIdFor(namespace.metadata!.uid!);
  // The controller's id is the one it derives from the management cluster, as plan derives it.
  h = await Harness.start({ controllerId });
  // One reconcile at a time, so each tag call in the log follows the Describe of its own entry.
  await h.stopController();
  await h.startController({ concurrency: 1 });
  const state = h.emulator.state;
  state.createCluster(cluster, { authenticationMode: 'API_AND_CONFIG_MAP' });
  state.createCluster(legacy, { authenticationMode: 'CONFIG_MAP' });
  state.seedAccessEntry(cluster, { principalArn: principal('adopted'), kubernetesGroups: [] });
  state.seedAccessEntry(cluster, { principalArn: principal('handedBack'), kubernetesGroups: ['borrowed'] });
  state.seedAccessEntry(cluster, { principalArn: principal('theirs'), tags: { [MANAGED_BY_TAG]: 'eks-access-entry-controller-fedcba987654', [OWNER_TAG]: 'theirs' } });
  for (const key of ['updated', 'kept', 'pruned', 'handedBack'] as const) {
    await h.create(name[key], { clusterName: cluster, principalArn: principal(key), ...liveSpecs[key] });
  }
  for (const key of ['updated', 'kept', 'pruned', 'handedBack'] as const) await h.waitForReady(name[key]);
  dir = await mkdtemp(join(tmpdir(), 'eaec-plan-'));
  await writeFiles();
}, 120_000);

afterAll(async () => {
  await kubectl(['delete', 'accessentries', ...Object.values(name), '--ignore-not-found', '--wait=false']);
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('plan, then the controller', () => {
  let first: CliRun;
  let report: PlanReport;
  let comment: CliRun;
  let server: PlanReport;

  beforeAll(async () => {
    h.emulator.calls.reset();
    first = await runCli(planArgs('-o', 'json'), { endpoint: h.emulator.endpoint });
    report = JSON.parse(first.stdout) as PlanReport;
    comment = await runCli(planArgs('-o', 'markdown'), { endpoint: h.emulator.endpoint });
    server = JSON.parse((await runCli(planArgs('-o', 'json', '--server-dry-run'), { endpoint: h.emulator.endpoint })).stdout) as PlanReport;
  }, 120_000);

  it('plans the same with --server-dry-run, the API server judging each document (and storing nothing)', async () => {
    expect(server.validation).toBe('server-dry-run');
    const strip = (r: PlanReport) => r.resources.map(({ name: n, action, reason, calls, issues }) => ({ n, action, reason, calls, issues }));
    expect(strip(server)).toEqual(strip(report));
    expect(await h.get(name.created)).toBeUndefined();
  });

  it('says what it would do, resource by resource, with the reason of each blocked one; an invalid document makes it exit 1', () => {
    expect(first.code, first.stderr).toBe(1);
    const plans = byName(report);
    expect(Object.fromEntries(Object.entries(name).map(([key, value]) => [key, plans[value]?.action]))).toEqual({
      created: 'create', updated: 'update', kept: 'none', adopted: 'adopt', theirs: 'blocked', legacy: 'blocked', invalid: 'blocked', pruned: 'delete', handedBack: 'delete',
    });
    expect(plans[name.theirs]).toMatchObject({ reason: Reason.NotOwned, message: expect.stringContaining('eks-access-entry-controller-fedcba987654') as string });
    expect(plans[name.legacy]).toMatchObject({ reason: Reason.AuthenticationModeConfigMap });
    expect(plans[name.invalid]).toMatchObject({ reason: 'Invalid', issues: [expect.stringMatching(/^spec\.kubernetesGroups\[0\]: Invalid value: "system:masters"/)] });
    expect(plans[name.handedBack]).toMatchObject({ calls: ['UntagResource'], message: expect.stringContaining('existed before this AccessEntry adopted it') as string });
    expect(report.controllerId).toBe(controllerId);
    expect(report.skipped).toEqual({ total: 2, byKind: { ConfigMap: 1, kustomization: 1 } });
  });

  it('shows every field of an update: groups, username, tags, each policy and its scope, grants and removals marked', () => {
    const changes = byName(report)[name.updated]?.changes;
    expect(changes).toEqual(
      expect.arrayContaining([
        { field: 'kubernetesGroups', action: 'add', item: 'c', effect: 'grant' },
        { field: 'kubernetesGroups', action: 'remove', item: 'b', effect: 'revoke' },
        { field: 'username', action: 'change', before: 'payments-user', after: 'payments-deployer' },
        { field: 'tags', action: 'change', item: 'team', before: 'a', after: 'b' },
        { field: 'tags', action: 'remove', item: 'old', before: 'x' },
        expect.objectContaining({ field: 'accessPolicies', action: 'change', item: expect.stringContaining('AmazonEKSViewPolicy') as string, effect: 'grant' }),
        expect.objectContaining({ field: 'accessPolicies', action: 'add', item: expect.stringContaining('AmazonEKSEditPolicy') as string, effect: 'grant' }),
        expect.objectContaining({ field: 'accessPolicies', action: 'remove', item: expect.stringContaining('AmazonEKSAdminPolicy') as string, effect: 'revoke' }),
      ]),
    );
  });

  it('only reads: no write reached EKS, and every call is one the read-only IAM policy allows', () => {
    expect(h.emulator.calls.writes()).toBe(0);
    const operations = new Set(h.emulator.calls.log().map((call) => call.operation));
    expect([...operations].filter((operation) => !PLAN_READ_OPERATIONS.has(operation))).toEqual([]);
    expect(h.emulator.calls.log().every((call) => call.userAgent?.includes('eks-access-entries/'))).toBe(true);
  });

  it('writes the pull-request comment the README shows (test/integration/fixtures/cli/plan-comment.md)', async () => {
    expect(comment.code).toBe(1);
    const normalised = normaliseComment(comment.stdout, controllerId);
    if (process.env.UPDATE_PLAN_COMMENT === '1') await writeFile(COMMENT_FIXTURE, normalised);
    expect(normalised).toBe(await readFile(COMMENT_FIXTURE, 'utf8'));
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(normalised.trim());
  });

  it('matches, resource by resource, the EKS writes the controller makes once the files are applied and pruned', async () => {
    const refused = await kubectl(['create', '-f', join(dir, 'blocked/invalid.yaml')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('kubernetesGroups must not start with "system:"');
    await rm(join(dir, 'blocked/invalid.yaml'));
    h.emulator.calls.reset();
    // As a GitOps tool that owns the objects applies them: each file is the whole object (server-side
    // apply by another field manager would keep fields the first one set, which plan does not model).
    const files = { create: ['teams/new-team.yaml', 'adopted/handmade.yaml', 'blocked/theirs.yaml', 'blocked/legacy.yaml'], replace: ['teams/payments.yaml', 'teams/kept.yaml'] };
    for (const [verb, paths] of Object.entries(files)) {
      for (const path of paths) {
        const applied = await kubectl([verb, '-f', join(dir, path)]);
        expect(applied.code, applied.stderr).toBe(0);
      }
    }
    await kubectl(['delete', 'accessentry', name.pruned, name.handedBack, '--wait=false']);
    for (const key of ['created', 'updated', 'kept', 'adopted'] as const) await h.waitForReady(name[key]);
    await h.waitForCondition(name.theirs, 'Stalled', { status: 'True', reason: Reason.NotOwned });
    await h.waitForCondition(name.legacy, 'Stalled', { status: 'True', reason: Reason.AuthenticationModeConfigMap });
    await h.waitForGone(name.pruned);
    await h.waitForGone(name.handedBack);

    const made = attributeWrites(h.emulator.calls.log());
    const planned = report.resources.filter((plan) => plan.name !== name.invalid);
    expect(Object.fromEntries(planned.map((plan) => [plan.name, made.get(plan.principalArn) ?? []]))).toEqual(
      Object.fromEntries(planned.map((plan) => [plan.name, plan.calls])),
    );
    expect(h.entry(principal('handedBack'), cluster)?.tags).toEqual({});
    expect(h.entry(principal('pruned'), cluster)).toBeUndefined();
  }, 120_000);

  it('says "no changes" with exit 0 once the controller has converged', async () => {
    h.emulator.calls.reset();
    const second = await runCli(planArgs(), { endpoint: h.emulator.endpoint });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/Plan: 2 blocked, 4 unchanged\./);
    const json = JSON.parse((await runCli(planArgs('-o', 'json'), { endpoint: h.emulator.endpoint })).stdout) as PlanReport;
    expect(json.resources.filter((plan) => plan.calls.length > 0)).toEqual([]);
    // The controller still retries its Stalled resources beside: only the command line's calls are plan's.
    const plans = h.emulator.calls.log().filter((call) => call.userAgent?.includes('eks-access-entries/'));
    expect(plans.length).toBeGreaterThan(0);
    expect(plans.filter((call) => !PLAN_READ_OPERATIONS.has(call.operation))).toEqual([]);
  }, 60_000);
});
