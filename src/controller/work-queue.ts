import { NOOP_METRICS, type WorkQueueMetrics } from '../metrics/index.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import type { ReconcileResult } from './result.ts';

/** A handler that throws is treated as if it returned `retry` with what it threw. */
export type ReconcileHandler = (key: string) => Promise<ReconcileResult>;

/** The timer functions the queue uses; tests pass a fake. */
export interface Clock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface WorkQueueOptions {
  /** How many keys may be reconciled at once. */
  concurrency: number;
  handler: ReconcileHandler;
  /** Delays between retries of a key whose handler keeps failing. */
  backoff?: BackoffOptions;
  /** Told of every `retry` (and every throw); `attempt` counts consecutive failures of that key from 1. */
  onError?: (key: string, err: unknown, attempt: number) => void;
  clock?: Clock;
  /** controller_runtime_* and workqueue_* metrics; none by default. */
  metrics?: WorkQueueMetrics;
}

const systemClock: Clock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

interface Delayed {
  dueAt: number;
  handle: unknown;
}

/**
 * Keys waiting to be reconciled, with the guarantees of client-go's rate-limited workqueue:
 * a key is handled by one handler at a time, duplicates collapse, a key added while it is being
 * handled runs again right afterwards, and failures are retried with per-key backoff. The
 * handler's ReconcileResult alone decides when a key runs next.
 */
export class WorkQueue {
  private readonly concurrency: number;
  private readonly handler: ReconcileHandler;
  private readonly onError: (key: string, err: unknown, attempt: number) => void;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly metrics: WorkQueueMetrics;

  /** Ready to run, oldest first (a Set keeps insertion order and drops duplicates). */
  private readonly ready = new Set<string>();
  /** Running now, with when each started (clock time). */
  private readonly running = new Map<string, number>();
  /** Added while running: run again as soon as the current run ends. */
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly failures = new Map<string, number>();

  private started = false;
  private shuttingDown = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(options: WorkQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`WorkQueue concurrency must be a whole number of at least 1, got ${options.concurrency}`);
    }
    this.concurrency = options.concurrency;
    this.handler = options.handler;
    this.onError = options.onError ?? ((): void => {});
    this.clock = options.clock ?? systemClock;
    this.backoff = new Backoff(options.backoff);
    this.metrics = options.metrics ?? NOOP_METRICS;
  }

  /** Keys waiting to run now (not counting those waiting out a delay). */
  get length(): number {
    return this.ready.size;
  }

  /** Handlers running right now. */
  get inFlight(): number {
    return this.running.size;
  }

  /** The handler that has been running longest, and for how long; undefined when none runs. */
  longestRunning(now = this.clock.now()): { key: string; forMs: number } | undefined {
    // Map order is start order: the first entry started first.
    const first = this.running.entries().next();
    if (first.done === true) return undefined;
    const [key, startedAt] = first.value;
    return { key, forMs: now - startedAt };
  }

  /** Queue the key to run as soon as possible. This cuts short any delay or backoff it waits out. */
  add(key: string): void {
    if (this.shuttingDown) return;
    this.metrics.queueAdded(key);
    this.cancelDelayed(key);
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.ready.add(key);
    this.dispatch();
  }

  /** Queue the key to run after `delayMs`; if it is already due sooner, the sooner time stands. */
  addAfter(key: string, delayMs: number): void {
    if (!Number.isFinite(delayMs)) {
      throw new RangeError(`addAfter delay for "${key}" must be a finite number of milliseconds, got ${delayMs}`);
    }
    if (this.shuttingDown) return;
    this.metrics.queueRetried();
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    if (this.ready.has(key) || this.dirty.has(key)) return;
    const dueAt = this.clock.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending !== undefined && pending.dueAt <= dueAt) return;
    this.cancelDelayed(key);
    const handle = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { dueAt, handle });
  }

  /** Begin running handlers; keys added before this call wait until now. */
  start(): void {
    if (this.shuttingDown) throw new Error('WorkQueue.start() after shutdown(): create a new WorkQueue instead');
    this.started = true;
    this.dispatch();
  }

  /**
   * Stop taking work: queued and delayed keys are dropped, add() is ignored from now on and no
   * timer is left behind. With `drain` (the default) the promise resolves once the handlers
   * already running have finished; without it, at once.
   */
  async shutdown(options: { drain: boolean } = { drain: true }): Promise<void> {
    this.shuttingDown = true;
    this.ready.clear();
    this.dirty.clear();
    this.metrics.queueShutDown();
    for (const key of [...this.delayed.keys()]) this.cancelDelayed(key);
    if (!options.drain || this.running.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private dispatch(): void {
    while (this.started && !this.shuttingDown && this.running.size < this.concurrency) {
      const next = this.ready.values().next();
      if (next.done === true) return;
      this.ready.delete(next.value);
      this.running.set(next.value, this.clock.now());
      this.metrics.queueStarted(next.value);
      void this.run(next.value);
    }
  }

  /** Never rejects: a handler's failure is reported and retried, never left unhandled. */
  private async run(key: string): Promise<void> {
    const started = performance.now();
    let result: ReconcileResult;
    try {
      result = checked(key, await this.handler(key));
    } catch (error) {
      this.metrics.reconcileThrew();
      result = { kind: 'retry', error };
    }
    this.metrics.reconciled(result, (performance.now() - started) / 1000);
    this.schedule(key, result);
    this.finished(key);
  }

  private schedule(key: string, result: ReconcileResult): void {
    if (result.kind === 'retry') {
      this.failed(key, result.error);
      return;
    }
    this.failures.delete(key);
    // A dirty key runs again at once anyway (something changed while it ran).
    if (this.dirty.has(key)) return;
    if (result.kind === 'requeueAfter') this.addAfter(key, result.delayMs);
    if (result.kind === 'stalled') this.addAfter(key, result.retryAfterMs);
  }

  private failed(key: string, err: unknown): void {
    const attempt = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, attempt);
    try {
      this.onError(key, err, attempt);
    } catch {
      // A broken error reporter must not stop the retry below, nor escape as a rejection.
    }
    // A dirty key runs again at once (something changed); that run's result sets what follows.
    if (!this.dirty.has(key)) this.addAfter(key, this.backoff.nextDelay(attempt));
  }

  private finished(key: string): void {
    this.running.delete(key);
    this.metrics.queueFinished(key);
    if (this.dirty.delete(key)) this.ready.add(key);
    if (this.shuttingDown && this.running.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
    this.dispatch();
  }

  private cancelDelayed(key: string): void {
    const pending = this.delayed.get(key);
    if (pending === undefined) return;
    this.clock.clearTimeout(pending.handle);
    this.delayed.delete(key);
  }
}

/** A delay the handler got wrong is its bug: reported and retried like a failure, naming the value. */
function checked(key: string, result: ReconcileResult): ReconcileResult {
  const delayMs = result.kind === 'requeueAfter' ? result.delayMs : result.kind === 'stalled' ? result.retryAfterMs : 0;
  if (!(Number.isFinite(delayMs) && delayMs >= 0)) {
    throw new TypeError(`handler for "${key}" returned a ${result.kind} delay of ${delayMs}; it must be a finite number of milliseconds >= 0`);
  }
  return result;
}
