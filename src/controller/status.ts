import type { AccessEntryStatus, Condition } from '../api/accessentry.ts';
import { ConditionType } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import { placeOfAccessEntry } from '../eks/arn.ts';
import type { ObservedEntry } from '../eks/types.ts';
import type { Failure } from './failures.ts';
import type { Ledger } from './plan.ts';

export type Outcome =
  | { kind: 'progressing' }
  | { kind: 'synced'; entry: ObservedEntry; ledger: Ledger }
  /** `entry` when the entry is known (it exists, or the failing calls started from it). */
  | { kind: 'failed'; failure: Failure; entry?: ObservedEntry; ledger: Ledger }
  | { kind: 'deleting'; failure?: Failure };

export interface StatusContext {
  generation: number;
  now: Date;
  /** The reconcile-requested annotation this reconcile answered, echoed as lastHandledReconcileAt. */
  handledRequest?: string;
}

const READY_MESSAGE = 'The EKS access entry matches the spec';
const PROGRESSING_MESSAGE = 'Reconciling the access entry with EKS';

/**
 * The status a resource should have after `outcome`. Ready is derived, never set ad hoc:
 * Stalled for terminal failures, Reconciling for work under way or retries, Ready only once EKS
 * matches. kstatus reads Reconciling and Stalled only when True, so they are dropped otherwise.
 */
export function nextStatus(current: AccessEntryStatus | undefined, outcome: Outcome, context: StatusContext): AccessEntryStatus {
  const conditions = new ConditionSet(current?.conditions ?? [], context.generation, context.now);
  setConditions(conditions, outcome);
  const known = 'ledger' in outcome ? outcome : undefined;
  const { managedUsername: _username, adopted: _adopted, ...kept } = current ?? {};
  return {
    ...(known ? kept : current),
    ...(known ? entryFields(known.entry, known.ledger) : {}),
    ...(context.handledRequest !== undefined ? { lastHandledReconcileAt: context.handledRequest } : {}),
    observedGeneration: context.generation,
    conditions: conditions.list(),
  };
}

function setConditions(conditions: ConditionSet, outcome: Outcome): void {
  switch (outcome.kind) {
    case 'progressing':
      conditions.set(ConditionType.Ready, 'Unknown', Reason.Progressing, PROGRESSING_MESSAGE);
      conditions.set(ConditionType.Reconciling, 'True', Reason.Progressing, PROGRESSING_MESSAGE);
      conditions.remove(ConditionType.Stalled);
      return;
    case 'synced':
      conditions.set(ConditionType.Ready, 'True', Reason.Synced, READY_MESSAGE);
      conditions.remove(ConditionType.Reconciling);
      conditions.remove(ConditionType.Stalled);
      return;
    case 'failed':
    case 'deleting': {
      const { failure } = outcome;
      const reason = failure?.reason ?? Reason.Deleting;
      const message = failure?.message ?? 'Deleting the access entry from EKS';
      conditions.set(ConditionType.Ready, 'False', reason, message);
      const terminal = failure !== undefined && !failure.retryable;
      conditions.set(terminal ? ConditionType.Stalled : ConditionType.Reconciling, 'True', reason, message);
      conditions.remove(terminal ? ConditionType.Reconciling : ConditionType.Stalled);
    }
  }
}

/** What the status says of the entry and of what this resource did to it. */
function entryFields(entry: ObservedEntry | undefined, ledger: Ledger): Partial<AccessEntryStatus> {
  const place = entry ? placeOfAccessEntry(entry.accessEntryArn) : undefined;
  return {
    ...(entry
      ? {
          accessEntryArn: entry.accessEntryArn,
          username: entry.username,
          ...(place ? { region: place.region, accountId: place.accountId } : {}),
          ...(entry.createdAt ? { createdAt: entry.createdAt.toISOString() } : {}),
          ...(entry.modifiedAt ? { modifiedAt: entry.modifiedAt.toISOString() } : {}),
        }
      : {}),
    managedTagKeys: [...ledger.managedTagKeys].sort(),
    ...(ledger.managedUsername !== undefined ? { managedUsername: ledger.managedUsername } : {}),
    ...(ledger.adopted ? { adopted: true } : {}),
  };
}

/** metav1.Condition bookkeeping: lastTransitionTime moves only when the status flips. */
class ConditionSet {
  readonly #byType: Map<string, Condition>;

  constructor(
    existing: readonly Condition[],
    private readonly generation: number,
    private readonly now: Date,
  ) {
    this.#byType = new Map(existing.map((condition) => [condition.type, condition]));
  }

  set(type: ConditionType, status: Condition['status'], reason: string, message: string): void {
    const previous = this.#byType.get(type);
    const lastTransitionTime =
      previous && previous.status === status ? previous.lastTransitionTime : this.now.toISOString();
    this.#byType.set(type, { type, status, observedGeneration: this.generation, lastTransitionTime, reason, message });
  }

  remove(type: ConditionType): void {
    this.#byType.delete(type);
  }

  /** In a fixed order, so an unchanged status compares equal. */
  list(): Condition[] {
    const order: string[] = [ConditionType.Ready, ConditionType.Reconciling, ConditionType.Stalled];
    return [...this.#byType.values()].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  }
}
