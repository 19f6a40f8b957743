// Terminal errors give Stalled with a message that says what to fix, and clear once fixed;
// outages and throttling are ridden out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reason } from '../../src/api/reasons.ts';
import { uniqueName, waitFor } from '../testenv/kube.ts';
import { CLUSTER, Harness, role } from './support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start({ stalledRetry: 500 });
});
afterAll(async () => {
  await h?.close();
});

const createsOf = (principal: string) =>
  h.emulator.calls.log().filter((call) => call.operation === 'CreateAccessEntry' && call.principalArn === principal);

function stalledMessage(obj: Awaited<ReturnType<Harness['waitForCondition']>>): string {
  return obj.status?.conditions?.find((c) => c.type === 'Stalled')?.message ?? '';
}

describe('failures', () => {
  it('explains a CONFIG_MAP-only cluster, and converges once the cluster is switched', async () => {
    const cluster = uniqueName('legacy');
    h.emulator.state.createCluster(cluster, { authenticationMode: 'CONFIG_MAP' });
    const name = uniqueName('cfgmap');
    await h.create(name, { clusterName: cluster, principalArn: role(name) });

    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.AuthenticationModeConfigMap });
    expect(stalledMessage(stalled)).toMatch(/API_AND_CONFIG_MAP/);
    h.emulator.state.setAuthenticationMode(cluster, 'API_AND_CONFIG_MAP');
    await h.waitForReady(name);
    expect(h.entry(role(name), cluster)).toBeDefined();
  });

  it('reports a missing cluster as Stalled and converges when it appears', async () => {
    const cluster = uniqueName('later');
    const name = uniqueName('nocluster');
    await h.create(name, { clusterName: cluster, principalArn: role(name) });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.ClusterNotFound });
    expect(stalledMessage(stalled)).toContain(cluster);
    h.emulator.state.createCluster(cluster, { authenticationMode: 'API' });
    await h.waitForReady(name);
  });

  it('names the missing IAM action on AccessDenied and recovers when granted', async () => {
    const name = uniqueName('denied');
    const principal = role(name);
    const fault = h.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'AccessDeniedException', principalArn: principal, rate: 1 });
    await h.create(name, { clusterName: CLUSTER, principalArn: principal });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.AccessDenied });
    expect(stalledMessage(stalled)).toContain('eks:CreateAccessEntry');
    h.emulator.faults.remove(fault);
    await h.waitForReady(name);
  });

  it('reports the access-entry quota and recovers when room is made', async () => {
    const cluster = uniqueName('full');
    h.emulator.state.createCluster(cluster, { authenticationMode: 'API' });
    h.emulator.state.seedAccessEntry(cluster, { principalArn: role('occupant') });
    h.emulator.state.setEntryQuota(1);
    const name = uniqueName('quota');
    try {
      await h.create(name, { clusterName: cluster, principalArn: role(name) });
      await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.QuotaExceeded });
      h.emulator.state.removeAccessEntry(cluster, role('occupant'));
      await h.waitForReady(name);
    } finally {
      h.emulator.state.setEntryQuota(3000);
    }
  });

  it('stalls on a parameter EKS refuses once the principal grace has passed', async () => {
    const name = uniqueName('invalid');
    const principal = role(name);
    const fault = h.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'InvalidParameterException', principalArn: principal, rate: 1, message: 'principal not found' });
    await h.create(name, { clusterName: CLUSTER, principalArn: principal });
    const stalled = await h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.InvalidParameter });
    expect(stalledMessage(stalled)).toContain('principal not found');
    h.emulator.faults.remove(fault);
    await h.waitForReady(name);
  });

  it('rides out an EKS outage and throttling, showing Reconciling meanwhile, then converges', async () => {
    const name = uniqueName('outage');
    const principal = role(name);
    const outage = h.emulator.faults.add({ operation: '*', fault: 'ServerException', principalArn: principal, rate: 1 });
    await h.create(name, { clusterName: CLUSTER, principalArn: principal });
    await h.waitForCondition(name, 'Reconciling', { status: 'True', reason: Reason.AwsServerError });
    h.emulator.faults.remove(outage);
    const throttle = h.emulator.faults.add({ operation: '*', fault: 'ThrottlingException', principalArn: principal, count: 3 });
    const ready = await h.waitForReady(name);
    h.emulator.faults.remove(throttle);
    // Every attempt was the same request, and exactly one was answered with an entry: the one in status.
    const creates = createsOf(principal);
    expect(new Set(creates.map((call) => call.clientRequestToken)).size).toBe(1);
    expect(creates.filter((call) => call.status === 200)).toHaveLength(1);
    expect(ready.status?.accessEntryArn).toBe(h.entry(principal)?.accessEntryArn);
  });

  it('rides out dropped connections and timeouts', async () => {
    const name = uniqueName('flaky');
    const principal = role(name);
    h.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'DropConnection', principalArn: principal, count: 1 });
    h.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'Timeout', principalArn: principal, count: 1 });
    await h.create(name, { clusterName: CLUSTER, principalArn: principal });
    const ready = await h.waitForReady(name, 30_000);
    expect(createsOf(principal).map((call) => [call.fault, call.status])).toEqual([
      ['DropConnection', 0],
      ['Timeout', 0],
      [undefined, 200],
    ]);
    expect(new Set(createsOf(principal).map((call) => call.clientRequestToken)).size).toBe(1);
    expect(ready.status?.accessEntryArn).toBe(h.entry(principal)?.accessEntryArn);
  });

  it('fails liveness while a reconcile has been running for minutes, naming the resource, and passes once it ends', async () => {
    const name = uniqueName('stuck');
    const inSixMinutes = (): number => Date.now() + 6 * 60_000;
    h.emulator.faults.setLatency(1_500, 'CreateAccessEntry');
    try {
      await h.create(name, { clusterName: CLUSTER, principalArn: role(name) });
      // Seen from six minutes on, the reconcile now waiting on CreateAccessEntry is stuck.
      const reason = await waitFor(
        () => {
          const verdict = h.controller!.health(inSixMinutes());
          return verdict.ok ? undefined : verdict.reason;
        },
        { description: 'liveness to fail over the reconcile in flight' },
      );
      expect(reason).toMatch(new RegExp(`reconcile of AccessEntry ${name} has been running for 3\\d\\d s`));
      expect(h.controller!.health().ok).toBe(true);
    } finally {
      h.emulator.faults.setLatency(0, 'CreateAccessEntry');
    }
    await h.waitForReady(name);
    // Ready is written inside the reconcile, so the watch can show it a moment before the
    // reconcile returns; from then on the verdict must be healthy, whatever the clock says.
    await waitFor(() => (h.controller!.health(inSixMinutes()).ok ? true : undefined), { description: 'liveness to pass once the reconcile ended' });
    expect(h.controller!.health(inSixMinutes())).toEqual({ ok: true });
  });
});
