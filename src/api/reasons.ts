// Condition reasons and Event reasons, defined once. CamelCase, as metav1.Condition requires.

export const Reason = {
  /** Ready: EKS matches the spec. */
  Synced: 'Synced',
  /** Work has started on a new or changed spec. */
  Progressing: 'Progressing',
  /** The finalizer is removing the entry from EKS. */
  Deleting: 'Deleting',

  // Retryable: the controller retries with backoff and says so in Reconciling.
  Throttled: 'Throttled',
  AwsServerError: 'AwsServerError',
  AwsUnreachable: 'AwsUnreachable',
  /** Right after an IAM principal is created EKS may not see it yet; retried for a while. */
  PrincipalNotYetVisible: 'PrincipalNotYetVisible',
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
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export const EventReason = {
  Created: 'Created',
  Updated: 'Updated',
  Adopted: 'Adopted',
  Recreated: 'Recreated',
  Deleted: 'Deleted',
  Retained: 'Retained',
  Failed: 'Failed',
} as const;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];
