import type { AccessEntry, AccessEntryStatus } from '../api/accessentry.ts';
import { Reason } from '../api/reasons.ts';
import { partitionOfArn, partitionOfRegion, placeOfAccessEntry } from '../eks/arn.ts';
import type { Credentials } from '../eks/types.ts';
import type { ClusterResolution } from './cluster-directory.ts';
import type { Failure } from './failures.ts';

/**
 * Where an entry lives, and with which credentials it is reached. The account is known once the
 * entry exists (it is in its ARN).
 */
export interface Place {
  region: string;
  accountId?: string;
  /** From the cluster's ClusterAccess; unset: the controller's own. */
  credentials?: Credentials;
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

/** The region the spec resolves to now: spec.region, else its ClusterAccess's, else the controller's default. */
export function specRegion(resource: AccessEntry, defaultRegion: string, cluster: ClusterResolution = { kind: 'default' }): string {
  return resource.spec.region ?? (cluster.kind === 'mapped' ? cluster.region : defaultRegion);
}

function regionSource(resource: AccessEntry, region: string, cluster: ClusterResolution): string {
  if (resource.spec.region !== undefined) return `spec.region ${region}`;
  return cluster.kind === 'mapped' ? `the region of ClusterAccess ${cluster.name}, ${region}` : `the controller's default region (--region) ${region}`;
}

/** The credentials a resolution gives, or a Stalled failure when it is ambiguous. */
export function credentialsOf(cluster: ClusterResolution, clusterName: string): { credentials?: Credentials } | Failure {
  if (cluster.kind === 'ambiguous') {
    return stalled(
      Reason.AmbiguousClusterAccess,
      `ClusterAccesses ${cluster.names.join(', ')} all map cluster ${clusterName}: set spec.region to choose one, ` +
        'or ask the controller\'s administrators to remove the extra ones; nothing is done until one remains',
    );
  }
  return cluster.kind === 'mapped' && cluster.credentials ? { credentials: cluster.credentials } : {};
}

/**
 * Where to reconcile the resource: the region its spec resolves to, which must be where its
 * entry already lives. An entry never follows a changed default region: the old one would keep
 * granting access, orphaned, while a new one was created.
 */
export function placeToReconcile(resource: AccessEntry, defaultRegion: string, cluster: ClusterResolution): Place | Failure {
  const reach = credentialsOf(cluster, resource.spec.clusterName);
  if (isFailure(reach)) return reach;
  const region = specRegion(resource, defaultRegion, cluster);
  const source = regionSource(resource, region, cluster);
  const partition = partitionOfArn(resource.spec.principalArn);
  if (partition !== partitionOfRegion(region)) {
    return stalled(
      Reason.PartitionMismatch,
      `principalArn is in the ${partition} partition but the entry would land in ${source}, of the ${partitionOfRegion(region)} ` +
        `partition: set spec.region to a region of the ${partition} partition`,
    );
  }
  const recorded = recordedPlace(resource.status);
  if (recorded !== undefined && recorded.region !== region) {
    return stalled(
      Reason.RegionMismatch,
      `the access entry lives in ${recorded.region} (status.region) but this AccessEntry now resolves to ${source}; ` +
        `an entry cannot move between regions. Set spec.region: ${recorded.region} to keep managing it there, or delete ` +
        `this AccessEntry (its entry in ${recorded.region} is deleted with it) and create a new one`,
    );
  }
  return { region, ...(recorded?.accountId !== undefined ? { accountId: recorded.accountId } : {}), ...reach };
}

/** Refuses to act with credentials of another account than the one the entry lives in. */
export function accountMismatch(recordedAccount: string, callerAccount: string): Failure | undefined {
  if (recordedAccount === callerAccount) return undefined;
  return stalled(
    Reason.AccountMismatch,
    `the access entry lives in AWS account ${recordedAccount} (status.accountId) but the controller's credentials belong to ` +
      `account ${callerAccount}: give the controller credentials of account ${recordedAccount} (its own, or a ClusterAccess role); ` +
      'it never looks for the entry elsewhere',
  );
}

export function isFailure<T extends object>(value: T | Failure): value is Failure {
  return 'reason' in value;
}

function stalled(reason: Reason, message: string): Failure {
  return { retryable: false, reason, message };
}
