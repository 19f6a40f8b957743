// Fault injection: error answers, hung requests and dropped connections on chosen calls, plus
// added latency and a rate limit. A call that gets a fault is not applied to the state.
import { randomUUID } from 'node:crypto';
import type { EksErrorName } from './errors.ts';
import { EKS_OPERATIONS, isEksOperation, type EksOperation } from './operations.ts';
import { TokenBucket, type RateLimit } from './rate-limit.ts';

export const FAULT_KINDS = [
  'ServerException',
  'ThrottlingException',
  'AccessDeniedException',
  'InvalidParameterException',
  'InvalidRequestException',
  'ResourceNotFoundException',
  'ResourceLimitExceededException',
  'Timeout',
  'DropConnection',
] as const satisfies readonly (EksErrorName | 'Timeout' | 'DropConnection')[];
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  /** Default '*': every operation. */
  operation?: EksOperation | '*';
  fault: FaultKind;
  /** Fail the next n matching calls, then the rule goes away. */
  count?: number;
  /** Probability 0..1 that a matching call fails (instead of, or together with, count). */
  rate?: number;
  message?: string;
  /** Only calls addressing this cluster (path label or CreateCluster's name). */
  clusterName?: string;
  /** Only calls addressing this principal (path label or CreateAccessEntry's body). */
  principalArn?: string;
}

export interface ActiveFaultRule extends FaultRule {
  id: string;
  /** Failures left for a counted rule. */
  remaining?: number;
}

/** What a call is, for matching rules against it. */
export interface CallTarget {
  operation: EksOperation;
  clusterName?: string;
  principalArn?: string;
}

export interface InjectedFault {
  ruleId: string;
  fault: FaultKind;
  message: string;
}

export interface FaultInjectorOptions {
  /** For rate rules; default Math.random. */
  random?: () => number;
  /** Milliseconds, for the rate limit; default performance.now. */
  now?: () => number;
}

export class FaultInjector {
  private readonly rules = new Map<string, ActiveFaultRule>();
  private readonly latency = new Map<EksOperation | '*', number>();
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
  setLatency(ms: number, operation?: EksOperation): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`latency must be a number of milliseconds ≥ 0, got ${ms}`);
    if (operation !== undefined && !isEksOperation(operation)) throw new Error(`unknown operation ${String(operation)}; use one of ${EKS_OPERATIONS.join(', ')}`);
    const key = operation ?? '*';
    if (ms === 0) this.latency.delete(key);
    else this.latency.set(key, ms);
  }

  latencyFor(operation: EksOperation): number {
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
      if (!matches(rule, target)) continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      if (rule.remaining !== undefined) {
        rule.remaining -= 1;
        if (rule.remaining <= 0) this.rules.delete(rule.id);
      }
      return { ruleId: rule.id, fault: rule.fault, message: rule.message ?? `Injected ${rule.fault} (EKS emulator fault rule ${rule.id}).` };
    }
    return undefined;
  }

  reset(): void {
    this.rules.clear();
    this.latency.clear();
    this.bucket = undefined;
  }
}

function matches(rule: FaultRule, target: CallTarget): boolean {
  if (rule.operation !== undefined && rule.operation !== '*' && rule.operation !== target.operation) return false;
  if (rule.clusterName !== undefined && rule.clusterName !== target.clusterName) return false;
  return rule.principalArn === undefined || rule.principalArn === target.principalArn;
}

const RULE_FIELDS = ['operation', 'fault', 'count', 'rate', 'message', 'clusterName', 'principalArn'] as const;

/** Each field's check: the reason it is wrong, or undefined when it is fine (or absent). */
const FIELD_CHECKS: Record<(typeof RULE_FIELDS)[number], (value: unknown) => string | undefined> = {
  fault: (value) => ((FAULT_KINDS as readonly unknown[]).includes(value) ? undefined : `fault must be one of ${FAULT_KINDS.join(', ')}`),
  operation: (value) =>
    value === undefined || value === '*' || isEksOperation(value) ? undefined : `operation must be '*' or one of ${EKS_OPERATIONS.join(', ')}`,
  count: (value) => (value === undefined || (Number.isInteger(value) && (value as number) >= 1) ? undefined : 'count must be a whole number ≥ 1'),
  rate: (value) => (value === undefined || (typeof value === 'number' && value >= 0 && value <= 1) ? undefined : 'rate must be a probability from 0 to 1'),
  message: optionalText('message'),
  clusterName: optionalText('clusterName'),
  principalArn: optionalText('principalArn'),
};

function optionalText(field: string): (value: unknown) => string | undefined {
  return (value) => (value === undefined || typeof value === 'string' ? undefined : `${field} must be a string`);
}

/** Checks a rule from code or from the admin API's JSON; the error says which field to fix. */
export function parseFaultRule(value: unknown): FaultRule {
  if (typeof value !== 'object' || value === null) throw new Error('a fault rule must be an object like {"fault": "ServerException", "count": 1}');
  const rule = value as Record<string, unknown>;
  const checked: Record<string, unknown> = {};
  for (const field of RULE_FIELDS) {
    const problem = FIELD_CHECKS[field](rule[field]);
    if (problem !== undefined) throw new Error(`${problem}, got ${JSON.stringify(rule[field])}`);
    if (rule[field] !== undefined) checked[field] = rule[field];
  }
  return checked as unknown as FaultRule;
}
