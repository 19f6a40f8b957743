// Who is calling: the account and region from the SigV4 scope, and, when the access key is one
// AssumeRole issued, the role session it acts as. Real AWS checks temporary credentials before
// the service sees the call; so does the emulator, with the state's clock.
import type { IncomingMessage } from 'node:http';
import type { Service } from '../operations.ts';
import { GLOBAL_REGION, partitionForRegion } from './arn.ts';
import { EksError } from './errors.ts';
import type { Location } from './location.ts';
import { userPrincipal, type CallerPrincipal, type RoleSession } from '../sts/role-sessions.ts';
import { headerValue, signingScope } from './sigv4.ts';
import type { EmulatorState } from '../state.ts';

export interface Caller {
  location: Location;
  accessKeyId?: string;
  /** The session AssumeRole issued this access key for, expired or not. */
  session?: RoleSession;
  /** X-Amz-Security-Token, from the header or a presigned URL. */
  sessionToken?: string;
  signedAt?: Date;
  userAgent?: string;
}

/**
 * The caller's account comes from its access key; the region from the SigV4 scope, except for a
 * global service (IAM), whose calls act in its partition's one region whatever the client signed
 * for (with an endpoint override the SDK signs with the client's region).
 */
export function identifyCaller(state: EmulatorState, request: IncomingMessage, query: URLSearchParams, service: Service): Caller {
  const scope = signingScope(request, query);
  const session = state.sessionForAccessKey(scope.accessKeyId);
  const sessionToken = headerValue(request, 'x-amz-security-token') ?? query.get('X-Amz-Security-Token') ?? undefined;
  const userAgent = headerValue(request, 'user-agent') ?? headerValue(request, 'x-amz-user-agent');
  const signedRegion = scope.region ?? state.defaultRegion;
  const region = service === 'iam' ? GLOBAL_REGION[partitionForRegion(signedRegion)] : signedRegion;
  return {
    location: { accountId: state.accountForAccessKey(scope.accessKeyId), region },
    ...(scope.accessKeyId === undefined ? {} : { accessKeyId: scope.accessKeyId }),
    ...(session === undefined ? {} : { session }),
    ...(sessionToken === undefined ? {} : { sessionToken }),
    ...(scope.signedAt === undefined ? {} : { signedAt: scope.signedAt }),
    ...(userAgent === undefined ? {} : { userAgent }),
  };
}

/** The caller as STS names it: the assumed-role session, else the emulator's IAM user in the caller's account. */
export function principalOf(caller: Caller): CallerPrincipal {
  const { session, location } = caller;
  if (session === undefined) return userPrincipal(location.accountId, location.region);
  return { accountId: location.accountId, arn: session.arn, userId: session.assumedRoleId, session };
}

/**
 * Why AWS would refuse the caller's temporary credentials before looking at the call: a session
 * token that is missing or not the one issued with the key (a client that dropped it), or a
 * session past its Expiration. Undefined for long-term keys and valid sessions.
 */
export function credentialRefusal(caller: Caller, now: Date): EksError | undefined {
  const { session } = caller;
  if (session === undefined) return undefined;
  if (caller.sessionToken !== session.sessionToken) return new EksError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (session.expiration.getTime() <= now.getTime()) return new EksError('ExpiredTokenException', 'The security token included in the request is expired');
  return undefined;
}
