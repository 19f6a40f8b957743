import type { AccessEntry } from '../api/accessentry.ts';
import { MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import type { ObservedEntry } from '../eks/types.ts';

/**
 * Who holds an existing entry, read from its tags in EKS: what a resource's status remembers
 * never overrides them, so two controllers can never both claim one entry.
 */
export type Ownership =
  | { owner: 'this-resource' }
  /** Tagged by this controller for another AccessEntry that exists. */
  | { owner: 'other-resource'; name: string }
  /** Tagged by this controller for an AccessEntry that no longer exists: adoptable. */
  | { owner: 'orphaned'; name: string }
  /** Tagged by another controller (another id): never adopted. */
  | { owner: 'other-controller'; controllerId: string }
  /** No managed-by tag: EKS's own entry, one made by hand, one handed back on Retain, or one whose tags were stripped. */
  | { owner: 'nobody' }
  /** Tagged managed-by this controller but naming no AccessEntry: claimed by nobody in particular, so adopted only on request. */
  | { owner: 'unclaimed' };

/**
 * Ownership as far as the tags tell it; 'other-resource' may still turn out 'orphaned' (see
 * resolveOwnership). Both tags are needed for an entry to be this resource's: what its status
 * remembers (an entry ARN, say) is a cache, never a proof, since whoever may write the status
 * subresource could otherwise make the controller claim an entry.
 */
export function ownershipOf(observed: ObservedEntry, resource: AccessEntry, controllerId: string): Ownership {
  const managedBy = observed.tags[MANAGED_BY_TAG];
  if (managedBy === undefined) return { owner: 'nobody' };
  if (managedBy !== controllerId) return { owner: 'other-controller', controllerId: managedBy };
  const taggedOwner = observed.tags[OWNER_TAG];
  if (taggedOwner === undefined) return { owner: 'unclaimed' };
  if (taggedOwner === resource.metadata.name) return { owner: 'this-resource' };
  return { owner: 'other-resource', name: taggedOwner };
}

/**
 * Ownership with the named owner looked up, so a message never names an AccessEntry that does
 * not exist. `exists` asks the API server, not the watch cache: the owner may belong to another
 * shard of this controller.
 */
export async function resolveOwnership(
  observed: ObservedEntry,
  resource: AccessEntry,
  controllerId: string,
  exists: (name: string) => Promise<boolean>,
): Promise<Ownership> {
  const ownership = ownershipOf(observed, resource, controllerId);
  if (ownership.owner !== 'other-resource' || (await exists(ownership.name))) return ownership;
  return { owner: 'orphaned', name: ownership.name };
}
