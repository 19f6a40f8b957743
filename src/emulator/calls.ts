// Per-operation call counts: every request that reached routing, failed and fault-injected ones included.
import { EKS_OPERATIONS, WRITE_OPERATIONS, type EksOperation } from './operations.ts';

export class CallCounter {
  private readonly counts = new Map<EksOperation, number>();

  record(operation: EksOperation): void {
    this.counts.set(operation, this.count(operation) + 1);
  }

  count(operation: EksOperation): number {
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
  snapshot(): Record<EksOperation, number> {
    return Object.fromEntries(EKS_OPERATIONS.map((operation) => [operation, this.count(operation)])) as Record<EksOperation, number>;
  }

  reset(): void {
    this.counts.clear();
  }
}
