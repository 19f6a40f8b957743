// Entries the controller did not create are never touched unless adoption is asked for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGED_BY_TAG, OWNER_TAG } from '../../src/api/names.ts';
import { Reason } from '../../src/api/reasons.ts';
import { uniqueName } from '../testenv/kube.ts';
import { CLUSTER, Harness, role } from './support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h?.close();
});

function seedForeignEntry(principal: string): void {
  h.emulator.state.seedAccessEntry(CLUSTER, { principalArn: principal, kubernetesGroups: ['ops'], username: 'ops-admin', tags: { owner: 'platform' } });
}

describe('ownership', () => {
  it('leaves an existing entry it did not create alone, reports it, and keeps it on deletion', async () => {
    const name = uniqueName('foreign');
    const principal = role(name);
    seedForeignEntry(principal);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['dev'] });

    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.NotOwned });
    expect(stalled.status?.conditions?.find((c) => c.type === 'Stalled')?.message).toMatch(/adoptExisting/);
    expect(h.entry(principal)).toMatchObject({ kubernetesGroups: ['ops'], username: 'ops-admin', tags: { owner: 'platform' } });

    await h.delete(name);
    await h.waitForGone(name);
    expect(h.entry(principal)).toMatchObject({ kubernetesGroups: ['ops'] });
  });

  it('adopts an existing entry when asked, then manages it', async () => {
    const name = uniqueName('adopt');
    const principal = role(name);
    seedForeignEntry(principal);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['dev'], adoptExisting: true });

    const ready = await h.waitForReady(name);
    expect(ready.status?.adopted).toBe(true);
    expect(h.entry(principal)).toMatchObject({
      kubernetesGroups: ['dev'],
      username: 'ops-admin',
      tags: { owner: 'platform', [MANAGED_BY_TAG]: 'it-controller' },
    });
  });

  it('recovers from Stalled as soon as adoption is allowed', async () => {
    const name = uniqueName('later');
    const principal = role(name);
    seedForeignEntry(principal);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal });
    await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.NotOwned });
    await h.patchSpec(name, { adoptExisting: true });
    await h.waitForReady(name);
  });

  it('tells two resources declaring the same principal apart instead of letting them fight', async () => {
    const first = uniqueName('first');
    const second = uniqueName('second');
    const principal = role(first);
    await h.create(first, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['a'] });
    await h.waitForReady(first);
    await h.create(second, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['b'], adoptExisting: true });

    const stalled = await h.waitForCondition(second, 'Stalled', { status: 'True', reason: Reason.NotOwned });
    expect(stalled.status?.conditions?.find((c) => c.type === 'Stalled')?.message).toContain(first);
    expect(h.entry(principal)?.kubernetesGroups).toEqual(['a']);
  });

  it('never adopts an entry of another type, and writes nothing on it', async () => {
    const name = uniqueName('nodes');
    const principal = role(name);
    h.emulator.state.seedAccessEntry(CLUSTER, { principalArn: principal, kubernetesGroups: ['cluster-admins'] });
    const writes = h.emulator.calls.writes();
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, type: 'EC2_LINUX', adoptExisting: true });

    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.TypeMismatch });
    expect(Harness.message(stalled, 'Stalled')).toContain('STANDARD access entry');
    expect(stalled.status?.adopted).toBeUndefined();
    expect(h.entry(principal)).toMatchObject({ type: 'STANDARD', kubernetesGroups: ['cluster-admins'], tags: {} });
    // One create, which conflicted; no tag, update or delete call.
    expect(h.emulator.calls.writes()).toBe(writes + 1);
  });

  it('hands an entry back on Retain: a new resource of the same name must ask to adopt it', async () => {
    const name = uniqueName('handback');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['a'], tags: { team: 'x' }, deletionPolicy: 'Retain' });
    const first = await h.waitForReady(name);
    await h.delete(name);
    await h.waitForGone(name);
    expect(h.entry(principal)?.tags).toEqual({ team: 'x' });

    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['b'] });
    await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.NotOwned });
    expect(h.entry(principal)?.kubernetesGroups).toEqual(['a']);
    await h.patchSpec(name, { adoptExisting: true });
    const adopted = await h.waitForReady(name);
    expect(adopted.status).toMatchObject({ adopted: true, accessEntryArn: first.status?.accessEntryArn });
    expect(h.entry(principal)).toMatchObject({ kubernetesGroups: ['b'], tags: { [MANAGED_BY_TAG]: 'it-controller', [OWNER_TAG]: name } });
  });

  it('never names an AccessEntry that no longer exists, and lets an entry it left behind be adopted', async () => {
    const name = uniqueName('heir');
    const principal = role(name);
    const gone = uniqueName('gone');
    h.emulator.state.seedAccessEntry(CLUSTER, { principalArn: principal, tags: { [MANAGED_BY_TAG]: 'it-controller', [OWNER_TAG]: gone } });
    await h.create(name, { clusterName: CLUSTER, principalArn: principal });

    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.NotOwned });
    expect(Harness.message(stalled, 'Stalled')).toContain(`AccessEntry ${gone}, which no longer exists`);
    expect(Harness.message(stalled, 'Stalled')).toContain('adoptExisting');
    await h.patchSpec(name, { adoptExisting: true });
    await h.waitForReady(name);
    expect(h.entry(principal)?.tags[OWNER_TAG]).toBe(name);
  });
});
