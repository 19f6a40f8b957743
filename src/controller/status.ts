import type { AccessEntryStatus, Condition } from '../api/accessentry.ts';
import { ConditionType, POLICY_NAMES_SEPARATOR } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import { placeOfAccessEntry } from '../eks/arn.ts';
import { policyName } from '../eks/policy-diff.ts';
import type { AssociatedPolicy, ObservedEntry } from '../eks/types.ts';
import type { RecordedPrincipal } from './apply.ts';
import type { Failure } from './failures.ts';
import type { Ledger } from './ledger.ts';

/**
 * What a reconcile learnt. `policies`: the associations as they now stand; null when the spec does
 * not manage them (the status then lists none); left out when they are not known this time.
 */
export type Outcome =
  /**
   * A new generation is about to be worked on. `ledger` is written ahead of the EKS calls: what
   * they may set (its tag keys, its username) is recorded as this resource's before they run, so
   * a status write lost after them cannot leave a tag or username nobody would remove.
   */
  | { kind: 'progressing'; ledger: Ledger; principalArn?: string }
  /** `principalNote`: why IAM was not asked about the principal, for the Ready message. */
  | { kind: 'synced'; entry: ObservedEntry; ledger: Ledger; policies: AssociatedPolicy[] | null; principal?: RecordedPrincipal; principalNote?: string }
  /** spec.expiresAt has passed and no entry of this resource's is left in EKS. */
  | { kind: 'expired'; expiresAt: string; ledger: Ledger }
  /** `entry` when the entry is known (it exists, or the failing calls started from it). */
  | { kind: 'failed'; failure: Failure; entry?: ObservedEntry; ledger: Ledger; policies?: AssociatedPolicy[] | null; principal?: RecordedPrincipal }
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
  return withFields(current ?? {}, {
    ...learntFields(outcome),
    ...(context.handledRequest !== undefined ? { lastHandledReconcileAt: context.handledRequest } : {}),
    observedGeneration: context.generation,
    conditions: conditions.list(),
  });
}

/** `current` with `fields` set; a field given as undefined is removed. */
function withFields(current: AccessEntryStatus, fields: Record<string, unknown>): AccessEntryStatus {
  const next: Record<string, unknown> = { ...current, ...fields };
  for (const [key, value] of Object.entries(fields)) if (value === undefined) delete next[key];
  return next;
}

function setConditions(conditions: ConditionSet, outcome: Outcome): void {
  switch (outcome.kind) {
    case 'progressing':
      conditions.set(ConditionType.Ready, 'Unknown', Reason.Progressing, PROGRESSING_MESSAGE);
      conditions.set(ConditionType.Reconciling, 'True', Reason.Progressing, PROGRESSING_MESSAGE);
      conditions.remove(ConditionType.Stalled);
      return;
    case 'synced':
      return settled(conditions, 'True', Reason.Synced, outcome.principalNote ? `${READY_MESSAGE}; its principal is not checked in IAM: ${outcome.principalNote}` : READY_MESSAGE);
    case 'expired':
      // Not an error and not work under way: the access ended as asked.
      return settled(conditions, 'False', Reason.Expired, expiredMessage(outcome.expiresAt));
    case 'failed':
    case 'deleting':
      return failing(conditions, outcome.failure);
  }
}

/** Nothing left to do: Ready says how it ended. */
function settled(conditions: ConditionSet, ready: Condition['status'], reason: Reason, message: string): void {
  conditions.set(ConditionType.Ready, ready, reason, message);
  conditions.remove(ConditionType.Reconciling);
  conditions.remove(ConditionType.Stalled);
}

function failing(conditions: ConditionSet, failure: Failure | undefined): void {
  const reason = failure?.reason ?? Reason.Deleting;
  const message = failure?.message ?? 'Deleting the access entry from EKS';
  conditions.set(ConditionType.Ready, 'False', reason, message);
  const terminal = failure !== undefined && !failure.retryable;
  conditions.set(terminal ? ConditionType.Stalled : ConditionType.Reconciling, 'True', reason, message);
  conditions.remove(terminal ? ConditionType.Reconciling : ConditionType.Stalled);
}

function expiredMessage(expiresAt: string): string {
  return `The access expired at ${expiresAt} (spec.expiresAt) and no entry is left in EKS; move spec.expiresAt into the future to grant it again`;
}

function learntFields(outcome: Outcome): Record<string, unknown> {
  switch (outcome.kind) {
    case 'progressing':
      return { ...entryFields(undefined, outcome.ledger), ...(outcome.principalArn !== undefined ? { principalArn: outcome.principalArn } : {}) };
    case 'synced':
    case 'failed':
      return { ...entryFields(outcome.entry, outcome.ledger), ...policyFields(outcome.policies), ...principalFields(outcome.principal) };
    case 'expired':
      // The entry is gone; where it lived stays recorded, so granting it again puts it back there.
      return { ...entryFields(undefined, outcome.ledger), ...GONE_ENTRY, ...policyFields(null) };
    case 'deleting':
      return {};
  }
}

// The principal stays recorded (the PRINCIPAL column); the id was the gone entry's.
const GONE_ENTRY = { accessEntryArn: undefined, username: undefined, createdAt: undefined, modifiedAt: undefined, adopted: undefined, principalId: undefined, previousPrincipalArn: undefined };

/** What the status records of the entry's principal (undefined: remove; a field left out: keep). */
function principalFields(principal: RecordedPrincipal | undefined): Record<string, unknown> {
  if (principal === undefined) return {};
  const { principalArn, principalId, previousPrincipalArn } = principal;
  return { principalArn, ...(principalId !== undefined ? { principalId: principalId ?? undefined } : {}), previousPrincipalArn };
}

/** What the status says of the entry and of what this resource did to it (undefined: remove). */
function entryFields(entry: ObservedEntry | undefined, ledger: Ledger): Record<string, unknown> {
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
    managedUsername: ledger.managedUsername,
    assignedUsername: ledger.assignedUsername,
    adopted: ledger.adopted ? true : undefined,
  };
}

/** The associated policies, and their names for the POLICIES printer column. */
function policyFields(policies: AssociatedPolicy[] | null | undefined): Record<string, unknown> {
  if (policies === undefined) return {};
  if (policies === null) return { accessPolicies: undefined, policies: undefined };
  return {
    accessPolicies: policies.map((policy) => ({
      policyArn: policy.policyArn,
      accessScope: policy.accessScope.type === 'cluster' ? { type: 'cluster' } : { ...policy.accessScope },
      ...(policy.associatedAt ? { associatedAt: policy.associatedAt.toISOString() } : {}),
      ...(policy.modifiedAt ? { modifiedAt: policy.modifiedAt.toISOString() } : {}),
    })),
    policies: policies.map((policy) => policyName(policy.policyArn)).join(POLICY_NAMES_SEPARATOR),
  };
}

/** metav1.Condition bookkeeping: lastTransitionTime moves only when the status flips. */
export class ConditionSet {
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
