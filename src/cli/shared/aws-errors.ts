// AWS failures as the person at the terminal should read them: what failed and what to do.
import { AwsCallError } from '../../eks/errors.ts';
import { CliError } from './exit.ts';

const CREDENTIALS = {
  missing:
    'found no AWS credentials: sign in (aws sso login, aws configure), choose a profile with --profile or AWS_PROFILE, ' +
    'or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
  expired: 'your AWS credentials have expired: sign in again (aws sso login) or renew the session',
  unknown: 'AWS does not recognise your credentials (an unknown or deleted access key): check the profile or keys in use',
  signature: 'AWS rejected the signature of the requests: the secret key is wrong, or this machine\'s clock is more than 5 minutes off',
} as const;

const CREDENTIAL_ERRORS: Record<string, string> = {
  CredentialsProviderError: CREDENTIALS.missing,
  ExpiredTokenException: CREDENTIALS.expired,
  ExpiredToken: CREDENTIALS.expired,
  RequestExpired: CREDENTIALS.expired,
  UnrecognizedClientException: CREDENTIALS.unknown,
  InvalidClientTokenId: CREDENTIALS.unknown,
  InvalidSignatureException: CREDENTIALS.signature,
  SignatureDoesNotMatch: CREDENTIALS.signature,
};

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedException']);
const UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|TimeoutError|UND_ERR_.*)$/;

/**
 * A CliError for an AWS failure, or the error itself when it is not one (a bug, shown with its
 * stack). `hint` is added to what the user can do, e.g. "or pass --no-iam".
 */
export function explainAwsFailure(err: unknown, hint?: string): unknown {
  if (!(err instanceof AwsCallError)) return err;
  const service = err.service;
  const action = `${service}:${err.operation}`;
  const extra = hint ? `; ${hint}` : '';
  const credentials = CREDENTIAL_ERRORS[err.awsName];
  if (credentials) return new CliError(`${err.operation}: ${credentials}${extra}`, { cause: err });
  if (ACCESS_DENIED.has(err.awsName)) {
    return new CliError(`your AWS credentials may not call ${action}: ask for that permission, or use other credentials${extra} (${err.awsMessage})`, { cause: err });
  }
  if (UNREACHABLE.test(err.awsName)) {
    return new CliError(
      `${err.operation}: cannot reach ${service.toUpperCase()} (${err.awsName}): check the network, the region, or AWS_ENDPOINT_URL_${service.toUpperCase()} if you set one${extra}`,
      { cause: err },
    );
  }
  return new CliError(`${err.operation} failed: ${err.awsName}: ${err.awsMessage}${extra}`, { cause: err });
}
