// Which IAM principal a resource's entry is for, and what IAM says of it: the one place a spec's
// principal (an ARN, or an Identity Center permission set by name) becomes an ARN. Everything
// downstream (the desired entry, planning, deletion and expiry) reads the ARN from here.
import type { AccessEntry } from '../api/accessentry.ts';
import { Reason } from '../api/reasons.ts';
import type { AwsTarget } from '../eks/types.ts';
import type { PrincipalDirectory, PrincipalState, SsoListing } from '../iam/directory.ts';
import { matchPermissionSet } from '../iam/sso.ts';
import type { Failure } from './failures.ts';

/** The principal of the entry the resource asks for now, and what IAM says of it. */
export interface ResolvedPrincipal {
  arn: string;
  state: PrincipalState;
  /** The permission set spec.principal named, when the ARN was resolved from one. */
  permissionSet?: string;
}

export interface ResolveContext {
  directory: Pick<PrincipalDirectory, 'lookup' | 'ssoRoles'>;
  /** Read IAM afresh (a reconcile a person asked for). */
  fresh: boolean;
}

/**
 * A listing this old that lacks the permission set's role is listed again before the resource is
 * told the permission set is not provisioned: it may have been provisioned since.
 */
const SSO_MISS_RELIST_MS = 5_000;

/**
 * The principal, read from IAM with the credentials of the cluster's account (`target`). A
 * permission set that IAM cannot list is a Failure of its own; an ARN principal never fails here:
 * what IAM cannot say about it is part of its state.
 */
export async function resolvePrincipal(resource: AccessEntry, target: AwsTarget, { directory, fresh }: ResolveContext): Promise<ResolvedPrincipal | Failure> {
  const { principalArn, principal } = resource.spec;
  if (principalArn !== undefined) return { arn: principalArn, state: await directory.lookup(target, principalArn, { fresh }) };
  const permissionSet = principal?.ssoPermissionSet ?? '';
  let listing = await directory.ssoRoles(target, fresh ? { maxAgeMs: 0 } : {});
  let resolved = principalOf(permissionSet, listing);
  if ('reason' in resolved && resolved.reason === Reason.PermissionSetNotProvisioned && !fresh) {
    listing = await directory.ssoRoles(target, { maxAgeMs: SSO_MISS_RELIST_MS });
    resolved = principalOf(permissionSet, listing);
  }
  return resolved;
}

/** The role a permission set resolves to in the listing of one account, or why none does. Pure. */
export function principalOf(permissionSet: string, listing: SsoListing): ResolvedPrincipal | Failure {
  const match = matchPermissionSet(permissionSet, listing.roles);
  const where = `account ${listing.accountId}`;
  switch (match.kind) {
    case 'one':
      return { arn: match.role.arn, state: { kind: 'found', principal: match.role }, permissionSet };
    case 'none':
      return {
        retryable: true,
        reason: Reason.PermissionSetNotProvisioned,
        message:
          `IAM Identity Center has provisioned no role for permission set ${permissionSet} in ${where} (none named ` +
          `AWSReservedSSO_${permissionSet}_... under /aws-reserved/sso.amazonaws.com/): assign the permission set to a user or ` +
          `group in ${where}, which provisions the role, or check spec.principal.ssoPermissionSet (names are case-sensitive); retrying`,
      };
    case 'several':
      return {
        retryable: false,
        reason: Reason.AmbiguousPermissionSet,
        message:
          `${match.roles.length} roles in ${where} look provisioned for permission set ${permissionSet}: ` +
          `${match.roles.map((role) => role.arn).join(', ')}. Identity Center keeps one per account: delete the stale ones in ` +
          'IAM, or give the one meant in spec.principalArn (in a new AccessEntry)',
      };
  }
}

/**
 * The principal of the entry this resource has in EKS, as recorded: what deletion and expiry
 * remove even when a permission set no longer resolves. Statuses from before it was recorded,
 * and ARN principals, name it in the spec.
 */
export function recordedPrincipalArn(resource: AccessEntry): string | undefined {
  return resource.status?.principalArn ?? resource.spec.principalArn;
}

/**
 * Every principal whose entry this resource may still have in EKS: its own, and the one it had
 * before a permission set moved to a new role, until that entry is removed.
 */
export function recordedPrincipals(resource: AccessEntry): string[] {
  const previous = resource.status?.previousPrincipalArn;
  const current = recordedPrincipalArn(resource);
  return [...new Set([current, previous].filter((arn): arn is string => arn !== undefined))];
}

/** What the spec names, for messages: its ARN, or its permission set. */
export function describePrincipal(resource: AccessEntry): string {
  const { principalArn, principal } = resource.spec;
  return principalArn ?? `permission set ${principal?.ssoPermissionSet ?? ''}`;
}
