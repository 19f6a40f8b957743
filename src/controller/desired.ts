import type { AccessEntry } from '../api/accessentry.ts';
import { MANAGED_BY_TAG, OWNER_TAG, type EntryType } from '../api/names.ts';
import type { DesiredEntry } from '../eks/types.ts';

export interface Identity {
  /** Region used when the resource names none. */
  defaultRegion: string;
  /** This controller's id, written in the managed-by tag of every entry it manages. */
  controllerId: string;
}

/** The entry the resource asks for, in the region it is reconciled in. */
export function desiredEntry(resource: AccessEntry, region: string, controllerId: string): DesiredEntry {
  const { spec } = resource;
  const type: EntryType = spec.type ?? 'STANDARD';
  return {
    region,
    clusterName: spec.clusterName,
    principalArn: spec.principalArn,
    type,
    kubernetesGroups: type === 'STANDARD' ? [...new Set(spec.kubernetesGroups ?? [])].sort() : [],
    ...(type === 'STANDARD' && spec.username !== undefined ? { username: spec.username } : {}),
    tags: { ...spec.tags, ...ownershipTags(resource.metadata.name ?? '', controllerId) },
  };
}

export function ownershipTags(resourceName: string, controllerId: string): Record<string, string> {
  return { [MANAGED_BY_TAG]: controllerId, [OWNER_TAG]: resourceName };
}
