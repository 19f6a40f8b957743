// The request budget sits on the EKS client itself: tested with the real SDK (its retries
// included) against the emulator over HTTP.
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { startTestBed } from '../emulator/test-support.ts';
import { AwsClients } from './clients.ts';
import { RateLimiters } from './rate-limiter.ts';

describe('the request budget on EKS clients', () => {
  it('takes a token for every attempt, and a throttle the SDK retried still lowers the rate', async () => {
    const bed = await startTestBed();
    bed.fresh();
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    const limiters = new RateLimiters({ requestsPerSecond: 10, burst: 10 });
    const waits: number[] = [];
    const clients = new AwsClients({
      eksEndpoint: bed.emulator.endpoint,
      maxAttempts: 3,
      requestTimeoutMs: 5_000,
      sessionName: 'test',
      budget: { limiters, waited: (seconds) => waits.push(seconds) },
    });
    const target = { region: 'us-east-1' };
    try {
      bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'ThrottlingException', count: 1 });
      const out = await clients.eks(target).send(new DescribeClusterCommand({ name: 'demo' }));
      expect(out.cluster?.name).toBe('demo');
      expect(bed.emulator.calls.count('DescribeCluster'), 'the throttled attempt and its retry').toBe(2);
      expect(waits, 'one token per attempt').toHaveLength(2);
      expect(limiters.for(clients.budgetKey(target))!.rate).toBeLessThan(10);
    } finally {
      clients.destroy();
      await bed.close();
    }
  });

  it('puts nothing on the clients when the budget is off', async () => {
    const bed = await startTestBed();
    bed.fresh();
    const waits: number[] = [];
    const clients = new AwsClients({
      eksEndpoint: bed.emulator.endpoint,
      maxAttempts: 1,
      requestTimeoutMs: 5_000,
      sessionName: 'test',
      budget: { limiters: new RateLimiters({ requestsPerSecond: 0, burst: 1 }), waited: (seconds) => waits.push(seconds) },
    });
    try {
      await clients.eks({ region: 'us-east-1' }).send(new DescribeClusterCommand({ name: 'demo' }));
      expect(waits).toEqual([]);
    } finally {
      clients.destroy();
      await bed.close();
    }
  });
});
