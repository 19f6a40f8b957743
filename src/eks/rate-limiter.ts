import { setTimeout as sleep } from 'node:timers/promises';

export interface RateLimit {
  /** Sustained requests per second; 0 turns the limiter off. */
  requestsPerSecond: number;
  /** Requests that may go at once after a quiet spell. */
  burst: number;
}

export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const systemClock: LimiterClock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/** A throttle halves the rate, never below this share of the configured one. */
const FLOOR_SHARE = 1 / 8;
/** After a throttle the rate climbs back by this share of the configured rate per second... */
const RECOVERY_SHARE_PER_SECOND = 0.05;
/** ...up to this share of the rate EKS throttled, and from there on slowly, probing. */
const CEILING_SHARE = 0.9;
const PROBE_SHARE_PER_SECOND = 0.01;

/**
 * A token bucket for one account and region, shared by every worker, that slows down when EKS
 * says "too fast": a ThrottlingException halves the rate, which then climbs back slowly. So a
 * thousand resources applied at once queue here instead of burning retries against EKS.
 * Requests are served in the order they asked (a request reserves its token, possibly in the
 * future, and waits for it), so no worker starves.
 */
export class TokenBucket {
  readonly #limit: RateLimit;
  readonly #clock: LimiterClock;
  #rate: number;
  /** Below the rate EKS last throttled: reached again quickly, passed slowly. */
  #ceiling: number;
  #tokens: number;
  #updatedAt: number;
  /** Throttles so far: a waiter whose reservation predates the last one re-queues. */
  #throttles = 0;

  constructor(limit: RateLimit, clock: LimiterClock = systemClock) {
    if (!(limit.requestsPerSecond > 0) || !(limit.burst >= 1)) {
      throw new RangeError(`a rate limit needs requestsPerSecond > 0 and burst >= 1, got ${limit.requestsPerSecond}/s, burst ${limit.burst}`);
    }
    this.#limit = limit;
    this.#clock = clock;
    this.#rate = limit.requestsPerSecond;
    this.#ceiling = limit.requestsPerSecond;
    this.#tokens = limit.burst;
    this.#updatedAt = clock.now();
  }

  /** The rate now, in requests per second (lower than configured for a while after a throttle). */
  get rate(): number {
    this.#refill();
    return this.#rate;
  }

  /**
   * Waits for a token; resolves with the milliseconds waited. A throttle while it waits means its
   * turn was reckoned at a rate EKS refused, so it queues again at the lowered one: otherwise the
   * requests already waiting would still go out at the old pace, into more throttles.
   */
  async acquire(): Promise<number> {
    let waitedMs = 0;
    for (;;) {
      this.#refill();
      this.#tokens -= 1;
      if (this.#tokens >= 0) return waitedMs;
      const reckonedUnder = this.#throttles;
      const waitMs = (-this.#tokens / this.#rate) * 1000;
      await this.#clock.sleep(waitMs);
      waitedMs += waitMs;
      if (reckonedUnder === this.#throttles) return waitedMs;
    }
  }

  /**
   * EKS answered ThrottlingException: halve the rate. A throttle at or above the ceiling also
   * lowers the ceiling under that rate, so the rate does not climb straight back into the limit
   * (a storm's further throttles, at lower rates, leave it where it is).
   */
  throttled(): void {
    this.#refill();
    if (this.#rate >= this.#ceiling) this.#ceiling = this.#rate * CEILING_SHARE;
    this.#rate = Math.max(this.#limit.requestsPerSecond * FLOOR_SHARE, this.#rate / 2);
    // Every reservation made so far is void (see acquire): each waiter takes a new one on waking.
    this.#tokens = 0;
    this.#throttles++;
  }

  #refill(): void {
    const now = this.#clock.now();
    const seconds = (now - this.#updatedAt) / 1000;
    this.#updatedAt = now;
    if (seconds <= 0) return;
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + seconds * this.#rate);
    this.#rate = this.#climbed(seconds);
  }

  /** The rate `seconds` later: quickly back up to the ceiling, then slowly up to the configured rate. */
  #climbed(seconds: number): number {
    const configured = this.#limit.requestsPerSecond;
    let rate = this.#rate;
    let left = seconds;
    if (rate < this.#ceiling) {
      const fast = configured * RECOVERY_SHARE_PER_SECOND;
      const toCeiling = (this.#ceiling - rate) / fast;
      rate = Math.min(this.#ceiling, rate + left * fast);
      left = Math.max(0, left - toCeiling);
    }
    return Math.min(configured, rate + left * configured * PROBE_SHARE_PER_SECOND);
  }
}

/** One bucket per key (account and region), made on first use. */
export class RateLimiters {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: LimiterClock = systemClock,
  ) {}

  /** False when the limit is off (0 requests per second). */
  get enabled(): boolean {
    return this.limit.requestsPerSecond > 0;
  }

  /** Undefined when the limit is off. */
  for(key: string): TokenBucket | undefined {
    if (!this.enabled) return undefined;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.limit, this.clock);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }
}
