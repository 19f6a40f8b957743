import type { AccessEntry } from '../api/accessentry.ts';
import { MANAGED_BY_TAG, OWNER_TAG, type EntryType } from '../api/names.ts';
import type { DesiredEntry, ObservedEntry } from '../eks/types.ts';

export interface Identity {
  /** Region used when the resource names none. */
  defaultRegion: string;
  /** This controller's id, written in the managed-by tag of every entry it manages. */
  controllerId: string;
}

export function desiredEntry(resource: AccessEntry, identity: Identity): DesiredEntry {
  const { spec } = resource;
  const type: EntryType = spec.type ?? 'STANDARD';
  return {
    region: spec.region ?? identity.defaultRegion,
    clusterName: spec.clusterName,
    principalArn: spec.principalArn,
    type,
    kubernetesGroups: type === 'STANDARD' ? [...new Set(spec.kubernetesGroups ?? [])].sort() : [],
    ...(spec.username !== undefined ? { username: spec.username } : {}),
    tags: { ...spec.tags, ...ownershipTags(resource.metadata.name ?? '', identity.controllerId) },
  };
}

export function ownershipTags(resourceName: string, controllerId: string): Record<string, string> {
  return { [MANAGED_BY_TAG]: controllerId, [OWNER_TAG]: resourceName };
}

/**
 * Who holds an existing entry. The tags say so; an entry whose ARN is the one this resource
 * recorded is also its own (someone stripped the tags, which the next sync puts back).
 */
export type Ownership = { owner: 'this-resource' } | { owner: 'other-resource'; name: string } | { owner: 'foreign' };

export function ownershipOf(observed: ObservedEntry, resource: AccessEntry, controllerId: string): Ownership {
  const name = resource.metadata.name ?? '';
  if (observed.accessEntryArn === resource.status?.accessEntryArn) return { owner: 'this-resource' };
  if (observed.tags[MANAGED_BY_TAG] !== controllerId) return { owner: 'foreign' };
  const taggedOwner = observed.tags[OWNER_TAG];
  if (taggedOwner === undefined || taggedOwner === name) return { owner: 'this-resource' };
  return { owner: 'other-resource', name: taggedOwner };
}
