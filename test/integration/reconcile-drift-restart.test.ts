// Drift made outside Git is corrected on resync; steady state writes nothing; a restart loses
// nothing and creates nothing twice.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_VERSION, PLURAL } from '../../src/api/names.ts';
import { uniqueName, waitFor } from '../testenv/kube.ts';
import { CLUSTER, Harness, role } from './support/harness.ts';

const RESYNC_MS = 1_000;
const createsOf = (principal: string) =>
  h.emulator.calls.log().filter((call) => call.operation === 'CreateAccessEntry' && call.principalArn === principal);
let h: Harness;
beforeAll(async () => {
  h = await Harness.start({ resync: RESYNC_MS });
});
afterAll(async () => {
  await h?.close();
});

describe('drift and restarts', () => {
  it('puts back groups and username changed in EKS outside the controller', async () => {
    const name = uniqueName('drift');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['dev'], username: 'dev-user' });
    await h.waitForReady(name);
    h.emulator.state.editAccessEntry(CLUSTER, principal, { kubernetesGroups: ['cluster-admins'], username: 'intruder' });
    await waitFor(() => (h.entry(principal)?.username === 'dev-user' ? true : undefined), { description: 'drift corrected', timeoutMs: 15_000 });
    expect(h.entry(principal)?.kubernetesGroups).toEqual(['dev']);
  });

  it('resets a username changed outside Git while spec.username is unset, with a Warning, and then leaves EKS\'s default alone', async () => {
    const name = uniqueName('who');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['dev'] });
    const ready = await h.waitForReady(name);
    const assigned = h.entry(principal)?.username;
    expect(ready.status?.assignedUsername).toBe(assigned);

    // Someone with eks:UpdateAccessEntry re-points the principal at a user RBAC trusts more.
    h.emulator.state.editAccessEntry(CLUSTER, principal, { username: 'ops-admin' });
    await waitFor(() => (h.entry(principal)?.username === assigned ? true : undefined), { description: 'username reset', timeoutMs: 15_000 });
    const warning = await waitFor(async () => (await h.events(name)).find((event) => event.reason === 'DriftCorrected'), {
      description: 'a DriftCorrected Event',
    });
    expect(warning).toMatchObject({ type: 'Warning', message: expect.stringContaining("username reset to EKS's default") });
    expect(h.entry(principal)?.kubernetesGroups).toEqual(['dev']);

    // Reset once, then steady: EKS's own answer is what later resyncs compare with.
    const updates = () => h.emulator.calls.log().filter((call) => call.operation === 'UpdateAccessEntry' && call.principalArn === principal).length;
    const after = updates();
    await sleep(RESYNC_MS * 3.5);
    expect(updates()).toBe(after);
    expect((await h.get(name))?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('re-creates an entry deleted outside the controller', async () => {
    const name = uniqueName('gone');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal });
    const first = (await h.waitForReady(name)).status?.accessEntryArn;
    h.emulator.state.removeAccessEntry(CLUSTER, principal);
    const recreated = await waitFor(
      async () => {
        const arn = (await h.get(name))?.status?.accessEntryArn;
        return arn && arn !== first && h.entry(principal) ? arn : undefined;
      },
      { description: 'entry re-created', timeoutMs: 15_000 },
    );
    expect(h.entry(principal)?.accessEntryArn).toBe(recreated);
  });

  it('in steady state re-checks EKS on resync but writes nothing to EKS or Kubernetes', async () => {
    const name = uniqueName('steady');
    await h.create(name, { clusterName: CLUSTER, principalArn: role(name), kubernetesGroups: ['x'], tags: { a: 'b' } });
    await h.waitForReady(name);
    await sleep(RESYNC_MS * 1.5); // let the status write's own watch event settle
    const before = await h.get(name);
    const describes = h.emulator.calls.count('DescribeAccessEntry');
    const writes = h.emulator.calls.writes();

    await sleep(RESYNC_MS * 3.5);
    expect(h.emulator.calls.count('DescribeAccessEntry')).toBeGreaterThan(describes);
    expect(h.emulator.calls.writes()).toBe(writes);
    expect((await h.get(name))?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it('after a restart creates nothing twice and finishes what was left', async () => {
    const names = Array.from({ length: 12 }, (_, i) => uniqueName(`restart-${i}`));
    h.emulator.faults.setLatency(150, 'CreateAccessEntry');
    await Promise.all(names.map((name) => h.create(name, { clusterName: CLUSTER, principalArn: role(name), kubernetesGroups: ['g'] })));
    await waitFor(() => (h.emulator.calls.count('CreateAccessEntry') > 0 ? true : undefined), { description: 'first creates', timeoutMs: 10_000 });
    await h.stopController();
    h.emulator.faults.setLatency(0, 'CreateAccessEntry');
    await h.startController();

    const ready = await Promise.all(names.map((name) => h.waitForReady(name)));
    for (const [i, name] of names.entries()) {
      // Any create repeated across the restart was the same request (a replay), and the entry in
      // status is the one EKS holds.
      const creates = createsOf(role(name));
      expect(creates.length).toBeGreaterThanOrEqual(1);
      expect(new Set(creates.map((call) => call.clientRequestToken)).size).toBe(1);
      expect(ready[i]?.status?.accessEntryArn).toBe(h.entry(role(name))?.accessEntryArn);
    }
  });

  it('after a crash between create and status write, adopts its own entry instead of duplicating it', async () => {
    const name = uniqueName('crash');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, tags: { k: 'v' } });
    await h.waitForReady(name);
    await h.stopController();
    // What a crash right after CreateAccessEntry leaves behind: the entry, but no status.
    await h.kc.makeApiClient(CustomObjectsApi).patchClusterCustomObjectStatus(
      { group: API_GROUP, version: API_VERSION, plural: PLURAL, name, body: { status: null } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const arn = h.entry(principal)?.accessEntryArn;
    await h.startController();

    const ready = await h.waitForReady(name);
    expect(ready.status?.accessEntryArn).toBe(arn);
    expect(h.entry(principal)?.accessEntryArn).toBe(arn);
    // The retried create replayed the first one's token, and EKS answered with the first entry.
    const creates = createsOf(principal);
    expect(creates.map((call) => call.status)).toEqual([200, 200]);
    expect(creates[1]?.clientRequestToken).toBe(creates[0]?.clientRequestToken);
  });
});
