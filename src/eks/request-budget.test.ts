// The request budget sits on the EKS client itself: tested with the real SDK (its retries
// included) against the emulator over HTTP.
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { startTestBed } from '../emulator/test-support.ts';
import { AwsClients } from './clients.ts';
import { RateLimiters } from './rate-limiter.ts';

/** Clients on the emulator with a budget of `requestsPerSecond` (0: off), recording each wait. */
function budgetedClients(endpoint: string, requestsPerSecond: number, maxAttempts: number): { clients: AwsClients; limiters: RateLimiters; waits: number[]; throttles: { count: number } } {
  const limiters = new RateLimiters({ requestsPerSecond, burst: 10 });
  const waits: number[] = [];
  const throttles = { count: 0 };
  const budget = { limiters, waited: (seconds: number) => waits.push(seconds), throttled: () => throttles.count++ };
  const clients = new AwsClients({ eksEndpoint: endpoint, maxAttempts, requestTimeoutMs: 5_000, sessionName: 'test', budget });
  return { clients, limiters, waits, throttles };
}

describe('the request budget on EKS clients', () => {
  it('takes a token for every attempt, and a throttle the SDK retried still lowers the rate', async () => {
    const bed = await startTestBed();
    bed.fresh();
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    const { clients, limiters, waits, throttles } = budgetedClients(bed.emulator.endpoint, 10, 3);
    const target = { region: 'us-east-1' };
    try {
      bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'ThrottlingException', count: 1 });
      const out = await clients.eks(target).send(new DescribeClusterCommand({ name: 'demo' }));
      expect(out.cluster?.name).toBe('demo');
      expect(bed.emulator.calls.count('DescribeCluster'), 'the throttled attempt and its retry').toBe(2);
      expect(waits, 'one token per attempt').toHaveLength(2);
      expect(throttles.count, 'the throttle is counted though the call succeeded').toBe(1);
      expect(limiters.for(clients.budgetKey(target))!.rate).toBeLessThan(10);
    } finally {
      clients.destroy();
      await bed.close();
    }
  });

  it('makes no attempt wait when the limit is off, and still counts throttles', async () => {
    const bed = await startTestBed();
    bed.fresh();
    const { clients, waits, throttles } = budgetedClients(bed.emulator.endpoint, 0, 1);
    try {
      bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'ThrottlingException', count: 1 });
      await expect(clients.eks({ region: 'us-east-1' }).send(new DescribeClusterCommand({ name: 'demo' }))).rejects.toThrow();
      await clients.eks({ region: 'us-east-1' }).send(new DescribeClusterCommand({ name: 'demo' }));
      expect(waits).toEqual([]);
      expect(throttles.count).toBe(1);
    } finally {
      clients.destroy();
      await bed.close();
    }
  });
});
