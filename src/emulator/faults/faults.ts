// Fault injection: error answers, hung requests, dropped connections and lost responses on
// chosen calls, plus added latency and a rate limit. Only LoseResponse applies the call it hits.
import { randomUUID } from 'node:crypto';
import { parseFaultRule, ruleMatches, type ActiveFaultRule, type CallTarget, type FaultKind, type FaultRule } from './fault-rules.ts';
import { OPERATIONS, isOperation, type Operation } from '../operations.ts';
import { TokenBucket, type RateLimit } from './rate-limit.ts';

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

export interface FaultInjectorOptions {
  /** For rate rules; default Math.random. */
  random?: () => number;
  /** Milliseconds, for the rate limit; default performance.now. */
  now?: () => number;
}

export class FaultInjector {
  private readonly rules = new Map<string, ActiveFaultRule>();
  private readonly latency = new Map<Operation | '*', number>();
  private bucket: TokenBucket | undefined;
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

  /** Throttles all operations together with a token bucket; undefined turns it off. */
  setRateLimit(limit: RateLimit | undefined): void {
    this.bucket = limit === undefined ? undefined : new TokenBucket(limit, this.now);
  }

  /** False when the rate limit says this request must be throttled. */
  admit(): boolean {
    return this.bucket?.take() ?? true;
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
    this.bucket = undefined;
  }
}
