import type { AccessEntry } from '../api/accessentry.ts';
import { ADOPTED_TAG, FINALIZER, MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import { EventReason, Reason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import type { EntryRef, ObservedEntry } from '../eks/types.ts';
import type { ChangeNote } from './apply.ts';
import { ExplainedFailure, explainFailure } from './explain.ts';
import { ownershipOf } from './ownership.ts';
import { accountMismatch, isFailure, placeForDeletion, type PlacementContext } from './place.ts';
import { recordedPrincipals } from './principal.ts';

/** What locating an entry calls: reads only (Describe, STS, and DescribeCluster or ListAccessPolicies to explain a failure). */
export type LocateGateway = Pick<AccessEntryGateway, 'describe' | 'callerAccount' | 'authenticationMode' | 'availablePolicies'>;

export interface FinalizeContext {
  gateway: AccessEntryGateway;
  controllerId: string;
  /** Where the entry is looked for: the same placement as reconciling uses. */
  placement: PlacementContext;
  now: Date;
  /**
   * The role spec.principal resolves to now, for a resource whose status recorded none (its write
   * lost right after the create): only an entry this resource owns (by its tags) is then touched.
   */
  unrecorded?: () => Promise<string | undefined>;
}

/** The principals whose entries the resource may have: recorded ones, else what its permission set resolves to now. */
export async function principalsOf(resource: AccessEntry, context: Pick<FinalizeContext, 'unrecorded'>): Promise<string[]> {
  const recorded = recordedPrincipals(resource);
  if (recorded.length > 0 || context.unrecorded === undefined) return recorded;
  const resolved = await context.unrecorded();
  return resolved === undefined ? [] : [resolved];
}

/**
 * What deleting the resource does in EKS, before its finalizer may go: resolves to the note for
 * the Event, throws when the finalizer must stay (the caller explains the failure). Every entry
 * the resource may have is released: its principal's as recorded (the role a permission set
 * resolved to, even if the permission set is gone), and a previous one still being removed.
 */
export async function releaseEntry(resource: AccessEntry, context: FinalizeContext): Promise<ChangeNote> {
  const principals = await principalsOf(resource, context);
  // A permission set that never resolved: nothing was ever made in EKS.
  if (principals.length === 0) return { reason: EventReason.Deleted, message: 'No access entry had been made in EKS' };
  const notes: ChangeNote[] = [];
  for (const principalArn of principals.reverse()) notes.push(await releaseOne(resource, context, principalArn));
  const [main] = notes.slice(-1) as [ChangeNote];
  return notes.length === 1 ? main : { ...main, message: notes.map((note) => note.message).join('; ') };
}

async function releaseOne(resource: AccessEntry, context: FinalizeContext, principalArn: string): Promise<ChangeNote> {
  const located = await locateEntry(resource, context, principalArn, 'Until then the finalizer stays');
  const release = releaseDecision(resource, located);
  switch (release.kind) {
    case 'gone':
      return release.retain
        ? { reason: EventReason.Retained, message: 'deletionPolicy is Retain and the access entry was already gone from EKS' }
        : { reason: EventReason.Deleted, message: 'The access entry was already gone from EKS' };
    case 'not-ours':
      return { reason: EventReason.Retained, message: `Left ${release.entry.accessEntryArn} in place: this resource does not own it` };
    case 'hand-back':
      // Handed back: a later AccessEntry of the same name must ask to adopt it, not own it silently.
      await context.gateway.untag(located.ref, release.entry.accessEntryArn, [...HAND_BACK_TAG_KEYS]);
      return { reason: EventReason.Retained, message: `${release.why}: left ${release.entry.accessEntryArn} in EKS and removed this controller's tags` };
    case 'delete': {
      const result = await context.gateway.delete(located.ref);
      return { reason: EventReason.Deleted, message: `Deleted access entry ${release.entry.accessEntryArn} (${result})` };
    }
  }
}

/** The tags a hand-back removes: the entry is nobody's afterwards. */
export const HAND_BACK_TAG_KEYS = [MANAGED_BY_TAG, OWNER_TAG, ADOPTED_TAG] as const;

/** What deleting the resource does to the entry it located (pure): the finalizer and `plan --prune` both decide with it. */
export type Release =
  | { kind: 'gone'; retain: boolean }
  | { kind: 'not-ours'; entry: ObservedEntry }
  /** Left in EKS with this controller's tags removed; `why` says which rule kept it. */
  | { kind: 'hand-back'; entry: ObservedEntry; why: string }
  | { kind: 'delete'; entry: ObservedEntry };

export function releaseDecision(resource: AccessEntry, located: Located): Release {
  const policy = resource.spec.deletionPolicy ?? 'Delete';
  if (located.found === 'gone') return { kind: 'gone', retain: policy === 'Retain' };
  const { entry } = located;
  if (located.found === 'not-ours') return { kind: 'not-ours', entry };
  const why = handBackReason(policy, entry.tags[ADOPTED_TAG] === 'true' || resource.status?.adopted === true);
  return why === undefined ? { kind: 'delete', entry } : { kind: 'hand-back', entry, why };
}

/**
 * What expiry (spec.expiresAt passed) does in EKS: the access ends, so an entry this resource
 * owns is deleted, whatever deletionPolicy says (that is about deleting the object). Resolves to
 * the note for the Event, or undefined when there was nothing of its own to remove.
 */
export async function expireEntry(resource: AccessEntry, context: FinalizeContext): Promise<ChangeNote | undefined> {
  const deleted: string[] = [];
  for (const principalArn of await principalsOf(resource, context)) {
    const located = await locateEntry(resource, context, principalArn, 'The access could not be revoked yet');
    if (located.found !== 'own') continue;
    await context.gateway.delete(located.ref);
    deleted.push(located.entry.accessEntryArn);
  }
  if (deleted.length === 0) return undefined;
  return { reason: EventReason.Expired, message: `Access expired at ${resource.spec.expiresAt ?? ''}: deleted access entry ${deleted.join(', ')}` };
}

/**
 * The entry, looked for where the resource recorded it, with credentials of the account it
 * recorded: a "not found" caused by the controller's own mistake (another region, another
 * account's credentials) must never pass for "already gone", or the entry would keep granting
 * access with nothing left to manage it. `until` ends the message of a failure to look.
 */
export type Located = { ref: EntryRef } & ({ found: 'gone' } | { found: 'own' | 'not-ours'; entry: ObservedEntry });

/** What locating needs: the finalizer's context, or `plan`'s with a gateway that can only read. */
export type LocateContext = Omit<FinalizeContext, 'gateway' | 'unrecorded'> & { gateway: LocateGateway };

export async function locateEntry(resource: AccessEntry, context: LocateContext, principalArn: string, until: string): Promise<Located> {
  const place = placeForDeletion(resource, context.placement);
  if (isFailure(place)) throw new ExplainedFailure({ ...place, message: `${place.message}. ${until}` });
  const { accountId: _recordedAccount, ...target } = place;
  const ref: EntryRef = { ...target, clusterName: resource.spec.clusterName, principalArn };
  if (place.accountId !== undefined) {
    const mismatch = accountMismatch(place, await context.gateway.callerAccount(ref));
    if (mismatch) throw new ExplainedFailure({ ...mismatch, message: `${mismatch.message}. ${until}` });
  }
  const entry = await describeForDeletion(resource, ref, context);
  if (!entry) return { ref, found: 'gone' };
  return { ref, entry, found: ownershipOf(entry, resource, context.controllerId).owner === 'this-resource' ? 'own' : 'not-ours' };
}

/**
 * Why the entry is handed back rather than deleted, or undefined to delete it. An adopted entry
 * existed before this resource (EKS made it for the cluster creator or a node group, or someone
 * by hand): deleting it by default could lock administrators out or stop nodes from joining.
 */
export function handBackReason(policy: NonNullable<AccessEntry['spec']['deletionPolicy']>, adopted: boolean): string | undefined {
  if (policy === 'Retain') return 'deletionPolicy is Retain';
  if (policy === 'Delete' && adopted) {
    return 'the entry existed before this AccessEntry adopted it, so deleting the AccessEntry hands it back (deletionPolicy DeleteEvenIfAdopted would delete it)';
  }
  return undefined;
}

/** A CONFIG_MAP-only cluster cannot hold access entries: nothing of ours is there. */
async function describeForDeletion(resource: AccessEntry, ref: EntryRef, context: LocateContext): Promise<ObservedEntry | undefined> {
  try {
    return await context.gateway.describe(ref);
  } catch (err) {
    const failure = await explainFailure(err, { status: resource.status, ref, gateway: context.gateway, now: context.now, principalGraceMs: 0 });
    if (failure.reason === Reason.AuthenticationModeConfigMap) return undefined;
    // Carries the explanation, so the caller does not look the cluster up a second time.
    throw new ExplainedFailure(failure);
  }
}

export function hasFinalizer(resource: AccessEntry): boolean {
  return resource.metadata.finalizers?.includes(FINALIZER) ?? false;
}
