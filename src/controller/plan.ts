// The one planning step: what to do about an entry, decided from what was observed of it, with
// no I/O. The controller executes the plan; the command line's `plan` shows it. They cannot
// disagree, because both call this.
import type { AccessEntry } from '../api/accessentry.ts';
import { ADOPTED_TAG, MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import { diffEntry, type EntryChanges } from '../eks/diff.ts';
import { diffPolicies, type PolicyChanges } from '../eks/policy-diff.ts';
import type { AssociatedPolicy, DesiredEntry, DesiredPolicy, ObservedEntry } from '../eks/types.ts';
import type { PrincipalState } from '../iam/directory.ts';
import type { IamPrincipal } from '../iam/principals.ts';
import { takesPolicies } from './desired.ts';
import type { Failure } from './failures.ts';
import type { Ledger } from './ledger.ts';
import type { Ownership } from './ownership.ts';
import { principalGone, principalRecreatedReport, principalVerdict } from './principal-verdict.ts';

/**
 * What to do about the entry, decided from what is known of it; executing it is another step.
 * `principalId` is the id of the principal to record once the calls succeed: a string, null to
 * forget the recorded one (a new entry whose principal IAM did not tell), undefined to keep it.
 */
export type EntryPlan =
  /** No entry exists (or none is known yet): create it with every field. */
  | { kind: 'create'; recreate: boolean; principalId: string | null }
  /** The entry is not this resource's to change, or its principal is gone or re-created (Report): it is left untouched. */
  | { kind: 'refuse'; failure: Failure }
  /** Bring the existing entry in line, taking it over first when `adopt`. */
  | { kind: 'sync'; adopt: boolean; changes: EntryChanges; principalId: string | undefined }
  /**
   * The principal was deleted and created again: delete the entry and create it anew for the new
   * id, with `tags` (the spec's, and those others set that a sync would keep).
   */
  | {
      kind: 'heal';
      principal: IamPrincipal;
      boundTo: string | undefined;
      tags: Record<string, string>;
      principalId: string;
      /** An entry being adopted: the ownership tags it is claimed with first (nothing else may touch it before). */
      claim?: Record<string, string>;
    };

export interface PlanInput {
  resource: AccessEntry;
  desired: DesiredEntry;
  /** Undefined when no entry exists, or when none was looked up because none was recorded yet. */
  observed: ObservedEntry | undefined;
  ownership: Ownership | undefined;
  ledger: Ledger;
  /** What IAM says of desired.principalArn; unknown when it was not asked. */
  principal: PrincipalState;
}

/** What was read of the entry before planning: nothing at all for a resource not expected to have one yet. */
export interface Observation {
  entry?: ObservedEntry;
  ownership?: Ownership;
  /** The associations, listed only where the plan manages them on an existing entry (or re-creates it); null otherwise. */
  associated: AssociatedPolicy[] | null;
  /** What IAM says of the principal; unknown when it was not asked. */
  principal?: PrincipalState;
  /** The entry of the principal this resource had before spec.principal resolved to another one, if it may remain. */
  previous?: PreviousEntry;
}

/** The entry of the resource's previous principal (a permission set re-provisioned), as observed. */
export interface PreviousEntry {
  principalArn: string;
  /** Undefined: EKS has none any more. */
  entry?: ObservedEntry;
  ownership?: Ownership;
}

/**
 * The previous principal's entry, to remove once the new one is in place (so access never
 * lapses): `entry` when this resource owns it (an adopted one is handed back), none when it is
 * gone or someone else's; either way the resource forgets it afterwards.
 */
export interface Retirement {
  principalArn: string;
  entry?: ObservedEntry;
}

/** The whole plan: the entry's, the association calls that follow it (null: not managed here), and a previous entry to remove. */
export type ReconcilePlan =
  | { kind: 'refuse'; failure: Failure }
  | (Exclude<EntryPlan, { kind: 'refuse' }> & { policies: PolicyChanges | null; retire?: Retirement });

export interface ReconcileInput {
  resource: AccessEntry;
  desired: DesiredEntry;
  ledger: Ledger;
  observation: Observation;
}

export function planReconcile({ resource, desired, ledger, observation }: ReconcileInput): ReconcilePlan {
  const { entry: observed, ownership, associated: listed } = observation;
  const entry = planEntry({ resource, desired, observed, ownership, ledger, principal: observation.principal ?? UNKNOWN });
  if (entry.kind === 'refuse') return entry;
  const retire = retirementOf(observation.previous);
  return { ...entry, policies: policyPlan(entry, desired, listed), ...(retire ? { retire } : {}) };
}

/**
 * The association calls after the entry's: a new or re-created entry has none, so every one to
 * hold is associated; re-created, it gets back those it had when the spec does not manage them.
 */
function policyPlan(entry: Exclude<EntryPlan, { kind: 'refuse' }>, desired: DesiredEntry, listed: AssociatedPolicy[] | null): PolicyChanges | null {
  if (entry.kind === 'heal' && desired.accessPolicies === undefined) return listed === null ? null : diffPolicies(listed.map(asDesired), []);
  if (desired.accessPolicies === undefined) return null;
  return diffPolicies(desired.accessPolicies, entry.kind === 'sync' ? (listed ?? []) : []);
}

/** Whether planning needs the entry's associations listed: it may be changed and the spec manages them, or it is re-created and they must come back. */
export function needsAssociations(desired: DesiredEntry, entry: EntryPlan): boolean {
  if (entry.kind === 'heal') return desired.accessPolicies === undefined && takesPolicies(desired.type);
  return entry.kind === 'sync' && desired.accessPolicies !== undefined;
}

export function planEntry(input: PlanInput): EntryPlan {
  const { resource, desired, observed, ownership, principal } = input;
  if (observed === undefined || ownership === undefined) {
    // A principal IAM does not know is left to EKS to refuse: IAM may only be slow to show a new one.
    const principalId = principal.kind === 'found' ? principal.principal.id : null;
    const moved = resource.status?.principalArn !== undefined && resource.status.principalArn !== desired.principalArn;
    return { kind: 'create', recreate: resource.status?.accessEntryArn !== undefined && !moved, principalId };
  }
  const refusal = refusalOf(ownership, resource, observed) ?? typeMismatch(desired, observed);
  if (refusal) return { kind: 'refuse', failure: refusal };
  return planExisting({ ...input, observed, adopt: ownership.owner !== 'this-resource' });
}

/** An entry this resource may change: as IAM's principal says (heal, report, leave), else synced, adopted first when `adopt`. */
function planExisting({ resource, desired, observed, ledger, principal, adopt }: PlanInput & { observed: ObservedEntry; adopt: boolean }): EntryPlan {
  const verdict = principalVerdict(principal, adopt ? undefined : resource.status?.principalId, observed);
  if (verdict.kind === 'gone') return { kind: 'refuse', failure: principalGone(observed) };
  if (verdict.kind === 'recreated') {
    if (resource.spec.onPrincipalRecreated === 'Report') return { kind: 'refuse', failure: principalRecreatedReport(resource, observed, verdict) };
    const { principal: now, boundTo } = verdict;
    if (!adopt) return { kind: 'heal', principal: now, boundTo, tags: tagsToKeep(desired, observed, ledger), principalId: now.id };
    // Claimed before it is deleted (only an entry tagged as this controller's may be), and still adopted once re-created.
    const claim = { ...diffEntry(desired, observed, { managedTagKeys: [] }).tagsToSet, [ADOPTED_TAG]: 'true' };
    return { kind: 'heal', principal: now, boundTo, tags: { ...tagsToKeep(desired, observed, { ...ledger, managedTagKeys: [] }), ...claim }, principalId: now.id, claim };
  }
  const principalId = verdict.kind === 'bound' ? verdict.principalId : undefined;
  if (!adopt) return { kind: 'sync', adopt, changes: diffEntry(desired, observed, ledger), principalId };
  // Claimed in the same TagResource call as the ownership tags: the entry says it was adopted.
  const changes = diffEntry(desired, observed, { managedTagKeys: [] });
  return { kind: 'sync', adopt, changes: { ...changes, tagsToSet: { ...changes.tagsToSet, [ADOPTED_TAG]: 'true' } }, principalId };
}

const UNKNOWN: PrincipalState = { kind: 'unknown', error: undefined };

/** The tags a sync would leave on the entry: the spec's, and others' (a tag key this resource set and the spec dropped goes). */
function tagsToKeep(desired: DesiredEntry, observed: ObservedEntry, ledger: Ledger): Record<string, string> {
  const dropped = new Set(ledger.managedTagKeys.filter((key) => !(key in desired.tags)));
  return { ...Object.fromEntries(Object.entries(observed.tags).filter(([key]) => !dropped.has(key))), ...desired.tags };
}

function asDesired({ policyArn, accessScope }: AssociatedPolicy): DesiredPolicy {
  return { policyArn, accessScope };
}

/** Only an entry this resource owns is removed; one gone or someone else's is simply forgotten. */
function retirementOf(previous: PreviousEntry | undefined): Retirement | undefined {
  if (previous === undefined) return undefined;
  const ours = previous.entry !== undefined && previous.ownership?.owner === 'this-resource';
  return { principalArn: previous.principalArn, ...(ours ? { entry: previous.entry } : {}) };
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
