// Where an entry lives: the region and account recorded when it was made choose where it is
// reconciled and deleted, whatever the controller's default region or the ClusterAccesses later
// say; where a new entry goes is never the controller's own account by a fallback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINALIZER } from '../../src/api/names.ts';
import { Reason } from '../../src/api/reasons.ts';
import { uniqueName } from '../testenv/kube.ts';
import { ClusterAccesses } from './support/cluster-accesses.ts';
import { ACCOUNT, CLUSTER, Harness, REGION, role } from './support/harness.ts';

const OTHER_REGION = 'eu-west-1';
const OTHER_ACCOUNT = '210987654321';
const OTHER_ACCOUNT_KEY = 'other-account-key';
const REMOTE_ACCOUNT = '222222222222';
const REMOTE_ROLE = `arn:aws:iam::${REMOTE_ACCOUNT}:role/eks-access-entry-controller`;

let h: Harness;
let accesses: ClusterAccesses;
beforeAll(async () => {
  h = await Harness.start({ stalledRetry: 500 });
  accesses = new ClusterAccesses(h.kc);
  // Both places hold a cluster of the same name, so a controller looking in the wrong one
  // would find a cluster to create entries in, or nothing to delete.
  h.emulator.state.createCluster(CLUSTER, { region: OTHER_REGION, authenticationMode: 'API' });
  h.emulator.state.createCluster(CLUSTER, { accountId: OTHER_ACCOUNT, authenticationMode: 'API' });
  h.emulator.state.setAccountForAccessKey(OTHER_ACCOUNT_KEY, OTHER_ACCOUNT);
  h.emulator.state.setRoleTrust(REMOTE_ROLE, { allowedCallers: [ACCOUNT] });
});
afterAll(async () => {
  await accesses?.deleteAll();
  await h?.close();
});

/** Writes that reached EKS for a principal, as the emulator's call log has them. */
const writesFor = (principal: string) => h.emulator.calls.log().filter((call) => call.principalArn === principal && call.operation !== 'DescribeAccessEntry');

describe('the region an entry lives in', () => {
  it('is recorded; a changed default region applies to new entries only, and edits and deletes still reach the old ones', async () => {
    const kept = uniqueName('kept');
    const deleted = uniqueName('deleted');
    await h.create(kept, { clusterName: CLUSTER, principalArn: role(kept), kubernetesGroups: ['a'] });
    await h.create(deleted, { clusterName: CLUSTER, principalArn: role(deleted) });
    const ready = await h.waitForReady(kept);
    await h.waitForReady(deleted);
    expect(ready.status).toMatchObject({ region: REGION, accountId: ACCOUNT });

    await h.stopController();
    await h.startController({ region: OTHER_REGION });
    try {
      await h.patchSpec(kept, { kubernetesGroups: ['b'] });
      const edited = await h.waitForReady(kept);
      expect(edited.status?.accessEntryArn).toBe(ready.status?.accessEntryArn);
      expect(h.entry(role(kept))?.kubernetesGroups).toEqual(['b']);
      expect(h.emulator.state.getAccessEntry(CLUSTER, role(kept), { region: OTHER_REGION })).toBeUndefined();

      await h.delete(deleted);
      await h.waitForGone(deleted);
      expect(h.entry(role(deleted))).toBeUndefined();

      const fresh = uniqueName('fresh');
      await h.create(fresh, { clusterName: CLUSTER, principalArn: role(fresh) });
      expect((await h.waitForReady(fresh)).status?.region).toBe(OTHER_REGION);
    } finally {
      await h.stopController();
      await h.startController();
    }
  });

  it('is a mismatch only when spec.region names another region, and that never stops the entry from being revoked', async () => {
    const name = uniqueName('pinned');
    await h.create(name, { clusterName: CLUSTER, principalArn: role(name) });
    await h.waitForReady(name);
    await h.patchSpec(name, { region: OTHER_REGION });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.RegionMismatch });
    expect(Harness.message(stalled, 'Stalled')).toContain(`lives in ${REGION}`);
    expect(h.emulator.state.getAccessEntry(CLUSTER, role(name), { region: OTHER_REGION })).toBeUndefined();

    await h.delete(name);
    await h.waitForGone(name);
    expect(h.entry(role(name))).toBeUndefined();
  });

  it("checks a principal's partition against the default region when the spec names none", async () => {
    const name = uniqueName('china');
    await h.create(name, { clusterName: CLUSTER, principalArn: `arn:aws-cn:iam::${ACCOUNT}:role/${name}` });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.PartitionMismatch });
    expect(Harness.message(stalled, 'Stalled')).toContain(`the controller's default region (--region) ${REGION}`);
    expect(Harness.message(stalled, 'Stalled')).toContain('set spec.region');
  });
});

describe('ClusterAccesses added later', () => {
  it('leave existing entries where they live: a second region of the same cluster name neither stalls nor strands them', async () => {
    const cluster = uniqueName('fleet');
    h.emulator.state.createCluster(cluster, { authenticationMode: 'API' });
    h.emulator.state.createCluster(cluster, { region: OTHER_REGION, authenticationMode: 'API' });
    const [kept, revoked] = [uniqueName('kept'), uniqueName('revoked')];
    await h.create(kept, { clusterName: cluster, principalArn: role(kept), kubernetesGroups: ['a'] });
    await h.create(revoked, { clusterName: cluster, principalArn: role(revoked) });
    await Promise.all([h.waitForReady(kept), h.waitForReady(revoked)]);

    // An ordinary multi-region fleet: both regions get a ClusterAccess.
    await accesses.create(uniqueName('fleet-us'), { clusterName: cluster, region: REGION });
    await accesses.create(uniqueName('fleet-eu'), { clusterName: cluster, region: OTHER_REGION });
    await h.patchSpec(kept, { kubernetesGroups: ['b'] });
    await h.waitForReady(kept);
    expect(h.emulator.state.getAccessEntry(cluster, role(kept))?.kubernetesGroups).toEqual(['b']);

    await h.delete(revoked);
    await h.waitForGone(revoked);
    expect(h.emulator.state.getAccessEntry(cluster, role(revoked))).toBeUndefined();
  });

  it('with a role of another account, do not take over entries the controller made with its own credentials', async () => {
    const cluster = uniqueName('own');
    h.emulator.state.createCluster(cluster, { authenticationMode: 'API' });
    const name = uniqueName('own-entry');
    await h.create(name, { clusterName: cluster, principalArn: role(name) });
    await h.waitForReady(name);
    await accesses.create(uniqueName('own-remote'), { clusterName: cluster, region: REGION, roleArn: REMOTE_ROLE });

    await h.patchSpec(name, { kubernetesGroups: ['after'] });
    await h.waitForReady(name);
    await h.delete(name);
    await h.waitForGone(name);
    expect(h.emulator.state.getAccessEntry(cluster, role(name))).toBeUndefined();
    // Every write went with the controller's own credentials, in the account the entry lives in.
    expect(writesFor(role(name)).map((call) => [call.operation, call.accountId, call.assumedRole])).toEqual([
      ['CreateAccessEntry', ACCOUNT, undefined],
      ['UpdateAccessEntry', ACCOUNT, undefined],
      ['DeleteAccessEntry', ACCOUNT, undefined],
    ]);
  });
});

describe('a new entry of a cluster that ClusterAccesses name (confused deputy)', () => {
  it('never reaches a cluster of the same name in the controller’s own account through spec.region', async () => {
    const cluster = uniqueName('dev');
    // The team's cluster lives in another account; the management account has one of that name too.
    h.emulator.state.createCluster(cluster, { region: OTHER_REGION, accountId: REMOTE_ACCOUNT, authenticationMode: 'API' });
    h.emulator.state.createCluster(cluster, { authenticationMode: 'API' });
    const access = uniqueName('dev-access');
    await accesses.create(access, { clusterName: cluster, region: OTHER_REGION, roleArn: REMOTE_ROLE });

    const name = uniqueName('deputy');
    await h.create(name, { clusterName: cluster, principalArn: role(name), region: REGION });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.NoClusterAccess });
    expect(Harness.message(stalled, 'Stalled')).toContain(`${access} (${OTHER_REGION})`);
    expect(writesFor(role(name))).toEqual([]);
    expect(h.emulator.state.listAccessEntries(cluster)).toEqual([]);

    // Without spec.region it goes through the ClusterAccess, to the cluster it names.
    const routed = uniqueName('routed');
    const principal = `arn:aws:iam::${REMOTE_ACCOUNT}:role/${routed}`;
    await h.create(routed, { clusterName: cluster, principalArn: principal });
    expect((await h.waitForReady(routed)).status).toMatchObject({ region: OTHER_REGION, accountId: REMOTE_ACCOUNT });
  });

  it('with --require-cluster-access, never uses the controller’s own credentials at all', async () => {
    const cluster = uniqueName('unmapped');
    h.emulator.state.createCluster(cluster, { authenticationMode: 'API' });
    await h.stopController();
    await h.startController({ requireClusterAccess: true });
    try {
      const name = uniqueName('strict');
      await h.create(name, { clusterName: cluster, principalArn: role(name) });
      const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.NoClusterAccess });
      expect(Harness.message(stalled, 'Stalled')).toContain('--require-cluster-access');
      expect(writesFor(role(name))).toEqual([]);
    } finally {
      await h.stopController();
      await h.startController();
    }
  });
});

describe('the account an entry lives in', () => {
  it('is never searched with credentials of another account: deletion waits, and completes with the right ones', async () => {
    const name = uniqueName('account');
    const principal = role(name);
    await h.create(name, { clusterName: CLUSTER, principalArn: principal });
    await h.waitForReady(name);
    await h.stopController();

    const ownKey = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = OTHER_ACCOUNT_KEY;
    try {
      await h.startController();
      const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.AccountMismatch });
      expect(Harness.message(stalled, 'Stalled')).toContain(`add a ClusterAccess for account ${ACCOUNT}`);
      // The controller's own account is not told to whoever may read the resource's Events.
      expect(Harness.message(stalled, 'Stalled')).not.toContain(OTHER_ACCOUNT);
      await h.delete(name);
      const terminating = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.AccountMismatch });
      expect(terminating.metadata.deletionTimestamp).toBeDefined();
      expect(terminating.metadata.finalizers).toContain(FINALIZER);
      expect(Harness.message(terminating, 'Stalled')).toContain('finalizer stays');
      expect(h.entry(principal)).toBeDefined();
      expect(h.emulator.state.listAccessEntries(CLUSTER, { accountId: OTHER_ACCOUNT })).toEqual([]);
      expect((await h.events(name)).map((event) => event.message).join('\n')).not.toContain(OTHER_ACCOUNT);
    } finally {
      await h.stopController();
      process.env.AWS_ACCESS_KEY_ID = ownKey;
    }
    await h.startController();
    await h.waitForGone(name);
    expect(h.entry(principal)).toBeUndefined();
  });
});
