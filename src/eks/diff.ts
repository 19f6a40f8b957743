import type { DesiredEntry, EntryUpdate, ObservedEntry } from './types.ts';

/** What this resource did to the entry before, as its status remembers it. */
export interface ManagedFields {
  /** Tag keys it set: only these may be removed, so tags added by anyone else survive. */
  managedTagKeys: readonly string[];
  /** The username it set: only that one is reset to EKS's default when spec.username goes. */
  managedUsername?: string;
  /**
   * While spec.username is unset, the username EKS gave the entry when this resource created,
   * adopted or last reset it: EKS's own answer, not a guess of its default. Another username
   * found later was set outside Git.
   */
  assignedUsername?: string;
}

/** The calls that bring an existing entry to the desired state; empty when in sync. */
export interface EntryChanges {
  update?: EntryUpdate & { fields: ('kubernetesGroups' | 'username')[] };
  tagsToSet: Record<string, string>;
  tagKeysToRemove: string[];
}

export function hasChanges(changes: EntryChanges): boolean {
  return changes.update !== undefined || Object.keys(changes.tagsToSet).length > 0 || changes.tagKeysToRemove.length > 0;
}

/** Diffs desired against observed, touching only what this resource manages. */
export function diffEntry(desired: DesiredEntry, observed: ObservedEntry, managed: ManagedFields): EntryChanges {
  return {
    ...diffUpdate(desired, observed, managed),
    ...diffTags(desired.tags, observed.tags, managed.managedTagKeys),
  };
}

function diffUpdate(desired: DesiredEntry, observed: ObservedEntry, managed: ManagedFields): Pick<EntryChanges, 'update'> {
  // EKS owns the groups and username of node entries (EC2_LINUX reports system:nodes):
  // diffing them would fight EKS forever.
  if (desired.type !== 'STANDARD') return {};
  const fields: ('kubernetesGroups' | 'username')[] = [];
  if (!sameSet(desired.kubernetesGroups, observed.kubernetesGroups)) fields.push('kubernetesGroups');
  const resetsUsername = desired.username === undefined && usernameGoesBack(observed, managed);
  if ((desired.username !== undefined && desired.username !== observed.username) || resetsUsername) fields.push('username');
  if (fields.length === 0) return {};
  const username = desired.username ?? (resetsUsername ? undefined : observed.username);
  return {
    update: {
      kubernetesGroups: [...new Set(desired.kubernetesGroups)].sort(),
      ...(username !== undefined ? { username } : {}),
      fields,
    },
  };
}

/**
 * An unset username means "EKS's default" and is never compared with a guess of it. It goes back
 * to the default (an update without one) when this resource set one earlier, or when it differs
 * from what EKS itself assigned: the username is what RBAC binds to, the field someone with
 * eks:UpdateAccessEntry would change to get in as someone else.
 */
function usernameGoesBack(observed: ObservedEntry, managed: ManagedFields): boolean {
  if (managed.managedUsername !== undefined) return true;
  return managed.assignedUsername !== undefined && observed.username !== managed.assignedUsername;
}

function diffTags(
  desired: Record<string, string>,
  observed: Record<string, string>,
  managedKeys: readonly string[],
): Pick<EntryChanges, 'tagsToSet' | 'tagKeysToRemove'> {
  const tagsToSet = Object.fromEntries(Object.entries(desired).filter(([key, value]) => observed[key] !== value));
  const tagKeysToRemove = managedKeys.filter((key) => !(key in desired) && key in observed).sort();
  return { tagsToSet, tagKeysToRemove };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}
