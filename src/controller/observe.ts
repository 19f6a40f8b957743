import type { AccessEntry } from '../api/accessentry.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import type { DesiredEntry } from '../eks/types.ts';
import type { Ledger } from './ledger.ts';
import { resolveOwnership } from './ownership.ts';
import { needsAssociations, planEntry, type Observation } from './plan.ts';

export interface ObserveDeps {
  /** Only reads are called: Describe, ListAssociatedAccessPolicies. */
  gateway: Pick<AccessEntryGateway, 'describe' | 'listAssociatedPolicies'>;
  controllerId: string;
  /** Whether an AccessEntry of that name exists (the owner another entry's tags name). */
  exists(name: string): Promise<boolean>;
}

/**
 * Reads from EKS what planning needs, and no more: the entry, who owns it (from its tags), and its
 * associations only where the plan will manage them (never for an entry the resource may not
 * touch, never on node entries that fail the listing).
 */
export async function observe(deps: ObserveDeps, resource: AccessEntry, desired: DesiredEntry, ledger: Ledger): Promise<Observation> {
  const entry = await deps.gateway.describe(desired);
  if (entry === undefined) return { associated: null };
  const ownership = await resolveOwnership(entry, resource, deps.controllerId, (name) => deps.exists(name));
  const plan = planEntry({ resource, desired, observed: entry, ownership, ledger });
  const associated = needsAssociations(desired, plan) ? await deps.gateway.listAssociatedPolicies(desired) : null;
  return { entry, ownership, associated };
}
