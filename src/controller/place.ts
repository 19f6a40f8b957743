import type { AccessEntry, AccessEntryStatus } from '../api/accessentry.ts';
import { Reason } from '../api/reasons.ts';
import { partitionOfArn, partitionOfRegion, placeOfAccessEntry } from '../eks/arn.ts';
import type { Credentials } from '../eks/types.ts';
import type { ClusterRoute } from './cluster-directory.ts';
import type { Failure } from './failures.ts';

/**
 * Where an entry lives, and with which credentials it is reached. The account is known once the
 * entry exists (it is in its ARN).
 */
export interface Place {
  region: string;
  /** The account the entry was recorded in: the credentials must belong to it (checked with STS). */
  accountId?: string;
  /** From the cluster's ClusterAccess; unset: the controller's own. */
  credentials?: Credentials;
}

/** What placement needs besides the resource: the controller's settings and the cluster's ClusterAccesses. */
export interface PlacementContext {
  defaultRegion: string;
  /** The ClusterAccesses naming the resource's cluster (ClusterDirectory.routesFor). */
  routes: readonly ClusterRoute[];
  /** Never use the controller's own credentials for a cluster no ClusterAccess names (--require-cluster-access). */
  requireClusterAccess?: boolean;
}

/**
 * Where the entry this resource created or adopted lives, as its status records it. Statuses
 * written before region and accountId were recorded still name it in accessEntryArn.
 */
export function recordedPlace(status: AccessEntryStatus | undefined): Place | undefined {
  const fromArn = status?.accessEntryArn ? placeOfAccessEntry(status.accessEntryArn) : undefined;
  const region = status?.region ?? fromArn?.region;
  if (region === undefined) return undefined;
  const accountId = status?.accountId ?? fromArn?.accountId;
  return { region, ...(accountId !== undefined ? { accountId } : {}) };
}

/**
 * Where to reconcile (or delete) the resource's entry. One rule for both, so that nothing added
 * later can stop an entry from being revoked:
 * - an entry that exists is reached where it was recorded: the ClusterAccess that reaches that
 *   region and account, else the controller's own credentials (STS then checks their account).
 *   The default region and ClusterAccesses added later do not move it; only a spec.region naming
 *   another region is a mismatch;
 * - a new entry goes where the spec says: a cluster that any ClusterAccess names is reached only
 *   through one of them (never the controller's own account by a fallback), otherwise with the
 *   controller's own credentials in spec.region or the default region.
 */
export function placeEntry(resource: AccessEntry, context: PlacementContext): Place | Failure {
  const recorded = recordedPlace(resource.status);
  const mismatch = recorded && regionMismatch(resource, recorded.region);
  if (mismatch) return mismatch;
  return placeAnyway(resource, context);
}

/**
 * Where to delete the resource's entry: as placeEntry, except that a spec.region added later
 * that names another region cannot keep an entry from being revoked where it lives.
 */
export function placeForDeletion(resource: AccessEntry, context: PlacementContext): Place | Failure {
  return placeAnyway(resource, context);
}

function placeAnyway(resource: AccessEntry, context: PlacementContext): Place | Failure {
  const recorded = recordedPlace(resource.status);
  const place = recorded ? placeRecorded(recorded, context.routes) : placeNew(resource, context);
  if (isFailure(place)) return place;
  return partitionMismatch(resource, place.region, regionSource(resource, place, context)) ?? place;
}

/** Only a spec.region naming another region than the recorded one is a mismatch; neither can change. */
function regionMismatch(resource: AccessEntry, region: string): Failure | undefined {
  if (resource.spec.region === undefined || resource.spec.region === region) return undefined;
  return stalled(
    Reason.RegionMismatch,
    `the access entry lives in ${region} (status.region) but spec.region is ${resource.spec.region}; an entry cannot ` +
      `move between regions, and spec.region cannot change once set. Delete this AccessEntry (its entry in ${region} is ` +
      `deleted with it, as its deletionPolicy says) and create one with spec.region ${resource.spec.region}`,
  );
}

function placeRecorded(recorded: Place, routes: readonly ClusterRoute[]): Place {
  const { region, accountId } = recorded;
  const inRegion = routes.filter((route) => route.region === region);
  // A role of the recorded account reaches the entry; any of them will do, so the first by name.
  const [route] = accountId === undefined ? inRegion : inRegion.filter((candidate) => candidate.accountId === accountId);
  return { region, ...(accountId !== undefined ? { accountId } : {}), ...(route?.credentials ? { credentials: route.credentials } : {}) };
}

function placeNew(resource: AccessEntry, { defaultRegion, routes, requireClusterAccess }: PlacementContext): Place | Failure {
  const { clusterName, region } = resource.spec;
  if (routes.length === 0) {
    if (!requireClusterAccess) return { region: region ?? defaultRegion };
    return stalled(
      Reason.NoClusterAccess,
      `no ClusterAccess names cluster ${clusterName}, and this controller reaches clusters only through ClusterAccesses ` +
        '(--require-cluster-access): ask its administrators to add one',
    );
  }
  const candidates = region === undefined ? routes : routes.filter((route) => route.region === region);
  const known = routes.map((route) => `${route.name} (${route.region})`).join(', ');
  if (candidates.length === 0) {
    return stalled(
      Reason.NoClusterAccess,
      `cluster ${clusterName} is reached only through its ClusterAccesses, ${known}, and none is in spec.region ` +
        `${region ?? ''}: set spec.region to the region of one of them, or ask the controller's administrators to add a ` +
        `ClusterAccess for ${clusterName} in ${region ?? ''}`,
    );
  }
  if (candidates.length > 1) {
    const regions = new Set(candidates.map((route) => route.region));
    const fix = regions.size > 1 ? 'set spec.region to choose one' : "ask the controller's administrators to remove the extra ones";
    return stalled(
      Reason.AmbiguousClusterAccess,
      `ClusterAccesses ${candidates.map((route) => `${route.name} (${route.region})`).join(', ')} all map cluster ` +
        `${clusterName}: ${fix}; nothing is done until one remains`,
    );
  }
  const [route] = candidates as [ClusterRoute];
  return { region: route.region, ...(route.credentials ? { credentials: route.credentials } : {}) };
}

function regionSource(resource: AccessEntry, place: Place, context: PlacementContext): string {
  if (recordedPlace(resource.status)) return `status.region ${place.region}`;
  if (resource.spec.region !== undefined) return `spec.region ${place.region}`;
  const route = context.routes.find((candidate) => candidate.region === place.region);
  return route ? `the region of ClusterAccess ${route.name}, ${place.region}` : `the controller's default region (--region) ${place.region}`;
}

/** A permission set resolves to a role of the cluster's own partition, found with its credentials: only an ARN can be of another. */
function partitionMismatch(resource: AccessEntry, region: string, source: string): Failure | undefined {
  const { principalArn } = resource.spec;
  if (principalArn === undefined) return undefined;
  const partition = partitionOfArn(principalArn);
  if (partition === partitionOfRegion(region)) return undefined;
  return stalled(
    Reason.PartitionMismatch,
    `principalArn is in the ${partition} partition but the entry would land in ${source}, of the ${partitionOfRegion(region)} ` +
      `partition: set spec.region to a region of the ${partition} partition`,
  );
}

/**
 * Refuses to act with credentials of another account than the one the entry lives in. The
 * controller's own account is not named: messages reach Events, which anyone who may read the
 * AccessEntry can see.
 */
export function accountMismatch(place: Place, callerAccount: string): Failure | undefined {
  const recordedAccount = place.accountId;
  if (recordedAccount === undefined || recordedAccount === callerAccount) return undefined;
  const credentials = place.credentials ? `the role ${place.credentials.roleArn}, which belongs to account ${callerAccount}` : "the controller's own credentials, which belong to another account";
  return stalled(
    Reason.AccountMismatch,
    `the access entry lives in AWS account ${recordedAccount} (status.accountId), region ${place.region}, but no ClusterAccess ` +
      `reaches that account and region, and the only credentials left are ${credentials}: add a ClusterAccess for account ` +
      `${recordedAccount} in ${place.region}; the controller never looks for the entry elsewhere`,
  );
}

export function isFailure<T extends object>(value: T | Failure): value is Failure {
  return 'reason' in value;
}

function stalled(reason: Reason, message: string): Failure {
  return { retryable: false, reason, message };
}
