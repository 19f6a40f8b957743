// Per-operation call counts and the log of recent calls: every request that reached an
// operation, failed and fault-injected ones included.
import { CallLog, type CallLogEntry } from './call-log.ts';
import { OPERATIONS, WRITE_OPERATIONS, type Operation } from '../operations.ts';

export interface CallCounterOptions {
  /** How many calls log() keeps, newest; default 10,000. */
  logLimit?: number;
}

/** How a call ended: `ok`, an error name (ThrottlingException...), or a fault that answered nothing (Timeout...). */
export type CallResult = string;

export class CallCounter {
  private readonly counts = new Map<Operation, number>();
  private readonly results = new Map<Operation, Map<CallResult, number>>();
  private readonly recent: CallLog;

  constructor(options: CallCounterOptions = {}) {
    this.recent = new CallLog(options.logLimit);
  }

  /** Counts a call as it arrives (before latency or faults), so in-flight calls are already counted. */
  record(operation: Operation): void {
    this.counts.set(operation, this.count(operation) + 1);
  }

  /** Logs a call once it is answered, or once it is known that it never will be. */
  logCall(entry: CallLogEntry): void {
    this.recent.add(entry);
    const byResult = this.results.get(entry.operation) ?? new Map<CallResult, number>();
    const result = resultOf(entry);
    byResult.set(result, (byResult.get(result) ?? 0) + 1);
    this.results.set(entry.operation, byResult);
  }

  /**
   * Answered calls split by how they ended, per operation: `ok`, the error name, or the fault
   * that left them unanswered. Unlike the log, never truncated.
   */
  outcomes(): Partial<Record<Operation, Record<CallResult, number>>> {
    return Object.fromEntries([...this.results].map(([operation, byResult]) => [operation, Object.fromEntries(byResult)]));
  }

  /** How many answered calls of `operation` (or of all) ended with `result`. */
  countResult(result: CallResult, operation?: Operation): number {
    let sum = 0;
    for (const [op, byResult] of this.results) if (operation === undefined || op === operation) sum += byResult.get(result) ?? 0;
    return sum;
  }

  count(operation: Operation): number {
    return this.counts.get(operation) ?? 0;
  }

  total(): number {
    let sum = 0;
    for (const value of this.counts.values()) sum += value;
    return sum;
  }

  /** Calls that change state (Create, Update, Delete, Tag, Untag, Associate, Disassociate). */
  writes(): number {
    let sum = 0;
    for (const [operation, value] of this.counts) if (WRITE_OPERATIONS.has(operation)) sum += value;
    return sum;
  }

  reads(): number {
    return this.total() - this.writes();
  }

  /** Every operation, zeros included. */
  snapshot(): Record<Operation, number> {
    return Object.fromEntries(OPERATIONS.map((operation) => [operation, this.count(operation)])) as Record<Operation, number>;
  }

  /** The recent calls, oldest first (the last 10,000 unless logLimit says otherwise). */
  log(): CallLogEntry[] {
    return this.recent.list();
  }

  /** Zeros the counts and empties the log. */
  reset(): void {
    this.counts.clear();
    this.results.clear();
    this.recent.clear();
  }
}

function resultOf(entry: CallLogEntry): CallResult {
  if (entry.status >= 200 && entry.status < 300) return 'ok';
  return entry.error ?? entry.fault ?? `HTTP ${entry.status}`;
}
