import type { AccessEntry, AccessEntryStatus } from '../api/accessentry.ts';
import { MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import type { ManagedFields } from '../eks/diff.ts';

/** What this resource has done to its entry, as its status remembers it. */
export interface Ledger extends ManagedFields {
  managedTagKeys: string[];
  /** It took over an entry that existed before it. */
  adopted: boolean;
}

export function ledgerOf(status: AccessEntryStatus | undefined): Ledger {
  return {
    managedTagKeys: [...(status?.managedTagKeys ?? [])],
    ...(status?.managedUsername !== undefined ? { managedUsername: status.managedUsername } : {}),
    ...(status?.assignedUsername !== undefined ? { assignedUsername: status.assignedUsername } : {}),
    adopted: status?.adopted ?? false,
  };
}

/**
 * The ledger to record before the calls for `resource`'s spec are made: everything those calls
 * could set counts as this resource's already (its tag keys, the ownership tags, its username).
 * Recorded after the calls instead, a lost status write and a spec edit before the retry would
 * leave a tag in EKS that no ledger names, so that nothing would ever remove it.
 */
export function ledgerAhead(resource: AccessEntry): Ledger {
  const recorded = ledgerOf(resource.status);
  const { spec } = resource;
  const declaredKeys = [...Object.keys(spec.tags ?? {}), MANAGED_BY_TAG, OWNER_TAG];
  const username = (spec.type ?? 'STANDARD') === 'STANDARD' ? spec.username : undefined;
  return {
    ...recorded,
    managedTagKeys: [...new Set([...recorded.managedTagKeys, ...declaredKeys])].sort(),
    ...(username !== undefined ? { managedUsername: username } : {}),
  };
}

/**
 * The ledger a reconcile of `resource` works with: for a generation it has not worked on yet, the
 * one it records ahead of its calls (ledgerAhead, written with the Progressing status), otherwise
 * the one its status holds. `plan` uses it to diff as the coming reconcile will.
 */
export function attemptLedger(resource: AccessEntry): Ledger {
  return resource.status?.observedGeneration === resource.metadata.generation ? ledgerOf(resource.status) : ledgerAhead(resource);
}
