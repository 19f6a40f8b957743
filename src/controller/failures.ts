import { Reason } from '../api/reasons.ts';
import { EksCallError } from '../eks/errors.ts';
import type { EntryRef } from '../eks/types.ts';

/** What a failed reconcile means for the resource, decided in this one place. */
export interface Failure {
  /** Retryable failures back off and show Reconciling; the rest show Stalled and retry slowly. */
  retryable: boolean;
  reason: Reason;
  /** Goes into the status and the Event: says what is wrong and what to do. */
  message: string;
  /** The AWS error name, for Events and logs. */
  awsError?: string;
}

const RETRYABLE: Record<string, Reason> = {
  ThrottlingException: Reason.Throttled,
  TooManyRequestsException: Reason.Throttled,
  ServerException: Reason.AwsServerError,
  ServiceUnavailableException: Reason.AwsServerError,
  InternalFailure: Reason.AwsServerError,
  TimeoutError: Reason.AwsUnreachable,
  RequestTimeout: Reason.AwsUnreachable,
  ECONNREFUSED: Reason.AwsUnreachable,
  ECONNRESET: Reason.AwsUnreachable,
  EPIPE: Reason.AwsUnreachable,
  ETIMEDOUT: Reason.AwsUnreachable,
  ENOTFOUND: Reason.AwsUnreachable,
  EAI_AGAIN: Reason.AwsUnreachable,
};

/**
 * Classifies by the AWS error name, never by message text. `authenticationMode` is the
 * cluster's mode when the caller looked it up to explain an InvalidRequestException.
 */
export function classifyFailure(err: unknown, ref: EntryRef, authenticationMode?: string): Failure {
  if (!(err instanceof EksCallError)) {
    return { retryable: true, reason: Reason.UnexpectedError, message: errorText(err) };
  }
  const where = `cluster ${ref.clusterName} in ${ref.region}`;
  const aws = { awsError: err.awsName };
  const retryReason = RETRYABLE[err.awsName];
  if (retryReason) {
    return { retryable: true, reason: retryReason, message: `${err.operation} on ${where}: ${err.awsName}, retrying`, ...aws };
  }
  switch (err.awsName) {
    case 'InvalidRequestException':
      if (authenticationMode === 'CONFIG_MAP') {
        return {
          retryable: false,
          reason: Reason.AuthenticationModeConfigMap,
          message:
            `${where} authenticates only through the aws-auth ConfigMap (authenticationMode CONFIG_MAP), ` +
            'so it has no access entries. Switch it to API_AND_CONFIG_MAP or API, e.g. ' +
            `aws eks update-cluster-config --name ${ref.clusterName} --access-config authenticationMode=API_AND_CONFIG_MAP`,
          ...aws,
        };
      }
      return { retryable: false, reason: Reason.InvalidRequest, message: `EKS refused ${err.operation}: ${err.awsMessage}`, ...aws };
    // TagResource and UntagResource name their errors differently from the access-entry calls.
    case 'InvalidParameterException':
    case 'BadRequestException':
      return { retryable: false, reason: Reason.InvalidParameter, message: `EKS refused ${err.operation}: ${err.awsMessage}`, ...aws };
    case 'ResourceLimitExceededException':
      return {
        retryable: false,
        reason: Reason.QuotaExceeded,
        message: `${where} has reached its access-entry quota (3,000, not adjustable): remove unused entries. ${err.awsMessage}`,
        ...aws,
      };
    case 'AccessDeniedException':
    case 'UnauthorizedException':
      return {
        retryable: false,
        reason: Reason.AccessDenied,
        message: `the controller's AWS identity may not call eks:${err.operation} on ${where}: grant it that action. ${err.awsMessage}`,
        ...aws,
      };
    case 'ResourceNotFoundException':
    case 'NotFoundException':
      if (err.operation !== 'CreateAccessEntry') {
        // The entry vanished between two calls; the next attempt describes it afresh.
        return { retryable: true, reason: Reason.UnexpectedError, message: `${err.operation} on ${where}: the entry disappeared, retrying`, ...aws };
      }
      return {
        retryable: false,
        reason: Reason.ClusterNotFound,
        message: `EKS ${where} was not found: check spec.clusterName and spec.region`,
        ...aws,
      };
    default:
      // Unknown AWS errors are retried with backoff rather than declared terminal on a guess.
      return { retryable: true, reason: Reason.UnexpectedError, message: `${err.operation} on ${where}: ${err.awsName}: ${err.awsMessage}`, ...aws };
  }
}

/**
 * Right after an IAM principal is created, CreateAccessEntry can fail with
 * InvalidParameterException until IAM's change reaches EKS (about two minutes). Within the
 * grace window since the first such failure, it is retried rather than declared terminal.
 */
export function withPrincipalGrace(failure: Failure, failingSinceMs: number, nowMs: number, graceMs: number): Failure {
  if (failure.reason !== Reason.InvalidParameter || nowMs - failingSinceMs >= graceMs) return failure;
  return {
    ...failure,
    retryable: true,
    reason: Reason.PrincipalNotYetVisible,
    message: `${failure.message} (a principal created moments ago can take up to two minutes to reach EKS: retrying)`,
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
