// A call whose response is lost is retried without doing its work twice: the case the derived
// clientRequestToken exists for, and the one the emulator's LoseResponse fault reproduces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../testenv/kube.ts';
import { CLUSTER, Harness, role } from './support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h?.close();
});

const callsOf = (operation: string, principal: string) =>
  h.emulator.calls.log().filter((call) => call.operation === operation && call.principalArn === principal);

describe('a lost response', () => {
  it('of a create is retried with the same token and yields the first entry, once', async () => {
    const name = uniqueName('lost-create');
    const principal = role(name);
    h.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'LoseResponse', principalArn: principal, count: 1 });
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['dev'] });
    const ready = await h.waitForReady(name);

    const creates = callsOf('CreateAccessEntry', principal);
    expect(creates.map((call) => [call.fault, call.status])).toEqual([
      ['LoseResponse', 0],
      [undefined, 200],
    ]);
    expect(creates[1]?.clientRequestToken).toBe(creates[0]?.clientRequestToken);
    expect(ready.status?.accessEntryArn).toBe(h.entry(principal)?.accessEntryArn);
    expect((await h.events(name)).filter((event) => event.reason === 'Created')).toHaveLength(1);
  });

  it('of an update is retried until EKS holds the spec', async () => {
    const name = uniqueName('lost-update');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['a'] });
    await h.waitForReady(name);
    h.emulator.faults.add({ operation: 'UpdateAccessEntry', fault: 'LoseResponse', principalArn: principal, count: 1 });
    await h.patchSpec(name, { kubernetesGroups: ['b'] });
    await h.waitForReady(name);
    expect(h.entry(principal)?.kubernetesGroups).toEqual(['b']);
    expect(callsOf('UpdateAccessEntry', principal).map((call) => call.fault)).toEqual(['LoseResponse']);
  });

  it('of a delete lets the finalizer go once EKS says the entry is gone', async () => {
    const name = uniqueName('lost-delete');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal });
    await h.waitForReady(name);
    h.emulator.faults.add({ operation: 'DeleteAccessEntry', fault: 'LoseResponse', principalArn: principal, count: 1 });
    await h.delete(name);
    await h.waitForGone(name);
    expect(h.entry(principal)).toBeUndefined();
    expect(callsOf('DeleteAccessEntry', principal)).toHaveLength(1);
    expect(callsOf('DescribeAccessEntry', principal).at(-1)?.error).toBe('ResourceNotFoundException');
  });
});
