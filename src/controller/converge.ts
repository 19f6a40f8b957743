import { createHash } from 'node:crypto';
import type { AccessEntry } from '../api/accessentry.ts';
import { ConditionType } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import { AwsCallError } from '../eks/errors.ts';
import type { PolicyChanges } from '../eks/policy-diff.ts';
import type { AssociatedPolicy, DesiredEntry, ObservedEntry } from '../eks/types.ts';
import type { PrincipalState } from '../iam/directory.ts';
import { applyPolicies } from './apply-policies.ts';
import { applySync, createdLedger, createdNote, type Applied, type ChangeNote } from './apply.ts';
import type { Failure } from './failures.ts';
import { healEntry, retireEntry } from './heal.ts';
import type { Ledger } from './ledger.ts';
import { observe, previousPrincipal } from './observe.ts';
import { planReconcile, type Observation, type ReconcilePlan } from './plan.ts';

export interface ConvergeDeps {
  gateway: AccessEntryGateway;
  controllerId: string;
  /** Whether an AccessEntry of that name exists (the owner another entry's tags name). */
  exists(name: string): Promise<boolean>;
}

export interface ConvergeInput {
  resource: AccessEntry;
  desired: DesiredEntry;
  ledger: Ledger;
  /** What IAM says of desired.principalArn (principal.ts). */
  principal: PrincipalState;
}

export type Converged =
  | { kind: 'synced'; applied: Applied }
  /** The entry is not this resource's to change; nothing was called that changes it. */
  | { kind: 'refused'; failure: Failure }
  /** A call failed after earlier ones had changed the entry: `applied` says what holds now. */
  | { kind: 'interrupted'; error: unknown; applied: Applied };

type Planned<K extends ReconcilePlan['kind']> = Extract<ReconcilePlan, { kind: K }>;

/**
 * Observe, plan (planReconcile, the step `plan` on the command line shares), execute, with the
 * fewest EKS calls that are correct. A resource that has no entry yet goes straight to
 * CreateAccessEntry (no Describe first); a ResourceInUseException then says one exists, and it is
 * observed and planned again. Calls that fail before anything changed throw; the caller explains
 * them.
 */
export async function converge(deps: ConvergeDeps, input: ConvergeInput): Promise<Converged> {
  const { resource, desired, principal } = input;
  let lookedUp = expectsEntry(resource) || previousPrincipal(resource, desired) !== undefined;
  let observation: Observation = lookedUp ? await observe(deps, input) : { associated: null, principal };
  for (;;) {
    const done = await execute(deps.gateway, input, observation);
    if (done) return done;
    // Describe said "none", create said "exists": another writer is racing us; start over later.
    if (lookedUp) throw new Error('EKS reported the access entry missing, then existing, while it was being created; retrying');
    lookedUp = true;
    observation = await observe(deps, input);
    if (!observation.entry) throw new Error('the access entry was deleted while being created; retrying');
  }
}

/** Plans and makes the calls; undefined when a create found an entry no observation had shown. */
async function execute(gateway: AccessEntryGateway, { resource, desired, ledger }: ConvergeInput, observation: Observation): Promise<Converged | undefined> {
  const plan = planReconcile({ resource, desired, ledger, observation });
  const { entry: observed, associated } = observation;
  if (plan.kind === 'refuse') return { kind: 'refused', failure: plan.failure };
  if (plan.kind === 'sync' && observed) return sync(gateway, { resource, desired, observed, plan, ledger, associated });
  if (plan.kind === 'heal' && observed) return heal(gateway, { resource, desired, observed, plan, ledger });
  const created = await tryCreate(gateway, desired, clientRequestToken(resource, desired.principalArn));
  if (!created) return undefined;
  const notes = [createdNote(created, plan.kind === 'create' && plan.recreate)];
  const applied: Applied = { entry: created, ledger: createdLedger(desired, created), policies: [], notes, changed: [], principal: recorded(desired, plan) };
  return finish(gateway, { resource, desired }, applied, plan);
}

interface SyncInput {
  resource: AccessEntry;
  desired: DesiredEntry;
  observed: ObservedEntry;
  plan: Planned<'sync'>;
  ledger: Ledger;
  associated: AssociatedPolicy[] | null;
}

async function sync(gateway: AccessEntryGateway, { resource, desired, observed, plan, ledger, associated }: SyncInput): Promise<Converged> {
  const { error, ...entryApplied } = await applySync(gateway, { desired, observed, plan, before: ledger });
  const applied: Applied = { ...entryApplied, policies: associated, principal: recorded(desired, plan) };
  if (error !== undefined) return { kind: 'interrupted', error, applied };
  return finish(gateway, { resource, desired }, applied, plan);
}

interface HealInput {
  resource: AccessEntry;
  desired: DesiredEntry;
  observed: ObservedEntry;
  plan: Planned<'heal'>;
  ledger: Ledger;
}

/** The entry is re-created for the principal's new id: the Warning says which ids, the policies follow. */
async function heal(gateway: AccessEntryGateway, { resource, desired, observed, plan, ledger }: HealInput): Promise<Converged> {
  const token = clientRequestToken(resource, desired.principalArn, plan.principal.id);
  const { entry, note } = await healEntry(gateway, { desired, observed, plan, token });
  const applied: Applied = {
    entry,
    ledger: { ...createdLedger({ ...desired, tags: plan.tags }, entry), managedTagKeys: Object.keys(desired.tags).sort(), adopted: ledger.adopted || plan.claim !== undefined },
    policies: [],
    notes: [note],
    changed: [],
    principal: recorded(desired, plan),
    healed: true,
  };
  const done = await finish(gateway, { resource, desired }, applied, plan);
  // Associations put back that the spec does not manage are not listed in the status.
  if (done.kind === 'refused' || desired.accessPolicies !== undefined) return done;
  return { ...done, applied: { ...done.applied, policies: null } };
}

/** The association calls the plan holds, then the previous principal's entry: removed only once the new one is complete. */
async function finish(gateway: AccessEntryGateway, context: { resource: AccessEntry; desired: DesiredEntry }, applied: Applied, plan: Exclude<ReconcilePlan, { kind: 'refuse' }>): Promise<Converged> {
  const withAssociations = await withPolicies(gateway, context, applied, plan.policies);
  if (withAssociations.kind !== 'synced' || plan.retire === undefined) return withAssociations;
  const { retire } = plan;
  try {
    const note = await retireEntry(gateway, { desired: context.desired, retirement: retire, permissionSet: context.resource.spec.principal?.ssoPermissionSet });
    const { previousPrincipalArn: _done, ...principal } = withAssociations.applied.principal ?? { principalArn: context.desired.principalArn };
    return { kind: 'synced', applied: { ...withAssociations.applied, principal, notes: [...withAssociations.applied.notes, note] } };
  } catch (error) {
    return { kind: 'interrupted', error, applied: withAssociations.applied };
  }
}

/** What the status records of the principal once the plan's calls are made; a previous principal stays recorded until its entry is removed. */
function recorded(desired: DesiredEntry, plan: Exclude<ReconcilePlan, { kind: 'refuse' }>): NonNullable<Applied['principal']> {
  return {
    principalArn: desired.principalArn,
    ...(plan.principalId !== undefined ? { principalId: plan.principalId } : {}),
    ...(plan.retire ? { previousPrincipalArn: plan.retire.principalArn } : {}),
  };
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
  // Policies put back on a re-created entry are not drift, nor news: the heal's Warning says so.
  const notes: ChangeNote[] = applied.healed ? applied.notes : [...applied.notes, ...result.notes];
  const changed = result.notes.length > 0 && !applied.healed ? [...applied.changed, 'accessPolicies' as const] : applied.changed;
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
 * new request rather than a replay of the first; the principal makes the entry of a permission
 * set's new role another request than its old role's, and the new id of a principal made again
 * (`principalId`, when healing) another than the entry bound to the old one.
 */
export function clientRequestToken(resource: AccessEntry, principalArn: string, principalId = ''): string {
  const seed = [resource.metadata.uid, resource.metadata.generation, resource.status?.createdAt ?? '', principalArn, principalId].join('/');
  return createHash('sha256').update(seed).digest('hex').slice(0, 32);
}
