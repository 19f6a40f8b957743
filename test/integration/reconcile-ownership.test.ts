// Entries the controller did not create are never touched unless adoption is asked for.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADOPTED_TAG, API_GROUP, API_VERSION, MANAGED_BY_TAG, OWNER_TAG, PLURAL, RECONCILE_REQUESTED_ANNOTATION } from '../../src/api/names.ts';
import { Reason } from '../../src/api/reasons.ts';
import { uniqueName, waitFor } from '../testenv/kube.ts';
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

  it('takes nothing from a status: a forged status.accessEntryArn does not make an untagged entry its own', async () => {
    const name = uniqueName('forged');
    const principal = role(name);
    const foreign = h.emulator.state.seedAccessEntry(CLUSTER, { principalArn: principal, kubernetesGroups: ['ops'] });
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['dev'] });
    await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.NotOwned });
    const writes = h.emulator.calls.writes();

    // Whoever may write the status subresource records the foreign entry as this resource's.
    await h.kc.makeApiClient(CustomObjectsApi).patchClusterCustomObjectStatus(
      { group: API_GROUP, version: API_VERSION, plural: PLURAL, name, body: { status: { accessEntryArn: foreign.accessEntryArn } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await h.patchMetadata(name, { annotations: { [RECONCILE_REQUESTED_ANNOTATION]: 'forged-1' } });
    await waitFor(async () => ((await h.get(name))?.status?.lastHandledReconcileAt === 'forged-1' ? true : undefined), { description: 'the re-check' });
    expect((await h.get(name))?.status?.conditions?.find((c) => c.type === 'Stalled')?.reason).toBe(Reason.NotOwned);
    expect(h.entry(principal)).toMatchObject({ kubernetesGroups: ['ops'], tags: {} });
    expect(h.emulator.calls.writes()).toBe(writes);
  });

  it('needs both tags: an entry tagged managed-by this controller but naming no AccessEntry is adopted only on request', async () => {
    const name = uniqueName('unclaimed');
    const principal = role(name);
    h.emulator.state.seedAccessEntry(CLUSTER, { principalArn: principal, kubernetesGroups: ['ops'], tags: { [MANAGED_BY_TAG]: 'it-controller' } });
    const writes = h.emulator.calls.writes();
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['dev'] });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.NotOwned });
    expect(Harness.message(stalled, 'Stalled')).toContain(`tag ${OWNER_TAG} is missing`);
    expect(h.entry(principal)?.kubernetesGroups).toEqual(['ops']);
    // The create that found it taken; nothing after.
    expect(h.emulator.calls.writes()).toBe(writes + 1);
    await h.patchSpec(name, { adoptExisting: true });
    await h.waitForReady(name);
    expect(h.entry(principal)?.tags).toMatchObject({ [OWNER_TAG]: name, [ADOPTED_TAG]: 'true' });
  });

  it('hands back an entry EKS made when the AccessEntry that adopted it is deleted, unless told DeleteEvenIfAdopted', async () => {
    const creator = uniqueName('creator');
    const creatorArn = role(creator);
    // The cluster creator's entry, as EKS makes it: cluster-admin by policy.
    h.emulator.state.seedAccessEntry(CLUSTER, { principalArn: creatorArn });
    h.emulator.state.associatePolicy(CLUSTER, creatorArn, { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster', namespaces: [] } });
    await h.create(creator, { clusterName: CLUSTER, principalArn: creatorArn, kubernetesGroups: ['admins'], adoptExisting: true });
    await h.waitForReady(creator);
    await h.delete(creator);
    await h.waitForGone(creator);
    const kept = h.entry(creatorArn);
    expect(kept).toMatchObject({ kubernetesGroups: ['admins'], tags: {} });
    expect(kept?.associatedPolicies.map((policy) => policy.policyArn)).toEqual([expect.stringContaining('AmazonEKSClusterAdminPolicy')]);
    // The Event follows the finalizer's release.
    const retained = await waitFor(async () => (await h.events(creator)).find((event) => event.reason === 'Retained'), { description: 'a Retained Event' });
    expect(retained.message).toContain('existed before this AccessEntry adopted it');

    const forced = uniqueName('forced');
    h.emulator.state.seedAccessEntry(CLUSTER, { principalArn: role(forced) });
    await h.create(forced, { clusterName: CLUSTER, principalArn: role(forced), adoptExisting: true, deletionPolicy: 'DeleteEvenIfAdopted' });
    await h.waitForReady(forced);
    await h.delete(forced);
    await h.waitForGone(forced);
    expect(h.entry(role(forced))).toBeUndefined();
  });
});
