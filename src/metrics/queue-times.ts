/**
 * When each key of a work queue started waiting and started running, as client-go's queue
 * metrics keep them (addTimes, processingStartTimes). Living here rather than in the queue, the
 * queue needs no clock of its own for metrics and its sets stay private.
 */
export class QueueTimes {
  readonly #waitingSince = new Map<string, number>();
  readonly #runningSince = new Map<string, number>();

  /** `now` is in milliseconds and need only be monotonic. */
  constructor(private readonly now: () => number) {}

  /** Keys waiting to run: added and not started since (client-go's depth). */
  get waiting(): number {
    return this.#waitingSince.size;
  }

  /** Keys whose handler is running. */
  get running(): number {
    return this.#runningSince.size;
  }

  /** True when the key was not waiting yet: only then is it an add (the first add time stands). */
  added(key: string): boolean {
    if (this.#waitingSince.has(key)) return false;
    this.#waitingSince.set(key, this.now());
    return true;
  }

  /** The seconds the key waited, or undefined when it was not known to be waiting. */
  started(key: string): number | undefined {
    const now = this.now();
    const since = this.#waitingSince.get(key);
    this.#waitingSince.delete(key);
    this.#runningSince.set(key, now);
    return since === undefined ? undefined : seconds(now - since);
  }

  /** The seconds the key's handler ran, or undefined when it was not known to be running. */
  finished(key: string): number | undefined {
    const since = this.#runningSince.get(key);
    if (since === undefined) return undefined;
    this.#runningSince.delete(key);
    return seconds(this.now() - since);
  }

  /** Waiting keys were dropped (shutdown): they will never start. */
  forgetWaiting(): void {
    this.#waitingSince.clear();
  }

  /** Seconds of work in progress (sum over running keys) and the longest any one has run. */
  inProgress(): { totalSeconds: number; longestSeconds: number } {
    const now = this.now();
    let totalSeconds = 0;
    let longestSeconds = 0;
    for (const since of this.#runningSince.values()) {
      const age = seconds(now - since);
      totalSeconds += age;
      longestSeconds = Math.max(longestSeconds, age);
    }
    return { totalSeconds, longestSeconds };
  }
}

/** A clock that steps back (a fake, or a non-monotonic one) must not yield negative durations. */
function seconds(ms: number): number {
  return Math.max(0, ms) / 1000;
}
