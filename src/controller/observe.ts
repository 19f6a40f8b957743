import type { AccessEntry } from '../api/accessentry.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import type { DesiredEntry } from '../eks/types.ts';
import type { PrincipalState } from '../iam/directory.ts';
import type { Ledger } from './ledger.ts';
import { resolveOwnership } from './ownership.ts';
import { needsAssociations, planEntry, type Observation, type PreviousEntry } from './plan.ts';

export interface ObserveDeps {
  /** Only reads are called: Describe, ListAssociatedAccessPolicies. */
  gateway: Pick<AccessEntryGateway, 'describe' | 'listAssociatedPolicies'>;
  controllerId: string;
  /** Whether an AccessEntry of that name exists (the owner another entry's tags name). */
  exists(name: string): Promise<boolean>;
}

/**
 * Reads from EKS what planning needs, and no more: the entry, who owns it (from its tags), its
 * associations only where the plan will manage them or re-create them (never for an entry the
 * resource may not touch, never on node entries that fail the listing), and the entry of the
 * principal the resource had before, while one may remain. What IAM says of the principal was read
 * before (principal.ts) and is passed in.
 */
export interface ObserveInput {
  resource: AccessEntry;
  desired: DesiredEntry;
  ledger: Ledger;
  /** What IAM says of desired.principalArn. */
  principal: PrincipalState;
}

export async function observe(deps: ObserveDeps, { resource, desired, ledger, principal }: ObserveInput): Promise<Observation> {
  const previous = await observePrevious(deps, resource, desired);
  const entry = await deps.gateway.describe(desired);
  if (entry === undefined) return { associated: null, principal, ...(previous ? { previous } : {}) };
  const ownership = await resolveOwnership(entry, resource, deps.controllerId, (name) => deps.exists(name));
  const plan = planEntry({ resource, desired, observed: entry, ownership, ledger, principal });
  const associated = needsAssociations(desired, plan) ? await deps.gateway.listAssociatedPolicies(desired) : null;
  return { entry, ownership, associated, principal, ...(previous ? { previous } : {}) };
}

/**
 * The principal whose entry the resource may still have besides the desired one: the one it
 * recorded before spec.principal resolved to another role, or the one it is still removing.
 */
export function previousPrincipal(resource: AccessEntry, desired: DesiredEntry): string | undefined {
  const { principalArn, previousPrincipalArn } = resource.status ?? {};
  if (previousPrincipalArn !== undefined && previousPrincipalArn !== desired.principalArn) return previousPrincipalArn;
  return principalArn !== undefined && principalArn !== desired.principalArn ? principalArn : undefined;
}

async function observePrevious(deps: ObserveDeps, resource: AccessEntry, desired: DesiredEntry): Promise<PreviousEntry | undefined> {
  const principalArn = previousPrincipal(resource, desired);
  if (principalArn === undefined) return undefined;
  const entry = await deps.gateway.describe({ ...desired, principalArn });
  if (entry === undefined) return { principalArn };
  return { principalArn, entry, ownership: await resolveOwnership(entry, resource, deps.controllerId, (name) => deps.exists(name)) };
}
