import { EventReason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import type { EntryChanges } from '../eks/diff.ts';
import type { AssociatedPolicy, DesiredEntry, ObservedEntry } from '../eks/types.ts';
import type { DriftField } from '../metrics/index.ts';
import type { Ledger } from './ledger.ts';

/** Something a reconcile changed in EKS, for an Event. */
export interface ChangeNote {
  reason: EventReason;
  message: string;
  /** A change a person should look at (a permission granted outside Git was removed). */
  warning?: boolean;
}

/** What executing a plan did: the entry as the calls left it, and the ledger that now holds. */
export interface Applied {
  entry: ObservedEntry;
  ledger: Ledger;
  /** The associated access policies as the calls left them; null when the spec leaves them unmanaged. */
  policies: AssociatedPolicy[] | null;
  notes: ChangeNote[];
  /** What the calls changed in EKS: drift, when the spec did not change (a resync found it). */
  changed: DriftField[];
  /** What the status records of the entry's principal afterwards; undefined: nothing learnt. */
  principal?: RecordedPrincipal;
  /** The entry was re-created for its principal's new id: what the calls put back is not drift. */
  healed?: boolean;
}

/** The principal of a resource's entry, as its status records it. */
export interface RecordedPrincipal {
  principalArn: string;
  /** The id EKS bound the entry to; null: not known (forget the recorded one); undefined: keep the recorded one. */
  principalId?: string | null;
  /** A previous principal whose entry is still to be removed; undefined: none is left. */
  previousPrincipalArn?: string;
}

/** The ledger of a resource that has just created its entry: every field it sent is its own. */
export function createdLedger(desired: DesiredEntry, created: ObservedEntry): Ledger {
  return withUsername({ managedTagKeys: Object.keys(desired.tags).sort(), adopted: false }, desired, created);
}

export function createdNote(entry: ObservedEntry, recreate: boolean): ChangeNote {
  return recreate
    ? { reason: EventReason.Recreated, message: `Re-created access entry ${entry.accessEntryArn} (it had been deleted outside this controller)` }
    : { reason: EventReason.Created, message: `Created access entry ${entry.accessEntryArn}` };
}

/**
 * Makes the calls a sync plan needs, in order: TagResource, then UpdateAccessEntry, then
 * UntagResource. Tags go first so the ownership tags are on the entry before anything else is
 * changed: an adopted entry (or one whose tags were stripped) is claimed before it is edited,
 * and an IAM policy that allows UpdateAccessEntry only on entries tagged managed-by lets the
 * update through. A call that fails stops the rest; what the earlier calls applied is still
 * returned with the error, so the status records tags this controller set and cannot orphan them.
 */
export interface SyncInput {
  desired: DesiredEntry;
  observed: ObservedEntry;
  plan: { adopt: boolean; changes: EntryChanges };
  /** The ledger before this sync. */
  before: Ledger;
}

export async function applySync(gateway: AccessEntryGateway, { desired, observed, plan, before }: SyncInput): Promise<Omit<Applied, 'policies'> & { error?: unknown }> {
  const { changes } = plan;
  const changed: DriftField[] = [];
  let entry = observed;
  let ledger: Ledger = plan.adopt ? { managedTagKeys: [], adopted: false } : before;
  const notes: ChangeNote[] = plan.adopt ? [{ reason: EventReason.Adopted, message: `Adopted existing access entry ${observed.accessEntryArn}` }] : [];
  try {
    if (Object.keys(changes.tagsToSet).length > 0) {
      await gateway.tag(desired, entry.accessEntryArn, changes.tagsToSet);
      changed.push('tags');
      entry = { ...entry, tags: { ...entry.tags, ...changes.tagsToSet } };
      ledger = { ...ledger, managedTagKeys: union(ledger.managedTagKeys, Object.keys(changes.tagsToSet)), adopted: ledger.adopted || plan.adopt };
    }
    if (changes.update) {
      entry = { ...(await gateway.update(desired, changes.update)), tags: entry.tags };
      ledger = withUsername(ledger, desired, entry);
      changed.push(...changes.update.fields);
    }
    if (changes.tagKeysToRemove.length > 0) {
      await gateway.untag(desired, entry.accessEntryArn, changes.tagKeysToRemove);
      if (!changed.includes('tags')) changed.push('tags');
      entry = { ...entry, tags: without(entry.tags, changes.tagKeysToRemove) };
      ledger = { ...ledger, managedTagKeys: ledger.managedTagKeys.filter((key) => !changes.tagKeysToRemove.includes(key)) };
    }
  } catch (error) {
    return { entry, ledger, notes: [], changed, error };
  }
  if (changes.update || Object.keys(changes.tagsToSet).length > 0 || changes.tagKeysToRemove.length > 0) {
    notes.push({ reason: EventReason.Updated, message: describeChanges(changes) });
  }
  return { entry, ledger: inSync(ledger, desired, plan.adopt, entry), notes, changed };
}

/**
 * Once in sync, the tag keys the spec declares and its username are this resource's: removing
 * one from the spec later removes it from EKS (and resets the username to EKS's default). Keys
 * recorded earlier that are neither declared nor on the entry any more are forgotten: a tag of
 * that key added later is someone else's.
 */
function inSync(ledger: Ledger, desired: DesiredEntry, adopt: boolean, entry: ObservedEntry): Ledger {
  return {
    ...withUsername(ledger, desired, entry),
    managedTagKeys: Object.keys(desired.tags).sort(),
    adopted: ledger.adopted || adopt,
  };
}

/**
 * The username the ledger holds once `entry` is as the calls left it: the one the spec sets, or,
 * while it sets none, the one EKS gave the entry (node types: EKS owns it, nothing to hold).
 */
function withUsername(ledger: Ledger, desired: DesiredEntry, entry: ObservedEntry): Ledger {
  const { managedUsername: _managed, assignedUsername: _assigned, ...rest } = ledger;
  if (desired.type !== 'STANDARD') return rest;
  return desired.username === undefined ? { ...rest, assignedUsername: entry.username } : { ...rest, managedUsername: desired.username };
}

function describeChanges(changes: EntryChanges): string {
  const parts: string[] = [];
  const { update } = changes;
  if (update?.fields.includes('kubernetesGroups')) parts.push(`kubernetesGroups [${update.kubernetesGroups.join(', ')}]`);
  if (update?.fields.includes('username')) parts.push(update.username === undefined ? "username reset to EKS's default" : `username ${update.username}`);
  const setKeys = Object.keys(changes.tagsToSet);
  if (setKeys.length > 0) parts.push(`tags set: ${setKeys.join(', ')}`);
  if (changes.tagKeysToRemove.length > 0) parts.push(`tags removed: ${changes.tagKeysToRemove.join(', ')}`);
  return `Updated ${parts.join('; ')}`;
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

function without(tags: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !keys.includes(key)));
}
