// The AWS request budget: many resources applied at once queue in the controller instead of
// storming EKS with throttled calls. (How fast it converges is measured by npm run bench.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../testenv/kube.ts';
import { CLUSTER, Harness, role } from './support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
  await h.stopController();
  await h.startController({ concurrency: 16, awsRateLimit: { requestsPerSecond: 20, burst: 5 } });
});
afterAll(async () => {
  h?.emulator.faults.setRateLimit(undefined);
  await h?.close();
});

describe('the AWS request budget', () => {
  it('keeps a burst of new entries under an EKS rate limit it shares, with few throttles, and all converge', async () => {
    // EKS allows 25 requests per second here; the controller budgets 20 for itself.
    h.emulator.faults.setRateLimit({ requestsPerSecond: 25, burst: 5 });
    const names = Array.from({ length: 60 }, (_, i) => uniqueName(`budget-${i}`));
    await Promise.all(names.map((name) => h.create(name, { clusterName: CLUSTER, principalArn: role(name) })));
    await Promise.all(names.map((name) => h.waitForReady(name, 60_000)));
    const { calls } = h.emulator;
    const throttled = calls.countResult('ThrottlingException');
    const answered = Object.values(calls.outcomes()).reduce((sum, byResult) => sum + Object.values(byResult ?? {}).reduce((a, b) => a + b, 0), 0);
    expect(answered).toBeGreaterThanOrEqual(names.length);
    expect(throttled).toBeLessThanOrEqual(Math.ceil(answered * 0.05));
  });

  it('without a budget, the same burst is throttled by EKS', async () => {
    await h.stopController();
    await h.startController({ concurrency: 16, awsRateLimit: { requestsPerSecond: 0, burst: 1 } });
    h.emulator.calls.reset();
    const names = Array.from({ length: 60 }, (_, i) => uniqueName(`storm-${i}`));
    await Promise.all(names.map((name) => h.create(name, { clusterName: CLUSTER, principalArn: role(name) })));
    await Promise.all(names.map((name) => h.waitForReady(name, 60_000)));
    expect(h.emulator.calls.countResult('ThrottlingException')).toBeGreaterThan(5);
  });
});
