import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DONE, requeueAfter, type ReconcileResult } from './result.ts';
import { WorkQueue, type Clock, type WorkQueueOptions } from './work-queue.ts';

type OnError = NonNullable<WorkQueueOptions['onError']>;

interface PendingCall {
  key: string;
  succeed(outcome?: ReconcileResult): void;
  fail(err: unknown): void;
}

/** A handler whose calls stay running until the test settles them. */
function heldHandler(): { handler: WorkQueueOptions['handler']; calls: PendingCall[]; keys: () => string[] } {
  const calls: PendingCall[] = [];
  const handler = (key: string): Promise<ReconcileResult> =>
    new Promise((resolve, reject) => {
      calls.push({ key, succeed: (outcome = DONE) => resolve(outcome), fail: reject });
    });
  return { handler, calls, keys: () => calls.map((call) => call.key) };
}

/** Lets settled handler promises run their continuations. */
async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

function queueWith(options: Partial<WorkQueueOptions> & Pick<WorkQueueOptions, 'handler'>): WorkQueue {
  return new WorkQueue({ concurrency: 1, backoff: { jitter: 0 }, ...options });
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('WorkQueue ordering and deduplication', () => {
  it('collapses duplicate keys and runs them in the order first added', async () => {
    const { handler, calls, keys } = heldHandler();
    const queue = queueWith({ handler });
    for (const key of ['c', 'a', 'c', 'b', 'a']) queue.add(key);
    expect(queue.length).toBe(3);

    queue.start();
    for (let i = 0; i < 3; i++) {
      calls[i]!.succeed();
      await settle();
    }
    expect(keys()).toEqual(['c', 'a', 'b']);
    expect(queue.length).toBe(0);
  });

  it('runs nothing before start()', async () => {
    const { handler, calls } = heldHandler();
    const queue = queueWith({ handler });
    queue.add('a');
    await settle();
    expect(calls).toHaveLength(0);
    queue.start();
    expect(calls).toHaveLength(1);
  });

  it('runs at most `concurrency` handlers at once', async () => {
    const { handler, calls, keys } = heldHandler();
    const queue = queueWith({ handler, concurrency: 2 });
    queue.start();
    for (const key of ['a', 'b', 'c', 'd']) queue.add(key);
    expect([queue.inFlight, queue.length]).toEqual([2, 2]);

    calls[1]!.succeed();
    await settle();
    expect(keys()).toEqual(['a', 'b', 'c']);
    expect([queue.inFlight, queue.length]).toEqual([2, 1]);
  });
});

describe('WorkQueue.longestRunning', () => {
  it('names the handler running longest and for how long, so a stuck reconcile can fail liveness', async () => {
    const { handler, calls } = heldHandler();
    const queue = queueWith({ handler, concurrency: 2 });
    queue.start();
    expect(queue.longestRunning()).toBeUndefined();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(1_000);
    queue.add('b');
    await vi.advanceTimersByTimeAsync(500);
    expect(queue.longestRunning()).toEqual({ key: 'a', forMs: 1_500 });

    calls[0]!.succeed();
    await settle();
    expect(queue.longestRunning()).toEqual({ key: 'b', forMs: 500 });
    calls[1]!.succeed();
    await settle();
    expect(queue.longestRunning()).toBeUndefined();
  });
});

describe('WorkQueue with a key added while it runs', () => {
  it('never runs one key twice at once, and runs it once more afterwards', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const { handler: held, calls } = heldHandler();
    const handler = async (key: string): Promise<ReconcileResult> => {
      mostAtOnce = Math.max(mostAtOnce, ++running);
      try {
        return await held(key);
      } finally {
        running--;
      }
    };
    const queue = queueWith({ handler, concurrency: 4 });
    queue.start();
    queue.add('a');
    queue.add('a');
    queue.add('a');
    expect(calls).toHaveLength(1);

    calls[0]!.succeed();
    await settle();
    expect(calls).toHaveLength(2);
    calls[1]!.succeed();
    await settle();
    expect(calls).toHaveLength(2);
    expect(mostAtOnce).toBe(1);
  });

  it('reruns a key added during a failing run at once, still counting the failure', async () => {
    const onError = vi.fn<OnError>();
    const { handler, calls } = heldHandler();
    const queue = queueWith({ handler, onError, backoff: { baseMs: 60_000, jitter: 0 } });
    queue.start();
    queue.add('a');
    queue.add('a');
    calls[0]!.fail(new Error('first'));
    await settle();
    expect(calls).toHaveLength(2);

    calls[1]!.fail(new Error('second'));
    await settle();
    expect(onError.mock.calls.map(([, , attempt]) => attempt)).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(119_999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
  });
});

describe('WorkQueue retries', () => {
  it('backs off exponentially up to the cap, and starts over after a success', async () => {
    const runTimes: number[] = [];
    let failing = true;
    const onError = vi.fn<OnError>();
    const handler = (): Promise<ReconcileResult> => {
      runTimes.push(Date.now());
      return failing ? Promise.reject(new Error('EKS says no')) : Promise.resolve(DONE);
    };
    const queue = queueWith({ handler, onError, backoff: { baseMs: 100, maxMs: 400, factor: 2, jitter: 0 } });
    queue.start();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(1_100);
    expect(runTimes).toEqual([0, 100, 300, 700, 1_100]);
    expect(onError.mock.calls.map(([key, err, attempt]) => [key, (err as Error).message, attempt])).toEqual([
      ['a', 'EKS says no', 1],
      ['a', 'EKS says no', 2],
      ['a', 'EKS says no', 3],
      ['a', 'EKS says no', 4],
      ['a', 'EKS says no', 5],
    ]);

    failing = false;
    await vi.advanceTimersByTimeAsync(400);
    expect(runTimes.at(-1)).toBe(1_500);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runTimes).toHaveLength(6);

    failing = true;
    queue.add('a');
    await vi.advanceTimersByTimeAsync(100);
    expect(runTimes.slice(6)).toEqual([11_500, 11_600]);
    expect(onError.mock.lastCall?.[2]).toBe(2);
  });

  it('keeps failure counts per key', async () => {
    const onError = vi.fn<OnError>();
    const queue = queueWith({ handler: () => Promise.reject(new Error('no')), onError, concurrency: 2 });
    queue.start();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(1_500);
    queue.add('b');
    await settle();
    expect(onError.mock.calls.map(([key, , attempt]) => `${key}:${attempt}`)).toEqual(['a:1', 'a:2', 'a:3', 'b:1']);
  });

  it('an explicit add() runs a key at once instead of waiting out its backoff, and keeps the count', async () => {
    const onError = vi.fn<OnError>();
    const { handler, calls } = heldHandler();
    const queue = queueWith({ handler, onError, backoff: { baseMs: 5 * 60_000, maxMs: 10 * 60_000, jitter: 0 } });
    queue.start();
    queue.add('a');
    calls[0]!.fail(new Error('throttled'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(1);

    queue.add('a');
    expect(calls).toHaveLength(2);
    calls[1]!.fail(new Error('throttled'));
    await settle();
    expect(onError.mock.lastCall?.[2]).toBe(2);
    // The first backoff timer is gone: nothing at the old 5-minute mark, the next try at 10.
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(calls).toHaveLength(3);
  });

  it('reports a handler that throws synchronously instead of returning a rejected promise', async () => {
    const onError = vi.fn<OnError>();
    const handler = (): Promise<ReconcileResult> => {
      throw new Error('sync throw');
    };
    const queue = queueWith({ handler, onError });
    queue.start();
    queue.add('a');
    await settle();
    expect(onError).toHaveBeenCalledWith('a', expect.objectContaining({ message: 'sync throw' }), 1);
  });

  it('still retries when onError itself throws', async () => {
    let runs = 0;
    const handler = (): Promise<ReconcileResult> => (++runs === 1 ? Promise.reject(new Error('x')) : Promise.resolve(DONE));
    const queue = queueWith({
      handler,
      onError: () => {
        throw new Error('logger broke');
      },
    });
    queue.start();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(500);
    expect(runs).toBe(2);
  });

  it('treats an invalid delay as a failure with a message that names it', async () => {
    const onError = vi.fn<OnError>();
    const queue = queueWith({ handler: () => Promise.resolve(requeueAfter(Number.NaN)), onError });
    queue.start();
    queue.add('a');
    await settle();
    expect(onError).toHaveBeenCalledWith('a', expect.objectContaining({ message: expect.stringMatching(/requeueAfter delay of NaN/) as string }), 1);
  });

  it('backs off on a retry result exactly as on a throw, reporting its error', async () => {
    const runTimes: number[] = [];
    const onError = vi.fn<OnError>();
    const handler = (): Promise<ReconcileResult> => {
      runTimes.push(Date.now());
      return Promise.resolve({ kind: 'retry', error: new Error('throttled') });
    };
    const queue = queueWith({ handler, onError, backoff: { baseMs: 100, maxMs: 400, factor: 2, jitter: 0 } });
    queue.start();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(700);
    expect(runTimes).toEqual([0, 100, 300, 700]);
    expect(onError.mock.calls.map(([, err, attempt]) => [(err as Error).message, attempt])).toEqual([
      ['throttled', 1],
      ['throttled', 2],
      ['throttled', 3],
      ['throttled', 4],
    ]);
  });

  it('waits out the stalled period of a stalled result, and a stalled run resets the backoff', async () => {
    const runTimes: number[] = [];
    const results: ReconcileResult[] = [{ kind: 'retry', error: new Error('x') }, { kind: 'stalled', retryAfterMs: 60_000 }];
    const onError = vi.fn<OnError>();
    const handler = (): Promise<ReconcileResult> => {
      runTimes.push(Date.now());
      return Promise.resolve(results.shift() ?? { kind: 'retry', error: new Error('y') });
    };
    const queue = queueWith({ handler, onError, backoff: { baseMs: 100, maxMs: 400, jitter: 0 } });
    queue.start();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(60_100);
    expect(runTimes).toEqual([0, 100, 60_100]);
    expect(onError.mock.lastCall?.[2]).toBe(1);
  });
});

describe('WorkQueue delayed runs', () => {
  it('runs a key again after the requeueAfterMs its handler asked for', async () => {
    const runTimes: number[] = [];
    const queue = queueWith({
      handler: () => {
        runTimes.push(Date.now());
        return Promise.resolve(runTimes.length === 1 ? requeueAfter(30_000) : DONE);
      },
    });
    queue.start();
    queue.add('a');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runTimes).toEqual([0, 30_000]);
  });

  it('keeps the earliest due time when a key is added after several delays', async () => {
    const runTimes: number[] = [];
    const queue = queueWith({
      handler: () => {
        runTimes.push(Date.now());
        return Promise.resolve(DONE);
      },
    });
    queue.start();
    queue.addAfter('a', 5_000);
    queue.addAfter('a', 1_000);
    queue.addAfter('a', 3_000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runTimes).toEqual([1_000]);
  });

  it('ignores a delay for a key that is already due now', async () => {
    const { handler, calls } = heldHandler();
    const queue = queueWith({ handler });
    queue.add('a');
    queue.addAfter('a', 1_000);
    queue.start();
    calls[0]!.succeed();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toHaveLength(1);
  });

  it('schedules through the clock it is given', () => {
    const scheduled: number[] = [];
    const clock: Clock = { now: () => 1_000, setTimeout: (_callback, ms) => scheduled.push(ms), clearTimeout: () => {} };
    const queue = new WorkQueue({ concurrency: 1, handler: () => Promise.resolve(DONE), clock });
    queue.addAfter('a', 250);
    queue.addAfter('a', 100);
    expect(scheduled).toEqual([250, 100]);
  });

  it('rejects a delay that is not a number of milliseconds', () => {
    const queue = queueWith({ handler: () => Promise.resolve(DONE) });
    expect(() => queue.addAfter('a', Number.POSITIVE_INFINITY)).toThrow(/addAfter delay for "a" must be a finite number/);
  });
});

describe('WorkQueue shutdown', () => {
  it('waits for running handlers, drops queued keys and refuses new ones', async () => {
    const { handler, calls, keys } = heldHandler();
    const queue = queueWith({ handler });
    queue.start();
    queue.add('a');
    queue.add('b');
    let done = false;
    const shutdown = queue.shutdown().then(() => (done = true));
    queue.add('c');
    queue.addAfter('d', 10);
    await settle();
    expect(done).toBe(false);

    calls[0]!.succeed(requeueAfter(10));
    await shutdown;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(keys()).toEqual(['a']);
    expect(queue.length).toBe(0);
  });

  it('clears every pending timer, so none keeps the process alive', async () => {
    const queue = queueWith({ handler: () => Promise.reject(new Error('down')) });
    queue.start();
    queue.add('a');
    queue.addAfter('b', 60_000);
    await settle();
    expect(vi.getTimerCount()).toBe(2);
    await queue.shutdown();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves at once without drain, while handlers still run', async () => {
    const { handler } = heldHandler();
    const queue = queueWith({ handler });
    queue.start();
    queue.add('a');
    await queue.shutdown({ drain: false });
    expect(queue.inFlight).toBe(1);
  });

  it('cannot be started again', async () => {
    const queue = queueWith({ handler: () => Promise.resolve(DONE) });
    await queue.shutdown();
    expect(() => queue.start()).toThrow(/after shutdown\(\): create a new WorkQueue/);
  });
});

it.each([0, -1, 1.5, Number.NaN])('rejects concurrency %d', (concurrency) => {
  expect(() => new WorkQueue({ concurrency, handler: () => Promise.resolve(DONE) })).toThrow(/concurrency must be a whole number of at least 1/);
});
