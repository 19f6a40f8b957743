import type { DesiredEntry, ObservedEntry } from './types.ts';

/** The calls that bring an existing entry to the desired state; empty when in sync. */
export interface EntryPlan {
  /** UpdateAccessEntry replaces both fields, so both are always sent complete. */
  update?: { kubernetesGroups: string[]; username: string };
  tagsToSet: Record<string, string>;
  tagKeysToRemove: string[];
}

export function isEmptyPlan(plan: EntryPlan): boolean {
  return !plan.update && Object.keys(plan.tagsToSet).length === 0 && plan.tagKeysToRemove.length === 0;
}

/**
 * Diffs desired against observed. `previouslyManagedTagKeys` are the tag keys this controller
 * set before: only those may be removed, so tags added by anyone else survive.
 */
export function planChanges(
  desired: DesiredEntry,
  observed: ObservedEntry,
  previouslyManagedTagKeys: readonly string[],
): EntryPlan {
  return {
    ...planUpdate(desired, observed),
    ...planTags(desired.tags, observed.tags, previouslyManagedTagKeys),
  };
}

function planUpdate(desired: DesiredEntry, observed: ObservedEntry): Pick<EntryPlan, 'update'> {
  // EKS owns the groups and username of node entries (EC2_LINUX reports system:nodes):
  // diffing them would fight EKS forever.
  if (desired.type !== 'STANDARD') return {};
  const groupsDiffer = !sameSet(desired.kubernetesGroups, observed.kubernetesGroups);
  // An unset username means "EKS's default", which is never compared.
  const usernameDiffers = desired.username !== undefined && desired.username !== observed.username;
  if (!groupsDiffer && !usernameDiffers) return {};
  return {
    update: {
      kubernetesGroups: [...new Set(desired.kubernetesGroups)].sort(),
      username: desired.username ?? observed.username,
    },
  };
}

function planTags(
  desired: Record<string, string>,
  observed: Record<string, string>,
  previouslyManaged: readonly string[],
): Pick<EntryPlan, 'tagsToSet' | 'tagKeysToRemove'> {
  const tagsToSet = Object.fromEntries(Object.entries(desired).filter(([key, value]) => observed[key] !== value));
  const tagKeysToRemove = previouslyManaged.filter((key) => !(key in desired) && key in observed).sort();
  return { tagsToSet, tagKeysToRemove };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}
