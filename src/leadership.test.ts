import { ApiException, KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { WriteFence } from './eks/write-fence.ts';
import { KubeApiError } from './kube/errors.ts';
import type { Clock, LeaseApi } from './kube/leader-election.ts';
import { LeaderRunner, type RunnableController } from './leadership.ts';
import { NOOP_METRICS } from './metrics/index.ts';

const TIMINGS = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Virtual time: `advance` runs due timers in order, letting promise chains settle after each. */
class FakeClock implements Clock {
  nowMs = 0;
  #timers: { at: number; run: () => void }[] = [];

  now(): number {
    return this.nowMs;
  }

  wallTime(): Date {
    return new Date(Date.UTC(2030, 0, 1) + this.nowMs);
  }

  setTimer(callback: () => void, ms: number): () => void {
    const timer = { at: this.nowMs + ms, run: callback };
    this.#timers.push(timer);
    return () => (this.#timers = this.#timers.filter((t) => t !== timer));
  }

  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    await settle();
    for (;;) {
      const next = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.nowMs = next.at;
      next.run();
      await settle();
    }
    this.nowMs = end;
  }
}

/** One Lease in memory, with the API server's optimistic concurrency; `down` makes every call fail. */
class MemoryLeases implements LeaseApi {
  lease: V1Lease | undefined;
  down = false;
  #version = 0;

  get(): Promise<V1Lease | undefined> {
    return this.#answer(() => (this.lease ? structuredClone(this.lease) : undefined));
  }

  create(lease: V1Lease): Promise<V1Lease> {
    return this.#answer(() => {
      if (this.lease) throw conflict();
      return this.#store(lease);
    });
  }

  replace(lease: V1Lease): Promise<V1Lease> {
    return this.#answer(() => {
      if (lease.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) throw conflict();
      return this.#store(lease);
    });
  }

  /** Another replica takes the Lease (as one would once it expired in its eyes). */
  takenBy(holder: string): void {
    this.#store({ ...this.lease!, spec: { ...this.lease!.spec, holderIdentity: holder } });
  }

  #store(lease: V1Lease): V1Lease {
    this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.#version) } };
    return structuredClone(this.lease);
  }

  async #answer<T>(result: () => T): Promise<T> {
    await Promise.resolve();
    if (this.down) throw new KubeApiError('lease call', new Error('ECONNREFUSED'));
    return result();
  }
}

function conflict(): KubeApiError {
  return new KubeApiError('update lease', new ApiException(409, 'Conflict', { reason: 'Conflict' }, {}));
}

/** A controller whose drain lasts until the test ends it; its start fails if it is stopped first, as a watch's does. */
class HeldController implements RunnableController {
  fence: WriteFence | undefined;
  stopped = false;
  #drained: () => void = () => undefined;
  #started: { resolve: () => void; reject: (err: Error) => void } | undefined;
  /** Set to hold start() until the test says. */
  holdStart = false;

  start(): Promise<void> {
    if (!this.holdStart) return Promise.resolve();
    return new Promise((resolve, reject) => (this.#started = { resolve, reject }));
  }

  /** A stop before start() finished makes it fail, as a watch stopped before its first list does. */
  failStartOnStop(): void {
    this.#started?.reject(new Error('the AccessEntry watch was stopped before its first list completed'));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.#drained = () => {
      this.stopped = true;
      resolve();
    }));
  }

  finishDrain(): void {
    this.#drained();
  }

  health(): { ok: true } {
    return { ok: true };
  }

  ready(): { ok: true } {
    return { ok: true };
  }
}

async function leadingRunner({ holdStart = false } = {}): Promise<{ runner: LeaderRunner; clock: FakeClock; leases: MemoryLeases; controller: HeldController; lost: { count: number } }> {
  const clock = new FakeClock();
  const leases = new MemoryLeases();
  const controller = new HeldController();
  controller.holdStart = holdStart;
  const lost = { count: 0 };
  const runner = new LeaderRunner({
    create: (fence) => {
      controller.fence = fence;
      return Promise.resolve(controller);
    },
    kc: new KubeConfig(),
    election: { namespace: 'ns', leaseName: 'lease', ...TIMINGS },
    identity: 'me',
    log: pino({ level: 'silent' }),
    metrics: NOOP_METRICS,
    onLost: () => lost.count++,
    leaseApi: leases,
    clock,
  });
  await runner.start();
  await clock.advance(0);
  expect(controller.fence, 'the controller was built on becoming leader').toBeDefined();
  return { runner, clock, leases, controller, lost };
}

describe('LeaderRunner', () => {
  it('a stop while the controller is still starting hands over; it is no loss', async () => {
    const { runner, leases, controller, lost } = await leadingRunner({ holdStart: true });
    const stopping = runner.stop();
    controller.failStartOnStop();
    controller.finishDrain();
    await stopping;
    expect(lost.count).toBe(0);
    expect(leases.lease?.spec?.holderIdentity).toBe('');
  });

  it('opens the write fence only while leading, and closes it at the renew deadline by the clock, before any timer runs', async () => {
    const { runner, clock, leases } = await leadingRunner();
    expect(runner.fence.closedBecause()).toBeUndefined();
    // Renewals fail from now on; the last one was sent at 0.
    leases.down = true;
    clock.nowMs = TIMINGS.renewDeadlineMs - 1;
    expect(runner.fence.closedBecause()).toBeUndefined();
    // No timer has run (a busy event loop): the fence reads the clock itself.
    clock.nowMs = TIMINGS.renewDeadlineMs;
    expect(runner.fence.closedBecause()).toMatch(/does not hold the leader Lease, or has not renewed it within the renew deadline/);
  });

  it('keeps the fence open while renewals succeed, however long that is', async () => {
    const { runner, clock } = await leadingRunner();
    await clock.advance(10 * TIMINGS.renewDeadlineMs);
    expect(runner.fence.closedBecause()).toBeUndefined();
  });

  it('a Lease taken during the drain ends the drain at once and reports the loss; no release, the fence stays closed', async () => {
    const { runner, clock, leases, controller, lost } = await leadingRunner();
    let stopped = false;
    void runner.stop().then(() => (stopped = true));
    await clock.advance(TIMINGS.retryPeriodMs);
    expect(stopped, 'draining').toBe(false);
    expect(runner.fence.closedBecause(), 'still leading while draining').toBeUndefined();

    leases.takenBy('other');
    await clock.advance(TIMINGS.retryPeriodMs);
    expect(lost.count).toBe(1);
    expect(stopped, 'the drain did not wait for the held reconcile').toBe(true);
    expect(controller.stopped).toBe(false);
    expect(runner.fence.closedBecause()).toBeDefined();
    expect(leases.lease?.spec?.holderIdentity).toBe('other');
  });

  it('renewals that fail during the drain end it at the renew deadline, not at the shutdown timeout', async () => {
    const { runner, clock, leases, lost } = await leadingRunner();
    let stopped = false;
    void runner.stop().then(() => (stopped = true));
    leases.down = true;
    await clock.advance(TIMINGS.renewDeadlineMs - 1);
    expect(stopped).toBe(false);
    expect(lost.count).toBe(0);
    await clock.advance(1);
    expect(lost.count).toBe(1);
    expect(stopped).toBe(true);
  });

  it('a drain that finishes hands the Lease over (released, not lost)', async () => {
    const { runner, clock, leases, controller, lost } = await leadingRunner();
    const stopping = runner.stop();
    await clock.advance(TIMINGS.retryPeriodMs);
    controller.finishDrain();
    await stopping;
    expect(lost.count).toBe(0);
    expect(leases.lease?.spec?.holderIdentity).toBe('');
    expect(runner.fence.closedBecause()).toBeDefined();
  });
});
