/** Exponential backoff for retrying a failed reconcile or a broken watch. */
export interface BackoffOptions {
  /** Delay before the first retry. Default 500 ms. */
  baseMs?: number;
  /** No delay is ever longer than this. Default 5 minutes. */
  maxMs?: number;
  /** Each further attempt waits this many times longer. Default 2. */
  factor?: number;
  /** Fraction (0–1) by which a delay is randomly shortened. Default 0.1. */
  jitter?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  baseMs: 500,
  maxMs: 5 * 60_000,
  factor: 2,
  jitter: 0.1,
};

export class Backoff {
  private readonly options: Required<BackoffOptions>;

  /** `random` returns a number in [0, 1); tests pass a fixed one. */
  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.options = validated({ ...DEFAULT_BACKOFF, ...withoutUndefined(options) });
  }

  /** Delay before retry number `attempt` (1 for the first retry after a failure). */
  nextDelay(attempt: number): number {
    if (!Number.isInteger(attempt) || attempt < 1) {
      throw new RangeError(`backoff attempt must be an integer of at least 1, got ${attempt}`);
    }
    const { baseMs, maxMs, factor, jitter } = this.options;
    // Math.min also absorbs the Infinity that factor ** attempt reaches after many failures.
    const capped = Math.min(maxMs, baseMs * factor ** (attempt - 1));
    // Jitter only shortens the delay, so maxMs stays a real upper bound, while many keys that
    // failed together (an AWS outage) spread out instead of retrying in lockstep.
    return Math.round(capped * (1 - jitter * this.random()));
  }
}

function withoutUndefined(options: BackoffOptions): BackoffOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function validated(options: Required<BackoffOptions>): Required<BackoffOptions> {
  const { baseMs, maxMs, factor, jitter } = options;
  const problems = [
    !(Number.isFinite(baseMs) && baseMs > 0) && `baseMs must be a positive number of milliseconds, got ${baseMs}`,
    !(Number.isFinite(maxMs) && maxMs >= baseMs) && `maxMs must be a number no smaller than baseMs (${baseMs}), got ${maxMs}`,
    !(Number.isFinite(factor) && factor >= 1) && `factor must be a number of at least 1, got ${factor}`,
    !(jitter >= 0 && jitter <= 1) && `jitter must be a fraction between 0 and 1, got ${jitter}`,
  ].filter((problem) => problem !== false);
  if (problems.length > 0) throw new RangeError(`invalid backoff options: ${problems.join('; ')}`);
  return options;
}
