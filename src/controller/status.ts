import type { AccessEntryStatus, Condition } from '../api/accessentry.ts';
import { ConditionType } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import type { ObservedEntry } from '../eks/types.ts';
import type { Failure } from './failures.ts';

/** What the controller knows about the entry after a reconcile, successful or not. */
export interface EntryFacts {
  observed?: ObservedEntry;
  managedTagKeys: string[];
  adopted: boolean;
}

export type Outcome =
  | { kind: 'progressing' }
  | { kind: 'synced'; facts: EntryFacts }
  | { kind: 'failed'; failure: Failure; facts: EntryFacts }
  | { kind: 'deleting'; failure?: Failure };

const READY_MESSAGE = 'The EKS access entry matches the spec';
const PROGRESSING_MESSAGE = 'Reconciling the access entry with EKS';

/**
 * The status a resource should have after `outcome`. Ready is derived, never set ad hoc:
 * Stalled for terminal failures, Reconciling for work under way or retries, Ready only once EKS
 * matches. kstatus reads Reconciling and Stalled only when True, so they are dropped otherwise.
 */
export function nextStatus(
  current: AccessEntryStatus | undefined,
  generation: number,
  outcome: Outcome,
  now: Date,
): AccessEntryStatus {
  const conditions = new ConditionSet(current?.conditions ?? [], generation, now);
  switch (outcome.kind) {
    case 'progressing':
      conditions.set(ConditionType.Ready, 'Unknown', Reason.Progressing, PROGRESSING_MESSAGE);
      conditions.set(ConditionType.Reconciling, 'True', Reason.Progressing, PROGRESSING_MESSAGE);
      conditions.remove(ConditionType.Stalled);
      break;
    case 'synced':
      conditions.set(ConditionType.Ready, 'True', Reason.Synced, READY_MESSAGE);
      conditions.remove(ConditionType.Reconciling);
      conditions.remove(ConditionType.Stalled);
      break;
    case 'failed':
    case 'deleting': {
      const { failure } = outcome;
      const reason = failure?.reason ?? Reason.Deleting;
      const message = failure?.message ?? 'Deleting the access entry from EKS';
      conditions.set(ConditionType.Ready, 'False', reason, message);
      if (failure && !failure.retryable) {
        conditions.set(ConditionType.Stalled, 'True', reason, message);
        conditions.remove(ConditionType.Reconciling);
      } else {
        conditions.set(ConditionType.Reconciling, 'True', reason, message);
        conditions.remove(ConditionType.Stalled);
      }
      break;
    }
  }
  const facts = 'facts' in outcome ? outcome.facts : undefined;
  return {
    ...current,
    ...(facts ? factsToStatus(facts) : {}),
    observedGeneration: generation,
    conditions: conditions.list(),
  };
}

function factsToStatus(facts: EntryFacts): Partial<AccessEntryStatus> {
  const { observed } = facts;
  return {
    ...(observed
      ? {
          accessEntryArn: observed.accessEntryArn,
          username: observed.username,
          ...(observed.createdAt ? { createdAt: observed.createdAt.toISOString() } : {}),
          ...(observed.modifiedAt ? { modifiedAt: observed.modifiedAt.toISOString() } : {}),
        }
      : {}),
    managedTagKeys: [...facts.managedTagKeys].sort(),
    ...(facts.adopted ? { adopted: true } : {}),
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
