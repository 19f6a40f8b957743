// One AccessEntry, planned with the controller's own steps, reads only: expiry (expiry.ts), placement
// (placeEntry), the principal (principal.ts), the desired entry (desiredEntry), the account check
// (accountMismatch), observe (Describe, ownership from tags, associations where managed) and
// planReconcile. Deletion (--prune) uses the finalizer's locateEntry and releaseDecision.
import type { AccessEntry } from '../../api/accessentry.ts';
import { Reason } from '../../api/reasons.ts';
import { desiredEntry } from '../../controller/desired.ts';
import { ExplainedFailure, explainFailure } from '../../controller/explain.ts';
import { isExpired } from '../../controller/expiry.ts';
import type { Failure } from '../../controller/failures.ts';
import { locateEntry, releaseDecision, type LocateGateway } from '../../controller/finalize.ts';
import { attemptLedger } from '../../controller/ledger.ts';
import { observe } from '../../controller/observe.ts';
import { accountMismatch, isFailure, placeEntry, placeForDeletion, type Place, type PlacementContext } from '../../controller/place.ts';
import { planReconcile } from '../../controller/plan.ts';
import { recordedPrincipalArn, resolvePrincipal } from '../../controller/principal.ts';
import type { PrincipalDirectory } from '../../iam/directory.ts';
import { placeOfAccessEntry } from '../../eks/arn.ts';
import type { AccessEntryGateway } from '../../eks/access-entries.ts';
import { AwsCallError } from '../../eks/errors.ts';
import type { ClusterRef, EntryRef } from '../../eks/types.ts';
import { explainAwsFailure } from '../shared/aws-errors.ts';
import { planOfEntry } from './changes.ts';
import { Message } from './messages.ts';
import { PlanReason, type PlanError, type ResourcePlan } from './model.ts';

/** Every EKS and STS call plan makes: reads. */
export type PlanReads = LocateGateway & Pick<AccessEntryGateway, 'listAssociatedPolicies'>;

export interface PlanDeps {
  eks: PlanReads;
  controllerId: string;
  placement(resource: AccessEntry): PlacementContext;
  /** Whether an AccessEntry of that name will exist once the files are applied. */
  exists(name: string): Promise<boolean>;
  /** DescribeCluster, once per cluster: a missing cluster blocks what is planned for it. */
  clusterFailure(ref: ClusterRef): Promise<Failure | undefined>;
  /** IAM, read only: what a spec's principal resolves to (a permission set's role) and what IAM says of it. */
  principals: Pick<PrincipalDirectory, 'lookup' | 'ssoRoles'>;
  now: Date;
}

export type Planned = ResourcePlan | PlanError;

/** Failures the controller would be Stalled on for this spec and world: the resource is blocked. Others are plan's own failures to read. */
const PLAN_ERRORS = new Set<string>([Reason.AccessDenied, Reason.InvalidAwsCredentials, Reason.KubernetesApiError]);

export async function planResource(resource: AccessEntry, source: string | undefined, deps: PlanDeps): Promise<Planned> {
  const base = baseOf(resource, source);
  let ref: EntryRef = { region: deps.placement(resource).defaultRegion, clusterName: base.cluster, principalArn: base.principalArn };
  try {
    if (isExpired(resource, deps.now)) return await planExpiry(resource, base, deps);
    const place = placeEntry(resource, deps.placement(resource));
    if (isFailure(place)) return blocked(base, place);
    // The controller's own resolution (an ARN, or a permission set listed in IAM), read afresh.
    const principal = await resolvePrincipal(resource, place, { directory: deps.principals, fresh: true });
    if (isFailure(principal)) return blocked(base, principal);
    const desired = desiredEntry(resource, place, deps.controllerId, principal.arn);
    ref = desired;
    const located = { ...base, principalArn: principal.arn, region: place.region, accountId: await accountOf(place, deps) };
    const mismatch = place.accountId === undefined ? undefined : accountMismatch(place, located.accountId);
    if (mismatch) return blocked(located, mismatch);
    const clusterFailure = await deps.clusterFailure(desired);
    if (clusterFailure) return blocked(located, clusterFailure);
    const ledger = attemptLedger(resource);
    const observation = await observe(
      { gateway: deps.eks, controllerId: deps.controllerId, exists: (name) => deps.exists(name) },
      { resource, desired, ledger, principal: principal.state },
    );
    const plan = planReconcile({ resource, desired, ledger, observation });
    if (plan.kind === 'refuse') return blocked(located, plan.failure);
    const entry = planOfEntry(plan, desired, observation);
    const recorded = observation.entry ? placeOfAccessEntry(observation.entry.accessEntryArn) : undefined;
    return {
      ...located,
      ...(recorded ? { accountId: recorded.accountId } : {}),
      action: entry.action,
      changes: entry.changes,
      calls: entry.calls,
      ...(entry.recreate ? { reason: 'Recreate', message: Message.recreate } : {}),
    };
  } catch (err) {
    return failed(err, { resource, base, ref }, deps);
  }
}

/** What deleting the resource (a prune) does to its entry: the finalizer's own steps, reads only. */
export async function planDeletion(resource: AccessEntry, source: string | undefined, deps: PlanDeps, note?: string): Promise<Planned> {
  const base = baseOf(resource, source);
  const context = { gateway: deps.eks, controllerId: deps.controllerId, placement: deps.placement(resource), now: deps.now };
  try {
    const located = await locateEntry(resource, context, await principalToLocate(resource, deps), 'Until then the finalizer stays');
    const where = { ...base, region: located.ref.region, ...(located.found === 'gone' ? {} : accountOfEntry(located.entry.accessEntryArn)) };
    const release = releaseDecision(resource, located);
    const message = (text: string): { message: string } => ({ message: note ? `${text}; ${note}` : text });
    switch (release.kind) {
      case 'gone':
        return { ...where, action: 'delete', changes: [], calls: [], ...message(Message.deleteNothing) };
      case 'not-ours':
        return { ...where, action: 'delete', changes: [], calls: [], ...message(Message.deleteNotOurs(release.entry.accessEntryArn)) };
      case 'hand-back':
        return { ...where, action: 'delete', changes: [{ field: 'entry', action: 'handBack', item: release.entry.accessEntryArn }], calls: ['UntagResource'], ...message(release.why) };
      case 'delete':
        return { ...where, action: 'delete', changes: [{ field: 'entry', action: 'remove', item: release.entry.accessEntryArn, effect: 'revoke' }], calls: ['DeleteAccessEntry'], ...message(Message.deleteEntry) };
    }
  } catch (err) {
    return failed(err, { resource, base, ref: { region: context.placement.defaultRegion, clusterName: base.cluster, principalArn: base.principalArn } }, deps);
  }
}

/** Expiry, as the reconciler does it: an entry of its own is deleted; nothing is ever created. */
async function planExpiry(resource: AccessEntry, base: ResourcePlan, deps: PlanDeps): Promise<Planned> {
  const context = { gateway: deps.eks, controllerId: deps.controllerId, placement: deps.placement(resource), now: deps.now };
  const located = await locateEntry(resource, context, await principalToLocate(resource, deps), 'The access could not be revoked yet');
  const at = resource.spec.expiresAt ?? '';
  const where = { ...base, region: located.ref.region, reason: PlanReason.Expired };
  if (located.found !== 'own') return { ...where, action: 'none', message: Message.expiredNothing(at) };
  return {
    ...where,
    ...accountOfEntry(located.entry.accessEntryArn),
    action: 'delete',
    message: Message.expiredDelete(at),
    changes: [{ field: 'entry', action: 'remove', item: located.entry.accessEntryArn, effect: 'revoke' }],
    calls: ['DeleteAccessEntry'],
  };
}

/**
 * The principal whose entry deletion or expiry looks for: the one the status recorded, else what
 * the spec names or its permission set resolves to now (as the finalizer does).
 */
async function principalToLocate(resource: AccessEntry, deps: PlanDeps): Promise<string> {
  const recorded = recordedPrincipalArn(resource);
  if (recorded !== undefined) return recorded;
  const place = placeForDeletion(resource, deps.placement(resource));
  if (isFailure(place)) throw new ExplainedFailure(place);
  const resolved = await resolvePrincipal(resource, place, { directory: deps.principals, fresh: true });
  if (isFailure(resolved)) throw new ExplainedFailure(resolved);
  return resolved.arn;
}

function baseOf(resource: AccessEntry, source: string | undefined): ResourcePlan {
  return {
    name: resource.metadata.name ?? '',
    ...(source !== undefined ? { source } : {}),
    cluster: resource.spec.clusterName,
    // A permission set's role is known once resolved; until then its name stands in.
    principalArn: recordedPrincipalArn(resource) ?? `permission set ${resource.spec.principal?.ssoPermissionSet ?? ''}`,
    type: resource.spec.type ?? 'STANDARD',
    action: 'none',
    changes: [],
    calls: [],
  };
}

export function blocked(base: ResourcePlan, failure: { reason: string; message: string }): ResourcePlan {
  return { ...base, action: 'blocked', reason: failure.reason, message: failure.message, changes: [], calls: [] };
}

/** The account the plan reads the cluster with: the entry's recorded one, else the credentials'. */
async function accountOf(place: Place, deps: PlanDeps): Promise<string> {
  return deps.eks.callerAccount(place);
}

function accountOfEntry(accessEntryArn: string): { accountId?: string } {
  const place = placeOfAccessEntry(accessEntryArn);
  return place ? { accountId: place.accountId } : {};
}

/** A failure the controller would be blocked by, or plan's own failure to read (an error: exit 1). */
async function failed(err: unknown, { resource, base, ref }: { resource: AccessEntry; base: ResourcePlan; ref: EntryRef }, deps: PlanDeps): Promise<Planned> {
  const failure = await explainFailure(err, { status: resource.status, ref, gateway: deps.eks, now: deps.now, principalGraceMs: 0 });
  if (!failure.retryable && !PLAN_ERRORS.has(failure.reason)) return blocked(base, failure);
  return { subject: `AccessEntry ${base.name} (cluster ${base.cluster} in ${ref.region})`, message: readFailure(err, ref) };
}

function readFailure(err: unknown, ref: EntryRef): string {
  if (err instanceof AwsCallError && ref.credentials && (err.awsName === 'AccessDenied' || err.service === 'sts')) {
    return `${Message.assumeRole(ref.credentials.roleArn)} (${err.awsName}: ${err.awsMessage})`;
  }
  const explained = explainAwsFailure(err);
  return explained instanceof Error ? explained.message : String(explained);
}
