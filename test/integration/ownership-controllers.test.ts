// Several controllers on one EKS cluster: each keeps to its own entries, the default id is unique
// to its management cluster, and shards of one deployment hand resources over.
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONTROLLER_ID, MANAGED_BY_TAG } from '../../src/api/names.ts';
import { Reason } from '../../src/api/reasons.ts';
import { controllerIdFor } from '../../src/kube/controller-id.ts';
import { uniqueName, waitFor } from '../testenv/kube.ts';
import { CLUSTER, Harness, role } from './support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
  // This file runs its own controllers, each on a slice of the file's resources.
  await h.stopController();
});
afterAll(async () => {
  await h?.close();
});

describe('two controllers sharing an EKS cluster', () => {
  it('never fight over an entry: the second is Stalled naming the first, and makes no EKS writes', async () => {
    await h.startOtherController({ controllerId: 'ctl-a', resyncMs: 500 }, { side: 'a' });
    await h.startOtherController({ controllerId: 'ctl-b', resyncMs: 500, stalledRetryMs: 500 }, { side: 'b' });
    const principal = role(uniqueName('shared'));
    const first = uniqueName('first');
    const second = uniqueName('second');
    await h.create(first, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['a'] }, { side: 'a' });
    await h.waitForReady(first);
    await h.create(second, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['b'], adoptExisting: true }, { side: 'b' });

    const stalled = await h.waitForCondition(second, 'Stalled', { status: 'True', reason: Reason.NotOwned });
    expect(Harness.message(stalled, 'Stalled')).toContain('controller with id ctl-a');
    const writes = h.emulator.calls.writes();
    await sleep(3_000); // several resyncs and stalled retries of both controllers
    expect(h.emulator.calls.writes()).toBe(writes);
    expect(h.entry(principal)).toMatchObject({ kubernetesGroups: ['a'], tags: { [MANAGED_BY_TAG]: 'ctl-a' } });
    expect(stalled.status?.accessEntryArn).toBeUndefined();
  });
});

describe('the default controller id', () => {
  it('is derived from the kube-system namespace UID, and shards sharing it hand a resource over by its labels', async () => {
    const namespace = await h.kc.makeApiClient(CoreV1Api).readNamespace({ name: 'kube-system' });
    const expectedId = controllerIdFor(namespace.metadata!.uid!);
    expect(expectedId).toMatch(new RegExp(`^${DEFAULT_CONTROLLER_ID}-[0-9a-f]{12}$`));
    const shardOne = await h.startOtherController({ controllerId: undefined }, { shard: 'one' });
    const shardTwo = await h.startOtherController({ controllerId: undefined }, { shard: 'two' });
    expect([shardOne.controllerId, shardTwo.controllerId]).toEqual([expectedId, expectedId]);

    const name = uniqueName('sharded');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['g1'] }, { shard: 'one' });
    const ready = await h.waitForReady(name);
    expect(h.entry(principal)?.tags[MANAGED_BY_TAG]).toBe(expectedId);
    const creates = h.emulator.calls.count('CreateAccessEntry');

    await h.patchMetadata(name, { labels: { shard: 'two' } });
    await h.patchSpec(name, { kubernetesGroups: ['g2'] });
    await waitFor(() => (h.entry(principal)?.kubernetesGroups.join() === 'g2' ? true : undefined), { description: 'shard two to apply the edit' });
    const moved = await h.waitForReady(name);
    expect(moved.status?.accessEntryArn).toBe(ready.status?.accessEntryArn);
    expect(h.emulator.calls.count('CreateAccessEntry')).toBe(creates);

    await h.delete(name);
    await h.waitForGone(name);
    expect(h.entry(principal)).toBeUndefined();
  });
});
