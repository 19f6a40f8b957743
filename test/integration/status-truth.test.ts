// A status that tells the truth about the generation it describes, written from what the
// controller last wrote (never a stale copy), with messages that hold still between retries.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, MANAGED_BY_TAG, OWNER_TAG, RECONCILE_REQUESTED_ANNOTATION } from '../../src/api/names.ts';
import { Reason } from '../../src/api/reasons.ts';
import { kubectl, uniqueName, waitFor } from '../testenv/kube.ts';
import { CLUSTER, Harness, role, user } from './support/harness.ts';
import { serviceAccountKubeconfig } from './support/service-account.ts';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start({ stalledRetry: 500 });
});
afterAll(async () => {
  await h?.close();
});

const condition = (obj: Awaited<ReturnType<Harness['get']>>, type: string) => obj?.status?.conditions?.find((c) => c.type === type);

describe('every new generation', () => {
  it('says Reconciling, with the new observedGeneration, before its first EKS call', async () => {
    const name = uniqueName('generation');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['a'] });
    await h.waitForReady(name);
    h.emulator.faults.setLatency(1_500, 'UpdateAccessEntry');
    try {
      const updates = h.emulator.calls.count('UpdateAccessEntry');
      await h.patchSpec(name, { kubernetesGroups: ['b'] });
      const reconciling = await h.waitForCondition(name, 'Reconciling', { status: 'True', reason: Reason.Progressing }, 5_000);
      expect(condition(reconciling, 'Ready')).toMatchObject({ status: 'Unknown', observedGeneration: 2 });
      expect(reconciling.status?.observedGeneration).toBe(2);
      // The edit has not reached EKS yet: nobody could read this Ready as the new generation's.
      expect(h.entry(principal)?.kubernetesGroups).toEqual(['a']);
      const table = await kubectl(['get', 'accessentry', name, '--no-headers']);
      expect(table.stdout).toMatch(/\sUnknown\s+Progressing\s/);
      await h.waitForReady(name);
      expect(h.emulator.calls.count('UpdateAccessEntry')).toBe(updates + 1);
    } finally {
      h.emulator.faults.setLatency(0, 'UpdateAccessEntry');
    }
  });
});

describe('an edit made while a reconcile runs', () => {
  it('is reconciled from what the controller wrote: one create, one Created event, no orphaned tag', async () => {
    const name = uniqueName('midway');
    const principal = role(name);
    h.emulator.faults.setLatency(1_000, 'CreateAccessEntry');
    try {
      await h.create(name, { clusterName: CLUSTER, principalArn: principal, tags: { keep: '1', drop: '1' } });
      await waitFor(() => (h.emulator.calls.log().some((c) => c.operation === 'CreateAccessEntry' && c.principalArn === principal) ? true : undefined), {
        description: 'the create to reach EKS',
      });
      await h.patchSpec(name, { tags: { keep: '1', drop: null, add: '1' } });
      await waitFor(async () => ((await h.get(name))?.metadata.generation === 2 ? true : undefined), { description: 'generation 2' });
    } finally {
      h.emulator.faults.setLatency(0, 'CreateAccessEntry');
    }
    await h.waitForReady(name);
    expect(h.entry(principal)?.tags).toEqual({ keep: '1', add: '1', [MANAGED_BY_TAG]: 'it-controller', [OWNER_TAG]: name });
    expect(h.emulator.calls.log().filter((c) => c.operation === 'CreateAccessEntry' && c.principalArn === principal)).toHaveLength(1);
    expect((await h.events(name)).filter((e) => e.reason === 'Created')).toHaveLength(1);
  });
});

describe('a username removed from the spec', () => {
  it('goes back to the EKS default, while one never set is never touched', async () => {
    const name = uniqueName('username');
    const principal = user(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, username: 'alice' });
    expect((await h.waitForReady(name)).status?.managedUsername).toBe('alice');
    expect(h.entry(principal)?.username).toBe('alice');
    await h.patchSpec(name, { username: null });
    await waitFor(() => (h.entry(principal)?.username === principal ? true : undefined), { description: 'the default username' });
    const ready = await h.waitForReady(name);
    expect(ready.status).toMatchObject({ username: principal });
    expect(ready.status?.managedUsername).toBeUndefined();
  });
});

describe('a manual re-check', () => {
  it('re-checks the entry against EKS at once when the annotation changes, and says so in status', async () => {
    const name = uniqueName('recheck');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['dev'] });
    await h.waitForReady(name);
    h.emulator.state.editAccessEntry(CLUSTER, principal, { kubernetesGroups: ['cluster-admins'] });
    await sleep(500);
    expect(h.entry(principal)?.kubernetesGroups).toEqual(['cluster-admins']); // the resync is a minute away

    const requestedAt = new Date().toISOString();
    await h.patchMetadata(name, { annotations: { [RECONCILE_REQUESTED_ANNOTATION]: requestedAt } });
    const handled = await waitFor(async () => {
      const obj = await h.get(name);
      return obj?.status?.lastHandledReconcileAt === requestedAt ? obj : undefined;
    }, { description: 'the request to be handled', timeoutMs: 10_000 });
    expect(condition(handled, 'Ready')?.status).toBe('True');
    expect(h.entry(principal)?.kubernetesGroups).toEqual(['dev']);
  });
});

describe('failures', () => {
  it('keep their backoff: the status write of a failure does not trigger the next attempt', async () => {
    await h.stopController();
    await h.startController({ retryBaseMs: 3_000, retryMaxMs: 6_000 });
    const name = uniqueName('backoff');
    const principal = role(name);
    const fault = h.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'ServerException', principalArn: principal });
    try {
      await h.create(name, { clusterName: CLUSTER, principalArn: principal });
      await h.waitForCondition(name, 'Reconciling', { status: 'True', reason: Reason.AwsServerError });
      await sleep(1_500);
      const creates = h.emulator.calls.log().filter((c) => c.operation === 'CreateAccessEntry' && c.principalArn === principal);
      expect(creates).toHaveLength(1);
    } finally {
      h.emulator.faults.remove(fault);
      await h.stopController();
      await h.startController();
    }
    await h.waitForReady(name);
  });

  it('credentials AWS refuses are Stalled with the fix, and recover once fixed', async () => {
    const name = uniqueName('expired');
    const principal = role(name);
    const fault = h.emulator.faults.add({ operation: '*', fault: 'ExpiredTokenException', principalArn: principal });
    await h.create(name, { clusterName: CLUSTER, principalArn: principal });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.InvalidAwsCredentials });
    expect(Harness.message(stalled, 'Stalled')).toContain('credentials have expired');
    h.emulator.faults.remove(fault);
    await h.waitForReady(name);
  });

  it('from the Kubernetes API give one status write and one Event, however often they repeat', async () => {
    const namespace = uniqueName('limited');
    const accountName = 'controller';
    const roleName = uniqueName('no-finalizers');
    const core = h.kc.makeApiClient(CoreV1Api);
    const rbac = h.kc.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: accountName } } });
    // Everything the controller needs except patching AccessEntries, so its finalizer write fails.
    await rbac.createClusterRole({
      body: {
        metadata: { name: roleName },
        rules: [
          { apiGroups: [API_GROUP], resources: ['accessentries'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: [API_GROUP], resources: ['accessentries/status'], verbs: ['patch'] },
          { apiGroups: [API_GROUP], resources: ['clusteraccesses'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: [''], resources: ['events'], verbs: ['create'] },
        ],
      },
    });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: roleName },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
        subjects: [{ kind: 'ServiceAccount', name: accountName, namespace }],
      },
    });
    const dir = await mkdtemp(join(tmpdir(), 'eaec-limited-'));
    await h.stopController(); // the limited controller alone reconciles this one
    try {
      const limited = await serviceAccountKubeconfig(h.kc, namespace, accountName, join(dir, 'kubeconfig'));
      await h.startOtherController({ controllerId: 'limited', stalledRetryMs: 200 }, { limited: 'yes' }, limited);
      const name = uniqueName('forbidden');
      await h.create(name, { clusterName: CLUSTER, principalArn: role(name) }, { limited: 'yes' });
      const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.KubernetesApiError });
      expect(Harness.message(stalled, 'Stalled')).toMatch(/^write finalizers of AccessEntry \S+: 403 Forbidden .*RBAC/);
      expect(Harness.message(stalled, 'Stalled')).not.toMatch(/audit-id|Headers/i);

      await sleep(2_000); // about ten stalled retries
      const later = await h.get(name);
      expect(later?.metadata.resourceVersion).toBe(stalled.metadata.resourceVersion);
      expect((await h.events(name)).filter((e) => e.reason === 'Failed')).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await h.startController();
      await Promise.allSettled([rbac.deleteClusterRoleBinding({ name: roleName }), rbac.deleteClusterRole({ name: roleName })]);
    }
  });
});
