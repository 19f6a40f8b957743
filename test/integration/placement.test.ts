// Where an entry lives: the region and account recorded when it was made are kept, whatever the
// controller's default region or credentials later say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINALIZER } from '../../src/api/names.ts';
import { Reason } from '../../src/api/reasons.ts';
import { uniqueName } from '../testenv/kube.ts';
import { ACCOUNT, CLUSTER, Harness, REGION, role } from './support/harness.ts';

const OTHER_REGION = 'eu-west-1';
const OTHER_ACCOUNT = '210987654321';
const OTHER_ACCOUNT_KEY = 'other-account-key';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start({ stalledRetry: 500 });
  // Both places hold a cluster of the same name, so a controller looking in the wrong one
  // would find a cluster to create entries in, or nothing to delete.
  h.emulator.state.createCluster(CLUSTER, { region: OTHER_REGION, authenticationMode: 'API' });
  h.emulator.state.createCluster(CLUSTER, { accountId: OTHER_ACCOUNT, authenticationMode: 'API' });
  h.emulator.state.setAccountForAccessKey(OTHER_ACCOUNT_KEY, OTHER_ACCOUNT);
});
afterAll(async () => {
  await h?.close();
});

describe('the region an entry lives in', () => {
  it('is recorded, and a changed default region stalls the resource instead of re-creating the entry there', async () => {
    const pinned = uniqueName('pinned');
    const deleted = uniqueName('deleted');
    await h.create(pinned, { clusterName: CLUSTER, principalArn: role(pinned) });
    await h.create(deleted, { clusterName: CLUSTER, principalArn: role(deleted) });
    const ready = await h.waitForReady(pinned);
    await h.waitForReady(deleted);
    expect(ready.status).toMatchObject({ region: REGION, accountId: ACCOUNT });

    await h.stopController();
    await h.startController({ region: OTHER_REGION });
    const stalled = await h.waitForCondition(pinned, 'Stalled', { status: 'True', reason: Reason.RegionMismatch });
    expect(Harness.message(stalled, 'Stalled')).toContain(`Set spec.region: ${REGION}`);
    expect(h.emulator.state.listAccessEntries(CLUSTER, { region: OTHER_REGION })).toEqual([]);

    // Deleting it still removes the entry where it lives.
    await h.delete(deleted);
    await h.waitForGone(deleted);
    expect(h.entry(role(deleted))).toBeUndefined();

    // Pinning the region in the spec takes the resource back to Ready, in its own region.
    await h.patchSpec(pinned, { region: REGION });
    const again = await h.waitForReady(pinned);
    expect(again.status?.accessEntryArn).toBe(ready.status?.accessEntryArn);
    expect(h.emulator.state.listAccessEntries(CLUSTER, { region: OTHER_REGION })).toEqual([]);
    await h.stopController();
    await h.startController();
  });

  it("checks a principal's partition against the default region when the spec names none", async () => {
    const name = uniqueName('china');
    await h.create(name, { clusterName: CLUSTER, principalArn: `arn:aws-cn:iam::${ACCOUNT}:role/${name}` });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.PartitionMismatch });
    expect(Harness.message(stalled, 'Stalled')).toContain(`the controller's default region (--region) ${REGION}`);
    expect(Harness.message(stalled, 'Stalled')).toContain('set spec.region');
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
      expect(Harness.message(stalled, 'Stalled')).toContain(`belong to account ${OTHER_ACCOUNT}`);
      await h.delete(name);
      const terminating = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.AccountMismatch });
      expect(terminating.metadata.deletionTimestamp).toBeDefined();
      expect(terminating.metadata.finalizers).toContain(FINALIZER);
      expect(Harness.message(terminating, 'Stalled')).toContain('finalizer stays');
      expect(h.entry(principal)).toBeDefined();
      expect(h.emulator.state.listAccessEntries(CLUSTER, { accountId: OTHER_ACCOUNT })).toEqual([]);
    } finally {
      await h.stopController();
      process.env.AWS_ACCESS_KEY_ID = ownKey;
    }
    await h.startController();
    await h.waitForGone(name);
    expect(h.entry(principal)).toBeUndefined();
  });
});
