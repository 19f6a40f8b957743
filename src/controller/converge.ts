import { createHash } from 'node:crypto';
import type { AccessEntry } from '../api/accessentry.ts';
import { ConditionType } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import { AwsCallError } from '../eks/errors.ts';
import type { PolicyChanges } from '../eks/policy-diff.ts';
import type { AssociatedPolicy, DesiredEntry, ObservedEntry } from '../eks/types.ts';
import { applyPolicies } from './apply-policies.ts';
import { applySync, createdLedger, createdNote, type Applied, type ChangeNote } from './apply.ts';
import type { Failure } from './failures.ts';
import type { Ledger } from './ledger.ts';
import { observe } from './observe.ts';
import { planReconcile, type Observation, type ReconcilePlan } from './plan.ts';

export interface ConvergeDeps {
  gateway: AccessEntryGateway;
  controllerId: string;
  /** Whether an AccessEntry of that name exists (the owner another entry's tags name). */
  exists(name: string): Promise<boolean>;
}

export type Converged =
  | { kind: 'synced'; applied: Applied }
  /** The entry is not this resource's to change; nothing was called that changes it. */
  | { kind: 'refused'; failure: Failure }
  /** A call failed after earlier ones had changed the entry: `applied` says what holds now. */
  | { kind: 'interrupted'; error: unknown; applied: Applied };

/**
 * Observe, plan (planReconcile, the step `plan` on the command line shares), execute, with the
 * fewest EKS calls that are correct. A resource that has no entry yet goes straight to
 * CreateAccessEntry (no Describe first); a ResourceInUseException then says one exists, and it is
 * observed and planned again. Calls that fail before anything changed throw; the caller explains
 * them.
 */
export async function converge(deps: ConvergeDeps, resource: AccessEntry, desired: DesiredEntry, ledger: Ledger): Promise<Converged> {
  let lookedUp = expectsEntry(resource);
  let observation: Observation = lookedUp ? await observe(deps, resource, desired, ledger) : { associated: null };
  for (;;) {
    const plan = planReconcile({ resource, desired, ledger, observation });
    if (plan.kind === 'refuse') return { kind: 'refused', failure: plan.failure };
    if (plan.kind === 'sync' && observation.entry) return sync(deps.gateway, { resource, desired, observed: observation.entry, plan, ledger, associated: observation.associated });
    const created = await tryCreate(deps.gateway, desired, clientRequestToken(resource));
    if (created) {
      const applied: Applied = { entry: created, ledger: createdLedger(desired, created), policies: [], notes: [createdNote(created, plan.kind === 'create' && plan.recreate)], changed: [] };
      return withPolicies(deps.gateway, { resource, desired }, applied, plan.policies);
    }
    // Describe said "none", create said "exists": another writer is racing us; start over later.
    if (lookedUp) throw new Error('EKS reported the access entry missing, then existing, while it was being created; retrying');
    lookedUp = true;
    observation = await observe(deps, resource, desired, ledger);
    if (!observation.entry) throw new Error('the access entry was deleted while being created; retrying');
  }
}

interface SyncInput {
  resource: AccessEntry;
  desired: DesiredEntry;
  observed: ObservedEntry;
  plan: Extract<ReconcilePlan, { kind: 'sync' }>;
  ledger: Ledger;
  associated: AssociatedPolicy[] | null;
}

async function sync(gateway: AccessEntryGateway, { resource, desired, observed, plan, ledger, associated }: SyncInput): Promise<Converged> {
  const { error, ...entryApplied } = await applySync(gateway, { desired, observed, plan, before: ledger });
  const applied: Applied = { ...entryApplied, policies: associated };
  if (error !== undefined) return { kind: 'interrupted', error, applied };
  return withPolicies(gateway, { resource, desired }, applied, plan.policies);
}

/** Makes the planned association calls, when the spec manages the associations. */
async function withPolicies(
  gateway: AccessEntryGateway,
  { resource, desired }: { resource: AccessEntry; desired: DesiredEntry },
  applied: Applied,
  changes: PolicyChanges | null,
): Promise<Converged> {
  if (changes === null) return { kind: 'synced', applied: { ...applied, policies: null } };
  const associated: AssociatedPolicy[] = applied.policies ?? [];
  const known = new Set((resource.status?.accessPolicies ?? []).map((policy) => policy.policyArn));
  const result = await applyPolicies(gateway, desired, { associated, changes, known });
  const notes: ChangeNote[] = [...applied.notes, ...result.notes];
  const changed = result.notes.length > 0 ? [...applied.changed, 'accessPolicies' as const] : applied.changed;
  const next: Applied = { ...applied, policies: result.policies, notes, changed };
  return result.error === undefined ? { kind: 'synced', applied: next } : { kind: 'interrupted', error: result.error, applied: next };
}

/**
 * Whether an entry is known to exist: this resource recorded one, or its last attempt found one
 * it may not touch. Then Describe comes first, so retrying a refused resource never sends a
 * create that can only conflict.
 */
function expectsEntry(resource: AccessEntry): boolean {
  if (resource.status?.accessEntryArn !== undefined) return true;
  const stalled = resource.status?.conditions?.find((c) => c.type === ConditionType.Stalled && c.status === 'True');
  return stalled !== undefined && REFUSALS.has(stalled.reason);
}

const REFUSALS = new Set<string>([Reason.NotOwned, Reason.TypeMismatch]);

/** Undefined when an entry already exists for the principal. */
async function tryCreate(gateway: AccessEntryGateway, desired: DesiredEntry, token: string): Promise<ObservedEntry | undefined> {
  try {
    return await gateway.create(desired, token);
  } catch (err) {
    if (err instanceof AwsCallError && err.awsName === 'ResourceInUseException') return undefined;
    throw err;
  }
}

/**
 * Derived from the object, not random as the SDK's default is: a create retried after a lost
 * response carries the same token and EKS answers it without creating a second entry. The
 * createdAt of the entry this resource last had makes a re-create after an out-of-band delete a
 * new request rather than a replay of the first.
 */
export function clientRequestToken(resource: AccessEntry): string {
  const seed = [resource.metadata.uid, resource.metadata.generation, resource.status?.createdAt ?? ''].join('/');
  return createHash('sha256').update(seed).digest('hex').slice(0, 32);
}
