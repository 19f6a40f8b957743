// IAM Identity Center's roles, matched to the permission set they were provisioned for: one role
// per permission set per account, under /aws-reserved/sso.amazonaws.com/ (sometimes with a region
// segment after it), named AWSReservedSSO_<PermissionSet>_<16 hex>. The suffix differs per account
// and changes when the permission set is provisioned again.
import { parsePrincipalArn } from './arn.ts';
import type { IamPrincipal } from './principals.ts';

/** Where Identity Center puts the roles it provisions: what ListRoles is asked for. */
export const SSO_PATH_PREFIX = '/aws-reserved/sso.amazonaws.com/';

const SSO_PATH = /^\/aws-reserved\/sso\.amazonaws\.com\/(?:[^/]+\/)?$/;
const SUFFIX = /^[0-9a-fA-F]{16}$/;
const ROLE_PREFIX = 'AWSReservedSSO_';

export type PermissionSetMatch =
  | { kind: 'one'; role: IamPrincipal }
  | { kind: 'none' }
  /** Sorted by ARN. */
  | { kind: 'several'; roles: IamPrincipal[] };

/**
 * The role provisioned for the permission set among `roles`. The name must be exactly
 * AWSReservedSSO_<name>_<16 hex>: a permission set whose name starts with another's (Admin,
 * Admin_ReadOnly) never matches the other's roles, as its role's name has more between the two.
 */
export function matchPermissionSet(permissionSet: string, roles: readonly IamPrincipal[]): PermissionSetMatch {
  const matches = roles.filter((role) => isRoleOf(permissionSet, role.arn)).sort((a, b) => a.arn.localeCompare(b.arn));
  if (matches.length === 0) return { kind: 'none' };
  if (matches.length === 1) return { kind: 'one', role: matches[0]! };
  return { kind: 'several', roles: matches };
}

export function isRoleOf(permissionSet: string, roleArn: string): boolean {
  const principal = parsePrincipalArn(roleArn);
  if (principal?.kind !== 'role' || !SSO_PATH.test(principal.path)) return false;
  const { name } = principal;
  const prefix = `${ROLE_PREFIX}${permissionSet}_`;
  return name.startsWith(prefix) && SUFFIX.test(name.slice(prefix.length));
}
