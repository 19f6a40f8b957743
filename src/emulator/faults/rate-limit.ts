// A token bucket: `requestsPerSecond` sustained, up to `burst` at once.

export interface RateLimit {
  requestsPerSecond: number;
  /** Default: requestsPerSecond rounded up, at least 1. */
  burst?: number;
}

/** The limit with its burst filled in; throws an Error naming the field to fix. */
export function checkRateLimit(limit: RateLimit): Required<RateLimit> {
  if (!(limit.requestsPerSecond > 0) || !Number.isFinite(limit.requestsPerSecond)) {
    throw new Error(`requestsPerSecond must be a number > 0, got ${limit.requestsPerSecond}`);
  }
  const burst = limit.burst ?? Math.max(1, Math.ceil(limit.requestsPerSecond));
  if (!Number.isInteger(burst) || burst < 1) throw new Error(`burst must be a whole number ≥ 1, got ${limit.burst}`);
  return { requestsPerSecond: limit.requestsPerSecond, burst };
}

export class TokenBucket {
  readonly requestsPerSecond: number;
  readonly burst: number;
  private tokens: number;
  private lastRefill: number;
  private readonly now: () => number;

  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    const { requestsPerSecond, burst } = checkRateLimit(limit);
    this.requestsPerSecond = requestsPerSecond;
    this.burst = burst;
    this.tokens = burst;
    this.now = now;
    this.lastRefill = now();
  }

  /** Takes a token if one is left; false means "throttle this request". */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.requestsPerSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
