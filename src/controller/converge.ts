import { createHash } from 'node:crypto';
import type { AccessEntry } from '../api/accessentry.ts';
import { ConditionType } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import { AwsCallError } from '../eks/errors.ts';
import type { DesiredEntry, ObservedEntry } from '../eks/types.ts';
import { applySync, createdLedger, createdNote, type Applied } from './apply.ts';
import type { Failure } from './failures.ts';
import { resolveOwnership } from './ownership.ts';
import { planEntry, type Ledger } from './plan.ts';

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
  | { kind: 'interrupted'; error: unknown; applied: Omit<Applied, 'notes'> };

/**
 * Observe, plan, execute, with the fewest EKS calls that are correct. A resource that has no
 * entry yet goes straight to CreateAccessEntry (no Describe first); a ResourceInUseException
 * then says one exists, and it is described and planned again. Calls that fail before anything
 * changed throw; the caller explains them.
 */
export async function converge(deps: ConvergeDeps, resource: AccessEntry, desired: DesiredEntry, ledger: Ledger): Promise<Converged> {
  let lookedUp = expectsEntry(resource);
  let observed = lookedUp ? await deps.gateway.describe(desired) : undefined;
  for (;;) {
    const ownership = observed ? await resolveOwnership(observed, resource, deps.controllerId, (name) => deps.exists(name)) : undefined;
    const plan = planEntry({ resource, desired, observed, ownership, ledger });
    if (plan.kind === 'refuse') return { kind: 'refused', failure: plan.failure };
    if (plan.kind === 'sync' && observed) {
      const { error, ...applied } = await applySync(deps.gateway, { desired, observed, plan, before: ledger });
      return error === undefined ? { kind: 'synced', applied } : { kind: 'interrupted', error, applied };
    }
    const created = await tryCreate(deps.gateway, desired, clientRequestToken(resource));
    if (created) {
      return { kind: 'synced', applied: { entry: created, ledger: createdLedger(desired), notes: [createdNote(created, plan.kind === 'create' && plan.recreate)] } };
    }
    // Describe said "none", create said "exists": another writer is racing us; start over later.
    if (lookedUp) throw new Error('EKS reported the access entry missing, then existing, while it was being created; retrying');
    lookedUp = true;
    observed = await deps.gateway.describe(desired);
    if (!observed) throw new Error('the access entry was deleted while being created; retrying');
  }
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
