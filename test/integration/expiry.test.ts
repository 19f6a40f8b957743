// Access that expires: spec.expiresAt removes the entry at its time, across a controller restart,
// leaves the resource in place, and grants the access again once moved into the future.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reason } from '../../src/api/reasons.ts';
import { kubectl, uniqueName, waitFor } from '../testenv/kube.ts';
import { CLUSTER, Harness, role } from './support/harness.ts';

/** How late after expiresAt the entry may still be in EKS. */
const ACTED_WITHIN_MS = 5_000;

let h: Harness;
beforeAll(async () => {
  // A resync far longer than the test: only the expiry's own timing can remove the entry.
  h = await Harness.start({ resync: 10 * 60_000 });
});
afterAll(async () => {
  await h?.close();
});

describe('spec.expiresAt', () => {
  it('removes the entry within seconds of its time, across a restart, and grants it again when extended', async () => {
    const name = uniqueName('break-glass');
    const principal = role(name);
    const expiresAt = new Date(Date.now() + 8_000);
    // RFC 3339 with whole seconds, as people write it.
    const stamp = `${expiresAt.toISOString().slice(0, 19)}Z`;
    await h.create(name, { clusterName: CLUSTER, principalArn: principal, kubernetesGroups: ['oncall'], expiresAt: stamp });
    await h.waitForReady(name);
    const table = await kubectl(['get', 'accessentry', name]);
    expect(table.stdout).toContain(stamp);

    // The timer of the controller that saw it is gone; the new one must find the time itself.
    await h.stopController();
    await h.startController();

    const expired = await h.waitForCondition(name, 'Ready', { status: 'False', reason: Reason.Expired }, 30_000);
    expect(h.entry(principal)).toBeUndefined();
    expect(expired.status?.accessEntryArn).toBeUndefined();
    expect(expired.metadata.deletionTimestamp).toBeUndefined();
    const deleted = h.emulator.calls.log().find((call) => call.operation === 'DeleteAccessEntry' && call.principalArn === principal);
    const late = Date.parse(deleted!.time) - Date.parse(stamp);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(ACTED_WITHIN_MS);
    expect((await h.events(name)).map((event) => event.reason)).toContain('Expired');

    await h.patchSpec(name, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await h.waitForReady(name);
    expect(h.entry(principal)?.kubernetesGroups).toEqual(['oncall']);
  });

  it('never creates an entry for a time already past', async () => {
    const name = uniqueName('too-late');
    await h.create(name, { clusterName: CLUSTER, principalArn: role(name), expiresAt: '2020-01-01T00:00:00Z' });
    await h.waitForCondition(name, 'Ready', { status: 'False', reason: Reason.Expired });
    expect(h.emulator.calls.log().filter((call) => call.principalArn === role(name) && call.operation === 'CreateAccessEntry')).toEqual([]);
    // Deleting it needs nothing from EKS.
    await h.delete(name);
    await waitFor(async () => ((await h.get(name)) === undefined ? true : undefined), { description: 'the resource gone' });
  });

  it('refuses a time that is not RFC 3339 at admission', async () => {
    const refused = await h.create(uniqueName('when'), { clusterName: CLUSTER, principalArn: role('x'), expiresAt: 'next tuesday' }).then(
      () => 'accepted',
      (err: { body?: string }) => String(err.body),
    );
    expect(refused).toContain('expiresAt');
  });
});
