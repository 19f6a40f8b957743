import type { AccessEntry } from '../api/accessentry.ts';
import { FINALIZER, MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import { EventReason, Reason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import type { EntryRef, ObservedEntry } from '../eks/types.ts';
import type { ChangeNote } from './apply.ts';
import { ExplainedFailure, explainFailure } from './explain.ts';
import { ownershipOf } from './ownership.ts';
import type { ClusterResolution } from './cluster-directory.ts';
import { accountMismatch, credentialsOf, isFailure, recordedPlace, specRegion } from './place.ts';

export interface FinalizeContext {
  gateway: AccessEntryGateway;
  controllerId: string;
  defaultRegion: string;
  /** What the ClusterAccesses say about the resource's cluster: the credentials to delete with. */
  cluster: ClusterResolution;
  now: Date;
}

/**
 * What deleting the resource does in EKS, before its finalizer may go: resolves to the note for
 * the Event, throws when the finalizer must stay (the caller explains the failure).
 *
 * The entry is looked for where the resource recorded it, with credentials of the account it
 * recorded: a "not found" caused by the controller's own mistake (another region, another
 * account's credentials) must never pass for "already deleted", or the entry would keep
 * granting access with nothing left to manage it.
 */
export async function releaseEntry(resource: AccessEntry, context: FinalizeContext): Promise<ChangeNote> {
  const recorded = recordedPlace(resource.status);
  const reach = credentialsOf(context.cluster, resource.spec.clusterName);
  if (isFailure(reach)) throw new ExplainedFailure(reach);
  const ref: EntryRef = {
    region: recorded?.region ?? specRegion(resource, context.defaultRegion, context.cluster),
    clusterName: resource.spec.clusterName,
    principalArn: resource.spec.principalArn,
    ...reach,
  };
  if (recorded?.accountId !== undefined) {
    const mismatch = accountMismatch(recorded.accountId, await context.gateway.callerAccount(ref));
    if (mismatch) throw new ExplainedFailure({ ...mismatch, message: `${mismatch.message}. Until then the finalizer stays` });
  }
  const observed = await describeForDeletion(resource, ref, context);
  const retain = resource.spec.deletionPolicy === 'Retain';
  if (!observed) {
    return retain
      ? { reason: EventReason.Retained, message: 'deletionPolicy is Retain and the access entry was already gone from EKS' }
      : { reason: EventReason.Deleted, message: 'The access entry was already gone from EKS' };
  }
  if (ownershipOf(observed, resource, context.controllerId).owner !== 'this-resource') {
    return { reason: EventReason.Retained, message: `Left ${observed.accessEntryArn} in place: this resource does not own it` };
  }
  if (retain) {
    // Handed back: a later AccessEntry of the same name must ask to adopt it, not own it silently.
    await context.gateway.untag(ref, observed.accessEntryArn, [MANAGED_BY_TAG, OWNER_TAG]);
    return {
      reason: EventReason.Retained,
      message: `deletionPolicy is Retain: left ${observed.accessEntryArn} in EKS and removed this controller's ownership tags`,
    };
  }
  const result = await context.gateway.delete(ref);
  return { reason: EventReason.Deleted, message: `Deleted access entry ${observed.accessEntryArn} (${result})` };
}

/** A CONFIG_MAP-only cluster cannot hold access entries: nothing of ours is there. */
async function describeForDeletion(resource: AccessEntry, ref: EntryRef, context: FinalizeContext): Promise<ObservedEntry | undefined> {
  try {
    return await context.gateway.describe(ref);
  } catch (err) {
    const failure = await explainFailure(err, { status: resource.status, ref, gateway: context.gateway, now: context.now, principalGraceMs: 0 });
    if (failure.reason === Reason.AuthenticationModeConfigMap) return undefined;
    // Carries the explanation, so the caller does not look the cluster up a second time.
    throw new ExplainedFailure(failure);
  }
}

export function hasFinalizer(resource: AccessEntry): boolean {
  return resource.metadata.finalizers?.includes(FINALIZER) ?? false;
}
