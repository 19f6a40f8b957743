import { describe, expect, it } from 'vitest';
import { RateLimiters, TokenBucket, type LimiterClock } from './rate-limiter.ts';

/** Time moves only when a waiter sleeps (or the test says so). */
class FakeClock implements LimiterClock {
  t = 0;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t = Math.max(this.t, this.t + ms);
  }
}

describe('TokenBucket', () => {
  it('lets a burst through at once, then spaces requests at the rate, in order', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 10, burst: 3 }, clock);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) waits.push(await bucket.acquire());
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits.slice(3).map(Math.round)).toEqual([100, 100, 100]);
  });

  it('reserves tokens for concurrent callers, so the waits grow in the order they asked', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 10, burst: 1 }, { now: () => clock.now(), sleep: async () => undefined });
    const waits = await Promise.all(Array.from({ length: 4 }, () => bucket.acquire()));
    expect(waits.map(Math.round)).toEqual([0, 100, 200, 300]);
  });

  it('re-queues the requests already waiting when a throttle lowers the rate', async () => {
    const clock = new FakeClock();
    const sleepers: { until: number; wake: () => void }[] = [];
    const bucket = new TokenBucket({ requestsPerSecond: 10, burst: 1 }, {
      now: () => clock.now(),
      sleep: (ms) => new Promise<void>((wake) => sleepers.push({ until: clock.t + ms, wake })),
    });
    const sentAt: number[] = [];
    const requests = Array.from({ length: 4 }, () => bucket.acquire().then(() => sentAt.push(clock.t)));
    await Promise.resolve();
    expect(sentAt).toEqual([0]);
    // The first request is throttled: the three waiting (due at 100, 200 and 300 ms) must slow down too.
    bucket.throttled();
    while (sentAt.length < 4) {
      sleepers.sort((a, b) => a.until - b.until);
      const next = sleepers.shift()!;
      clock.t = Math.max(clock.t, next.until);
      next.wake();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(requests);
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    // At the halved rate (5/s, climbing back): about 200 ms apart, not the 100 ms reckoned before.
    expect(Math.min(...gaps)).toBeGreaterThan(150);
    expect(sentAt.length).toBe(4);
  });

  it('halves its rate on a throttle, down to an eighth, and climbs back over time', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 16, burst: 10 }, clock);
    bucket.throttled();
    expect(bucket.rate).toBe(8);
    for (let i = 0; i < 5; i++) bucket.throttled();
    expect(bucket.rate).toBe(2);
    clock.t += 5_000;
    expect(bucket.rate).toBeCloseTo(2 + 5 * 16 * 0.05);
    clock.t += 120_000;
    expect(bucket.rate).toBe(16);
  });

  it('climbs back quickly to just under the rate EKS throttled, then only slowly past it', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ requestsPerSecond: 10, burst: 10 }, clock);
    bucket.throttled();
    // Back from 5 to 9 (90 % of the throttled rate) at 0.5/s: 8 s.
    clock.t += 8_000;
    expect(bucket.rate).toBeCloseTo(9);
    // Past it at 0.1/s: another 10 s to the configured rate.
    clock.t += 5_000;
    expect(bucket.rate).toBeCloseTo(9.5);
    clock.t += 5_000;
    expect(bucket.rate).toBe(10);
  });

  it('refuses a limit that could never let a request through', () => {
    expect(() => new TokenBucket({ requestsPerSecond: 0, burst: 1 })).toThrow(/requestsPerSecond > 0/);
  });
});

describe('RateLimiters', () => {
  it('gives each account and region one shared bucket, and none when the limit is off', () => {
    const limiters = new RateLimiters({ requestsPerSecond: 5, burst: 5 });
    expect(limiters.for('default/us-east-1')).toBe(limiters.for('default/us-east-1'));
    expect(limiters.for('default/eu-west-1')).not.toBe(limiters.for('default/us-east-1'));
    expect(new RateLimiters({ requestsPerSecond: 0, burst: 1 }).for('x')).toBeUndefined();
  });
});
