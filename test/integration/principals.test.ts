// Principals that change under an entry: a role deleted and created again under the same ARN (EKS
// bound the entry to the old id, so every login is refused) is healed, or reported; a role that is
// gone is reported and never deleted for; a principal of another account is not checked. The
// emulator's authenticator says what EKS would answer at sign-in, before and after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_POLICY_ARN_RESOURCE_PREFIX } from '../../src/api/names.ts';
import { EventReason, Reason } from '../../src/api/reasons.ts';
import { uniqueName, waitFor } from '../testenv/kube.ts';
import { ACCOUNT, CLUSTER, Harness } from './support/harness.ts';

const VIEW = `arn:aws:${ACCESS_POLICY_ARN_RESOURCE_PREFIX}AmazonEKSViewPolicy`;
const OTHER_ACCOUNT = '444444444444';

let h: Harness;
beforeAll(async () => {
  // A resync longer than any test: IAM is read again when a reconcile is asked for, or at a restart.
  h = await Harness.start({ resync: 10 * 60_000, stalledRetry: 500 });
});
afterAll(async () => {
  await h?.close();
});

const authenticate = async (principalArn: string): Promise<{ allowed: boolean; groups?: string[]; policies?: { policyArn: string }[]; reason?: string }> => {
  const response = await fetch(`${h.emulator.endpoint}/_emulator/authenticate?cluster=${CLUSTER}&principalArn=${encodeURIComponent(principalArn)}`);
  return (await response.json()) as { allowed: boolean };
};
const callsFor = (principalArn: string, operation: string) => h.emulator.calls.log().filter((call) => call.operation === operation && call.principalArn === principalArn);
const recreateRole = (name: string): string => {
  h.emulator.state.iam.deleteRole(name);
  return h.emulator.state.iam.createRole({ roleName: name }).roleId;
};
/** Makes the controller look again now, IAM included, as `kubectl annotate ... reconcile-requested-at=...` does. */
const askForReconcile = (name: string) => h.patchMetadata(name, { annotations: { 'eksaccess.dev/reconcile-requested-at': new Date().toISOString() } });
const eventsOf = async (name: string, reason: string) => (await h.events(name)).filter((event) => event.reason === reason);

describe('a principal deleted and created again under the same ARN', () => {
  it('is healed: the entry re-created for the new id, with its groups, tags and policies, one Warning, and the authenticator admits again', async () => {
    const name = uniqueName('recreated');
    const first = h.emulator.state.iam.createRole({ roleName: name });
    await h.create(name, {
      clusterName: CLUSTER,
      principalArn: first.arn,
      kubernetesGroups: ['oncall'],
      tags: { team: 'payments' },
      accessPolicies: [{ policy: 'AmazonEKSViewPolicy', accessScope: { type: 'namespace', namespaces: ['payments'] } }],
    });
    const ready = await h.waitForReady(name);
    expect(ready.status).toMatchObject({ principalArn: first.arn, principalId: first.roleId });
    expect(await authenticate(first.arn)).toMatchObject({ allowed: true, groups: ['oncall'] });
    h.emulator.state.editAccessEntry(CLUSTER, first.arn, { tags: { ...h.entry(first.arn)!.tags, 'cost-center': '42' } });

    // A Terraform replace: the role is deleted and made again, the entry stays and lets nobody in.
    await h.stopController();
    const second = recreateRole(name);
    expect(await authenticate(first.arn)).toMatchObject({ allowed: false, reason: expect.stringContaining(`bound to id ${first.roleId}`) });
    await h.startController();

    const healed = await waitFor(async () => {
      const current = await h.get(name);
      return current?.status?.principalId === second && current.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? current : undefined;
    }, { description: 'the entry healed for the new id' });
    expect(await authenticate(first.arn)).toMatchObject({ allowed: true, groups: ['oncall'], policies: [{ policyArn: VIEW }] });
    const entry = h.entry(first.arn)!;
    expect(entry.principalId).toBe(second);
    expect(entry.tags).toMatchObject({ team: 'payments', 'cost-center': '42', 'eksaccess.dev/access-entry': name });
    expect(healed.status?.accessEntryArn).toBe(entry.accessEntryArn);
    const [deleted] = callsFor(first.arn, 'DeleteAccessEntry');
    const [, recreated] = callsFor(first.arn, 'CreateAccessEntry');
    expect(Date.parse(deleted!.time)).toBeLessThanOrEqual(Date.parse(recreated!.time));
    const warnings = await eventsOf(name, EventReason.PrincipalRecreated);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ type: 'Warning', message: expect.stringContaining(`EKS bound the entry to id ${first.roleId}`) });
    expect(warnings[0]!.message).toContain(`created it again for id ${second}`);

    // Healed once: asking again finds it bound, and changes nothing.
    await askForReconcile(name);
    await waitFor(async () => ((await h.get(name))?.status?.lastHandledReconcileAt !== undefined ? true : undefined), { description: 'the request handled' });
    expect(callsFor(first.arn, 'DeleteAccessEntry')).toHaveLength(1);
    expect(await eventsOf(name, EventReason.PrincipalRecreated)).toHaveLength(1);
  });

  it('is reported and left alone with onPrincipalRecreated: Report, and healed once that says Heal', async () => {
    const name = uniqueName('reported');
    const first = h.emulator.state.iam.createRole({ roleName: name });
    await h.create(name, { clusterName: CLUSTER, principalArn: first.arn, kubernetesGroups: ['dev'], onPrincipalRecreated: 'Report' });
    await h.waitForReady(name);
    const second = recreateRole(name);
    await askForReconcile(name);

    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.PrincipalRecreated });
    expect(Harness.message(stalled, 'Ready')).toContain(`IAM's id is now ${second}`);
    expect(Harness.message(stalled, 'Ready')).toContain('set it to Heal');
    expect(callsFor(first.arn, 'DeleteAccessEntry')).toEqual([]);
    expect(callsFor(first.arn, 'CreateAccessEntry')).toHaveLength(1);
    expect(h.entry(first.arn)?.principalId).toBe(first.roleId);
    expect(await authenticate(first.arn)).toMatchObject({ allowed: false });

    await h.patchSpec(name, { onPrincipalRecreated: 'Heal' });
    await waitFor(async () => ((await h.get(name))?.status?.principalId === second ? true : undefined), { description: 'healed after the switch' });
    await h.waitForReady(name);
    expect(await authenticate(first.arn)).toMatchObject({ allowed: true });
  });
});

describe('a principal that no longer exists', () => {
  it('is reported, its entry never deleted; once made again, the entry is re-created for it and Ready', async () => {
    const name = uniqueName('deleted');
    const made = h.emulator.state.iam.createRole({ roleName: name });
    await h.create(name, { clusterName: CLUSTER, principalArn: made.arn, kubernetesGroups: ['dev'] });
    await h.waitForReady(name);
    h.emulator.state.iam.deleteRole(name);
    await askForReconcile(name);

    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.PrincipalNotFound });
    expect(Harness.message(stalled, 'Ready')).toContain(`IAM has no principal ${made.arn}`);
    expect(h.entry(made.arn)?.kubernetesGroups).toEqual(['dev']);
    expect(callsFor(made.arn, 'DeleteAccessEntry')).toEqual([]);
    expect(callsFor(made.arn, 'UpdateAccessEntry')).toEqual([]);

    const again = h.emulator.state.iam.createRole({ roleName: name }).roleId;
    const ready = await h.waitForReady(name);
    expect(ready.status?.principalId).toBe(again);
    expect(await authenticate(made.arn)).toMatchObject({ allowed: true, groups: ['dev'] });
  });
});

describe('principals IAM is not asked about', () => {
  it('a principal of another account than the cluster is not checked, and the Ready message says so once, without a status write after', async () => {
    const name = uniqueName('foreign');
    const principal = `arn:aws:iam::${OTHER_ACCOUNT}:role/${name}`;
    await h.create(name, { clusterName: CLUSTER, principalArn: principal });
    const ready = await h.waitForReady(name);
    expect(Harness.message(ready, 'Ready')).toContain(`its principal is not checked in IAM: the principal belongs to account ${OTHER_ACCOUNT}`);
    expect(ready.status?.principalId).toBeUndefined();
    expect(h.emulator.calls.log().filter((call) => call.operation === 'GetRole' && call.roleName === name)).toEqual([]);
  });

  it('an entry made before ids were recorded, whose role was made again since, is claimed and healed in one pass when adopted', async () => {
    const name = uniqueName('legacy');
    const legacy = h.emulator.state.iam.createRole({ roleName: name });
    h.emulator.state.seedAccessEntry(CLUSTER, { principalArn: legacy.arn, kubernetesGroups: ['legacy'] });
    // IAM dates principals to the second: the new role must be dated after the entry.
    await waitFor(() => (Math.floor(Date.now() / 1000) * 1000 > h.entry(legacy.arn)!.createdAt.getTime() ? true : undefined), { description: 'the next second' });
    const second = recreateRole(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: legacy.arn, kubernetesGroups: ['legacy'], adoptExisting: true });
    const ready = await waitFor(async () => {
      const current = await h.get(name);
      return current?.status?.principalId === second && current.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? current : undefined;
    }, { description: 'adopted, then healed' });
    expect(ready.status?.adopted).toBe(true);
    expect(await authenticate(legacy.arn)).toMatchObject({ allowed: true, groups: ['legacy'] });
    // Still adopted in EKS: deleting the AccessEntry hands the entry back rather than deleting it.
    expect(h.entry(legacy.arn)?.tags['eksaccess.dev/adopted']).toBe('true');
    expect(ACCOUNT).toBe(legacy.accountId);
  });
});
