// Fault injection: error answers, hung requests, dropped connections and lost responses on
// chosen calls, plus added latency and a rate limit. Only LoseResponse applies the call it hits.
import { randomUUID } from 'node:crypto';
import { parseFaultRule, ruleMatches, type ActiveFaultRule, type CallTarget, type FaultKind, type FaultRule } from './fault-rules.ts';
import { OPERATIONS, isOperation, type Operation, type Service } from '../operations.ts';
import { checkRateLimit, TokenBucket, type RateLimit } from './rate-limit.ts';

export {
  CONNECTION_FAULT_KINDS,
  CREDENTIAL_FAULT_KINDS,
  ERROR_FAULT_KINDS,
  FAULT_KINDS,
  parseFaultRule,
  type ActiveFaultRule,
  type CallTarget,
  type CredentialFaultKind,
  type FaultKind,
  type FaultRule,
} from './fault-rules.ts';

export interface InjectedFault {
  ruleId: string;
  fault: FaultKind;
  /** The rule's own message; without one, the kind's default is used. */
  message?: string;
}

/** What a rate limit counts against: AWS's quotas are per service, account and region. */
export interface RateLimitKey {
  service: Service;
  accountId: string;
  region: string;
}

export interface FaultInjectorOptions {
  /** For rate rules; default Math.random. */
  random?: () => number;
  /** Milliseconds, for the rate limit; default performance.now. */
  now?: () => number;
}

export class FaultInjector {
  private readonly rules = new Map<string, ActiveFaultRule>();
  private readonly latency = new Map<Operation | '*', number>();
  private rateLimit: Required<RateLimit> | undefined;
  /** One bucket per service, account and region, made on first use. */
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly random: () => number;
  private readonly now: (() => number) | undefined;

  constructor(options: FaultInjectorOptions = {}) {
    this.random = options.random ?? Math.random;
    this.now = options.now;
  }

  /** Adds a rule and returns its id; throws on a rule that could never be what the caller meant. */
  add(rule: FaultRule): string {
    const checked = parseFaultRule(rule);
    const id = randomUUID();
    this.rules.set(id, { ...checked, id, ...(checked.count === undefined ? {} : { remaining: checked.count }) });
    return id;
  }

  remove(id: string): boolean {
    return this.rules.delete(id);
  }

  /** Removes every rule (latency and the rate limit stay; reset() clears those too). */
  clear(): void {
    this.rules.clear();
  }

  list(): ActiveFaultRule[] {
    return [...this.rules.values()].map((rule) => ({ ...rule }));
  }

  /** Delay before answering: for one operation, or for all when operation is left out. 0 removes it. */
  setLatency(ms: number, operation?: Operation): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`latency must be a number of milliseconds ≥ 0, got ${ms}`);
    if (operation !== undefined && !isOperation(operation)) throw new Error(`unknown operation ${String(operation)}; use one of ${OPERATIONS.join(', ')}`);
    const key = operation ?? '*';
    if (ms === 0) this.latency.delete(key);
    else this.latency.set(key, ms);
  }

  latencyFor(operation: Operation): number {
    return this.latency.get(operation) ?? this.latency.get('*') ?? 0;
  }

  /**
   * Throttles with a token bucket per (service, account, region), as AWS's quotas are: each gets
   * the whole limit, and one account's EKS calls never take another's tokens, or STS's.
   * Setting it again starts every bucket full; undefined turns it off.
   */
  setRateLimit(limit: RateLimit | undefined): void {
    this.rateLimit = limit === undefined ? undefined : checkRateLimit(limit);
    this.buckets.clear();
  }

  /** False when the rate limit of this call's service, account and region says it must be throttled. */
  admit(key: RateLimitKey): boolean {
    if (this.rateLimit === undefined) return true;
    const id = `${key.service}/${key.accountId}/${key.region}`;
    let bucket = this.buckets.get(id);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.rateLimit, this.now);
      this.buckets.set(id, bucket);
    }
    return bucket.take();
  }

  /** The fault for this call, if a rule picks it; a counted rule is used up by it. */
  pick(target: CallTarget): InjectedFault | undefined {
    for (const rule of this.rules.values()) {
      if (!ruleMatches(rule, target)) continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      if (rule.remaining !== undefined) {
        rule.remaining -= 1;
        if (rule.remaining <= 0) this.rules.delete(rule.id);
      }
      return { ruleId: rule.id, fault: rule.fault, ...(rule.message === undefined ? {} : { message: rule.message }) };
    }
    return undefined;
  }

  reset(): void {
    this.rules.clear();
    this.latency.clear();
    this.setRateLimit(undefined);
  }
}
