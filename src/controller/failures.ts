import type { AccessEntryStatus } from '../api/accessentry.ts';
import { ConditionType } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import { AwsCallError } from '../eks/errors.ts';
import { NOT_LEADER_ERROR } from '../eks/write-fence.ts';
import type { EntryRef } from '../eks/types.ts';
import { KubeApiError } from '../kube/errors.ts';

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
  Throttling: Reason.Throttled,
  ServerException: Reason.AwsServerError,
  ServiceUnavailableException: Reason.AwsServerError,
  InternalFailure: Reason.AwsServerError,
  TimeoutError: Reason.AwsUnreachable,
  RequestTimeout: Reason.AwsUnreachable,
  ECONNREFUSED: Reason.AwsUnreachable,
  ECONNRESET: Reason.AwsUnreachable,
  ECONNABORTED: Reason.AwsUnreachable,
  EPIPE: Reason.AwsUnreachable,
  ETIMEDOUT: Reason.AwsUnreachable,
  EHOSTUNREACH: Reason.AwsUnreachable,
  ENETUNREACH: Reason.AwsUnreachable,
  ENETDOWN: Reason.AwsUnreachable,
  ENOTFOUND: Reason.AwsUnreachable,
  EAI_AGAIN: Reason.AwsUnreachable,
  [NOT_LEADER_ERROR]: Reason.NotLeader,
};

const ASSOCIATION_OPERATIONS = new Set(['AssociateAccessPolicy', 'DisassociateAccessPolicy', 'ListAssociatedAccessPolicies']);

/** undici names its network failures UND_ERR_SOCKET, UND_ERR_CONNECT_TIMEOUT and so on. */
const UNDICI_NETWORK_ERROR = /^UND_ERR_/;

const EXPIRED_CREDENTIALS =
  "the controller's AWS credentials have expired: IRSA and EKS Pod Identity renew theirs by themselves (check that the " +
  'projected token is mounted); static credentials with AWS_SESSION_TOKEN must be replaced';
const UNKNOWN_CREDENTIALS =
  "AWS does not recognise the controller's credentials (an unknown or deleted access key): fix the IAM role or keys given to it";
const BAD_SIGNATURE =
  "AWS rejected the signature of the controller's requests: its secret key is wrong, or the clock of its node is more " +
  'than 5 minutes off (check time synchronisation)';

/** What to do about each way AWS refuses the controller's credentials, keyed by error name (EKS's and STS's). */
const CREDENTIAL_FIXES: Record<string, string> = {
  CredentialsProviderError:
    'the controller found no AWS credentials: give its ServiceAccount an IAM role through IRSA (the ' +
    'eks.amazonaws.com/role-arn annotation) or an EKS Pod Identity association, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
  ExpiredTokenException: EXPIRED_CREDENTIALS,
  ExpiredToken: EXPIRED_CREDENTIALS,
  RequestExpired: EXPIRED_CREDENTIALS,
  UnrecognizedClientException: UNKNOWN_CREDENTIALS,
  InvalidClientTokenId: UNKNOWN_CREDENTIALS,
  InvalidSignatureException: BAD_SIGNATURE,
  SignatureDoesNotMatch: BAD_SIGNATURE,
};

/**
 * Classifies by error name, never by message text. `authenticationMode` is the cluster's mode
 * when the caller looked it up to explain an InvalidRequestException.
 */
export function classifyFailure(err: unknown, ref: EntryRef, authenticationMode?: string): Failure {
  if (err instanceof KubeApiError) return kubeFailure(err);
  if (!(err instanceof AwsCallError)) {
    return { retryable: true, reason: Reason.UnexpectedError, message: errorText(err) };
  }
  const where = `cluster ${ref.clusterName} in ${ref.region}`;
  const aws = { awsError: err.awsName };
  const retryReason = RETRYABLE[err.awsName] ?? (UNDICI_NETWORK_ERROR.test(err.awsName) ? Reason.AwsUnreachable : undefined);
  if (retryReason) return { retryable: true, reason: retryReason, message: retryMessage(err, retryReason, where), ...aws };
  const credentialFix = CREDENTIAL_FIXES[err.awsName];
  if (credentialFix) {
    return { retryable: false, reason: Reason.InvalidAwsCredentials, message: `${err.operation} failed with ${err.awsName}: ${credentialFix}`, ...aws };
  }
  return classifyEksRefusal(err, ref, authenticationMode);
}

function classifyEksRefusal(err: AwsCallError, ref: EntryRef, authenticationMode: string | undefined): Failure {
  const where = `cluster ${ref.clusterName} in ${ref.region}`;
  const aws = { awsError: err.awsName };
  const stalled = (reason: Reason, message: string): Failure => ({ retryable: false, reason, message, ...aws });
  switch (err.awsName) {
    case 'InvalidRequestException':
      if (authenticationMode === 'CONFIG_MAP') {
        return stalled(
          Reason.AuthenticationModeConfigMap,
          `${where} authenticates only through the aws-auth ConfigMap (authenticationMode CONFIG_MAP), ` +
            'so it has no access entries. Switch it to API_AND_CONFIG_MAP or API, e.g. ' +
            `aws eks update-cluster-config --name ${ref.clusterName} --access-config authenticationMode=API_AND_CONFIG_MAP`,
        );
      }
      return stalled(Reason.InvalidRequest, `EKS refused ${err.operation}: ${err.awsMessage}`);
    // TagResource and UntagResource name their errors differently from the access-entry calls.
    case 'InvalidParameterException':
    case 'BadRequestException':
      return stalled(Reason.InvalidParameter, `EKS refused ${err.operation}${err.policyArn ? ` of ${err.policyArn}` : ''}: ${err.awsMessage}`);
    case 'ResourceLimitExceededException':
      return stalled(Reason.QuotaExceeded, `${where} has reached its access-entry quota (3,000, not adjustable): remove unused entries. ${err.awsMessage}`);
    case 'AccessDenied':
    case 'AccessDeniedException':
    case 'UnauthorizedException':
      return accessDenied(err, ref, where);
    case 'ResourceNotFoundException':
    case 'NotFoundException':
      return notFound(err, where);
    default:
      // Unknown AWS errors are retried with backoff rather than declared terminal on a guess.
      return { retryable: true, reason: Reason.UnexpectedError, message: `${err.operation} on ${where}: ${err.awsName}: ${err.awsMessage}`, ...aws };
  }
}

function retryMessage(err: AwsCallError, reason: Reason, where: string): string {
  if (reason === Reason.NotLeader) return `${err.operation} on ${where} was not sent: this replica no longer leads; the leader retries it`;
  if (reason === Reason.AwsUnreachable && err.service === 'sts') return `${STS_UNREACHABLE} (${err.operation}: ${err.awsMessage}); retrying`;
  return `${err.operation} on ${where}: ${err.awsName}, retrying`;
}

/** The SDK points EKS and STS separately: EKS pointed at an emulator or a VPC endpoint leaves STS at AWS. */
const STS_UNREACHABLE =
  'STS could not be reached: the controller asks STS which account its credentials belong to. If EKS is pointed ' +
  'elsewhere (AWS_ENDPOINT_URL_EKS or --aws-endpoint), point STS too, with AWS_ENDPOINT_URL_STS or --sts-endpoint';

function accessDenied(err: AwsCallError, ref: EntryRef, where: string): Failure {
  const stalled = (message: string): Failure => ({ retryable: false, reason: Reason.AccessDenied, message, awsError: err.awsName });
  // IAM names its refusals AccessDenied too: the role was assumed, its policy lacks the action.
  if (err.service === 'iam') {
    return stalled(
      `the controller's AWS identity may not call iam:${err.operation} in the account of ${where}: grant it that action, ` +
        `as deploy/iam/controller-policy.json does. ${err.awsMessage}`,
    );
  }
  // STS names it AccessDenied: the trust policy of a ClusterAccess's role refused the controller.
  if (err.awsName === 'AccessDenied' && ref.credentials) {
    return stalled(
      `the controller may not assume ${ref.credentials.roleArn} (sts:AssumeRole refused): the role's trust policy must ` +
        `allow the controller's own identity${ref.credentials.externalId ? ' with this external id' : ''}. ${err.awsMessage}`,
    );
  }
  return stalled(`the controller's AWS identity may not call ${err.service}:${err.operation} on ${where}: grant it that action. ${err.awsMessage}`);
}

function notFound(err: AwsCallError, where: string): Failure {
  const retry = (reason: Reason, message: string): Failure => ({ retryable: true, reason, message, awsError: err.awsName });
  // Right after CreateAccessEntry, association calls can miss the new entry for a while.
  if (ASSOCIATION_OPERATIONS.has(err.operation)) return retry(Reason.EntryNotYetVisible, `${err.operation} on ${where}: EKS does not see the access entry yet, retrying`);
  // The entry vanished between two calls; the next attempt describes it afresh.
  // Only these two calls name the cluster alone: their "not found" is the cluster's.
  if (err.operation !== 'CreateAccessEntry' && err.operation !== 'DescribeCluster') return retry(Reason.UnexpectedError, `${err.operation} on ${where}: the entry disappeared, retrying`);
  return { retryable: false, reason: Reason.ClusterNotFound, message: `EKS ${where} was not found: check spec.clusterName and spec.region`, awsError: err.awsName };
}

function kubeFailure(err: KubeApiError): Failure {
  if (err.code === undefined) {
    return { retryable: true, reason: Reason.KubernetesApiError, message: `${err.message}: the Kubernetes API server could not be reached; retrying` };
  }
  if (err.code === 403) {
    return {
      retryable: false,
      reason: Reason.KubernetesApiError,
      message: `${err.message}: the controller's Kubernetes RBAC does not allow this; apply its ClusterRole (deploy/controller/rbac.yaml)`,
    };
  }
  return { retryable: true, reason: Reason.KubernetesApiError, message: `${err.message}; retrying` };
}

/**
 * Right after an IAM principal is created, CreateAccessEntry can fail with
 * InvalidParameterException until IAM's change reaches EKS (about two minutes). While the resource
 * has been Reconciling for less than the grace period, that is retried rather than declared
 * terminal. The Reconciling condition's lastTransitionTime is the clock, so no per-resource memory
 * is needed; a resource already Stalled is not Reconciling, so it gets no second grace.
 */
export function withPrincipalGrace(failure: Failure, status: AccessEntryStatus | undefined, now: Date, graceMs: number): Failure {
  if (failure.reason !== Reason.InvalidParameter) return failure;
  const reconciling = status?.conditions?.find((c) => c.type === ConditionType.Reconciling && c.status === 'True');
  if (!reconciling || now.getTime() - Date.parse(reconciling.lastTransitionTime) >= graceMs) return failure;
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
