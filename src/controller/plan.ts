// The one planning step: what to do about an entry, decided from what was observed of it, with
// no I/O. The controller executes the plan; the command line's `plan` shows it. They cannot
// disagree, because both call this.
import type { AccessEntry } from '../api/accessentry.ts';
import { ADOPTED_TAG, MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import { diffEntry, type EntryChanges } from '../eks/diff.ts';
import { diffPolicies, type PolicyChanges } from '../eks/policy-diff.ts';
import type { AssociatedPolicy, DesiredEntry, ObservedEntry } from '../eks/types.ts';
import type { Failure } from './failures.ts';
import type { Ledger } from './ledger.ts';
import type { Ownership } from './ownership.ts';

/** What to do about the entry, decided from what is known of it; executing it is another step. */
export type EntryPlan =
  /** No entry exists (or none is known yet): create it with every field. */
  | { kind: 'create'; recreate: boolean }
  /** The entry is not this resource's to change; it is left untouched. */
  | { kind: 'refuse'; failure: Failure }
  /** Bring the existing entry in line, taking it over first when `adopt`. */
  | { kind: 'sync'; adopt: boolean; changes: EntryChanges };

export interface PlanInput {
  resource: AccessEntry;
  desired: DesiredEntry;
  /** Undefined when no entry exists, or when none was looked up because none was recorded yet. */
  observed: ObservedEntry | undefined;
  ownership: Ownership | undefined;
  ledger: Ledger;
}

/** What was read of the entry before planning: nothing at all for a resource not expected to have one yet. */
export interface Observation {
  entry?: ObservedEntry;
  ownership?: Ownership;
  /** The associations, listed only where the plan manages them on an existing entry; null otherwise. */
  associated: AssociatedPolicy[] | null;
}

/** The whole plan: the entry's, and the association calls that follow it (null: not managed here). */
export type ReconcilePlan =
  | { kind: 'create'; recreate: boolean; policies: PolicyChanges | null }
  | { kind: 'refuse'; failure: Failure }
  | { kind: 'sync'; adopt: boolean; changes: EntryChanges; policies: PolicyChanges | null };

export interface ReconcileInput {
  resource: AccessEntry;
  desired: DesiredEntry;
  ledger: Ledger;
  observation: Observation;
}

export function planReconcile({ resource, desired, ledger, observation }: ReconcileInput): ReconcilePlan {
  const entry = planEntry({ resource, desired, observed: observation.entry, ownership: observation.ownership, ledger });
  if (entry.kind === 'refuse') return entry;
  // A new entry has no associations; an existing one has those that were listed.
  const associated = entry.kind === 'create' ? [] : (observation.associated ?? []);
  const policies = desired.accessPolicies === undefined ? null : diffPolicies(desired.accessPolicies, associated);
  return { ...entry, policies };
}

/** Whether planning needs the entry's associations listed: it exists, may be changed, and the spec manages them. */
export function needsAssociations(desired: DesiredEntry, entry: EntryPlan): boolean {
  return entry.kind === 'sync' && desired.accessPolicies !== undefined;
}

export function planEntry({ resource, desired, observed, ownership, ledger }: PlanInput): EntryPlan {
  if (observed === undefined || ownership === undefined) {
    return { kind: 'create', recreate: resource.status?.accessEntryArn !== undefined };
  }
  const refusal = refusalOf(ownership, resource, observed) ?? typeMismatch(desired, observed);
  if (refusal) return { kind: 'refuse', failure: refusal };
  const adopt = ownership.owner !== 'this-resource';
  if (!adopt) return { kind: 'sync', adopt, changes: diffEntry(desired, observed, ledger) };
  // Claimed in the same TagResource call as the ownership tags: the entry says it was adopted.
  const changes = diffEntry(desired, observed, { managedTagKeys: [] });
  return { kind: 'sync', adopt, changes: { ...changes, tagsToSet: { ...changes.tagsToSet, [ADOPTED_TAG]: 'true' } } };
}

function refusalOf(ownership: Ownership, resource: AccessEntry, observed: ObservedEntry): Failure | undefined {
  const principal = observed.principalArn;
  const adoptHint = 'Set spec.adoptExisting: true to manage it from this AccessEntry';
  switch (ownership.owner) {
    case 'this-resource':
      return undefined;
    case 'other-controller':
      return notOwned(
        `the access entry for ${principal} is managed by the controller with id ${ownership.controllerId} (tag ${MANAGED_BY_TAG}); ` +
          'a controller never takes over an entry another one manages, so it is left untouched. Manage it from that controller',
      );
    case 'other-resource':
      return notOwned(`AccessEntry ${ownership.name} already manages the entry for ${principal}: keep one resource per principal and cluster`);
    case 'orphaned':
      return resource.spec.adoptExisting
        ? undefined
        : notOwned(`the access entry for ${principal} was managed by AccessEntry ${ownership.name}, which no longer exists; it is left untouched. ${adoptHint}`);
    case 'nobody':
      return resource.spec.adoptExisting
        ? undefined
        : notOwned(
            `an access entry for ${principal} already exists and does not carry this controller's ownership tags (${MANAGED_BY_TAG}, ` +
              `${OWNER_TAG}): it was made outside this controller, or its tags were removed; it is left untouched. ${adoptHint}`,
          );
    case 'unclaimed':
      return resource.spec.adoptExisting
        ? undefined
        : notOwned(
            `the access entry for ${principal} is tagged as managed by this controller but names no AccessEntry (tag ${OWNER_TAG} ` +
              `is missing), so it is not this resource's to take; it is left untouched. ${adoptHint}`,
          );
  }
}

/** A type cannot change in place; adopting across types would hand a node role a person's groups, or the reverse. */
function typeMismatch(desired: DesiredEntry, observed: ObservedEntry): Failure | undefined {
  if (observed.type === desired.type) return undefined;
  return {
    retryable: false,
    reason: Reason.TypeMismatch,
    message:
      `EKS already has a ${observed.type} access entry for ${observed.principalArn}, but this AccessEntry declares type ` +
      `${desired.type}; a type cannot change, so the entry is left untouched. Delete it in EKS, or declare it with type ${observed.type}`,
  };
}

function notOwned(message: string): Failure {
  return { retryable: false, reason: Reason.NotOwned, message };
}
