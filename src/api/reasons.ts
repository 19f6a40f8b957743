// Condition reasons and Event reasons, defined once. CamelCase, as metav1.Condition requires.

export const Reason = {
  /** Ready: EKS matches the spec. */
  Synced: 'Synced',
  /** A ClusterAccess is Ready: the controller reaches its cluster with its credentials. */
  Reachable: 'Reachable',
  /** Work has started on a new or changed spec. */
  Progressing: 'Progressing',
  /** The finalizer is removing the entry from EKS. */
  Deleting: 'Deleting',
  /** spec.expiresAt has passed: the access ended, the entry is gone from EKS (not an error). */
  Expired: 'Expired',

  // Retryable: the controller retries with backoff and says so in Reconciling.
  Throttled: 'Throttled',
  AwsServerError: 'AwsServerError',
  AwsUnreachable: 'AwsUnreachable',
  /** Right after an IAM principal is created EKS may not see it yet; retried for a while. */
  PrincipalNotYetVisible: 'PrincipalNotYetVisible',
  /** EKS does not see a just-created entry yet (association calls right after create); retried. */
  EntryNotYetVisible: 'EntryNotYetVisible',
  /** An EKS write was kept back: this replica no longer leads (leader election); the leader does the work. */
  NotLeader: 'NotLeader',
  /** A call to the Kubernetes API failed (403 Forbidden stalls: RBAC will not fix itself). */
  KubernetesApiError: 'KubernetesApiError',
  UnexpectedError: 'UnexpectedError',

  // Terminal for this spec and world: Stalled, retried slowly.
  InvalidParameter: 'InvalidParameter',
  InvalidRequest: 'InvalidRequest',
  AuthenticationModeConfigMap: 'AuthenticationModeConfigMap',
  QuotaExceeded: 'QuotaExceeded',
  AccessDenied: 'AccessDenied',
  ClusterNotFound: 'ClusterNotFound',
  /** An entry exists for this principal that this resource did not create. */
  NotOwned: 'NotOwned',
  /** The existing entry has another type than the spec; a type cannot change in place. */
  TypeMismatch: 'TypeMismatch',
  /** The entry lives in another region than the spec now resolves to. */
  RegionMismatch: 'RegionMismatch',
  /** The entry lives in another AWS account than the controller's credentials belong to. */
  AccountMismatch: 'AccountMismatch',
  /** Several ClusterAccesses map the cluster the AccessEntry names. */
  AmbiguousClusterAccess: 'AmbiguousClusterAccess',
  /**
   * A new entry's cluster is reached only through ClusterAccesses and none fits spec.region (or
   * none exists and the controller requires one).
   */
  NoClusterAccess: 'NoClusterAccess',
  /** The principal's partition (aws, aws-cn, aws-us-gov) cannot hold an entry in the region. */
  PartitionMismatch: 'PartitionMismatch',
  /** spec.accessPolicies names a policy EKS does not offer in the cluster's region. */
  UnknownAccessPolicy: 'UnknownAccessPolicy',
  /** No AWS credentials, or AWS refuses them (expired, unknown, bad signature or clock skew). */
  InvalidAwsCredentials: 'InvalidAwsCredentials',
  /** IAM has no principal of the entry's ARN any more: nobody gets in through the entry; it is left as it is. */
  PrincipalNotFound: 'PrincipalNotFound',
  /**
   * The principal was deleted and created again under the same ARN: EKS still binds the entry to
   * the old id, so every login is refused (spec.onPrincipalRecreated: Report leaves it so).
   */
  PrincipalRecreated: 'PrincipalRecreated',
  /** Several roles in the cluster's account look provisioned for spec.principal's permission set. */
  AmbiguousPermissionSet: 'AmbiguousPermissionSet',

  // Retryable, but only a change elsewhere ends it (retried with backoff, Reconciling).
  /** No role is provisioned for spec.principal's permission set in the cluster's account (yet). */
  PermissionSetNotProvisioned: 'PermissionSetNotProvisioned',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export const EventReason = {
  Created: 'Created',
  Updated: 'Updated',
  /** A change made outside Git (groups, username, tags) was found on a resync and reverted. */
  DriftCorrected: 'DriftCorrected',
  Adopted: 'Adopted',
  Recreated: 'Recreated',
  Deleted: 'Deleted',
  Retained: 'Retained',
  /** spec.expiresAt passed: the entry was removed from EKS, the resource stays. */
  Expired: 'Expired',
  /** The entry's principal was deleted and re-created: the entry was re-created for its new id. */
  PrincipalRecreated: 'PrincipalRecreated',
  /** spec.principal's permission set resolves to a new role: its entry was created, then the old one removed. */
  PermissionSetReprovisioned: 'PermissionSetReprovisioned',
  PolicyAssociated: 'PolicyAssociated',
  PolicyDisassociated: 'PolicyDisassociated',
  Failed: 'Failed',
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];
