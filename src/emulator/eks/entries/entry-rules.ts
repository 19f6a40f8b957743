// EKS's input rules for an access entry's type, groups and username, each failing with
// InvalidParameterException and a message that says what to fix.
import { EntryTypes, RESERVED_GROUP_PREFIX, RESERVED_USERNAME_PREFIXES, type EntryType } from '../../../api/names.ts';
import { invalidParameter } from '../../core/errors.ts';
import type { PrincipalArn } from '../arn.ts';

export function parseEntryType(value: string | undefined): EntryType {
  if (value === undefined) return 'STANDARD';
  if (!(EntryTypes as readonly string[]).includes(value)) {
    throw invalidParameter(`The type ${value} is not valid; use one of ${EntryTypes.join(', ')}.`);
  }
  return value as EntryType;
}

export function validateKubernetesGroups(groups: string[]): void {
  for (const group of groups) {
    if (group.trim() === '') throw invalidParameter('kubernetesGroups must not contain empty names.');
    if (group.startsWith(RESERVED_GROUP_PREFIX)) {
      throw invalidParameter(
        `The kubernetesGroups value ${group} starts with the reserved prefix ${RESERVED_GROUP_PREFIX}. ` +
          'Use another group name; for cluster admin access associate AmazonEKSClusterAdminPolicy instead of system:masters.',
      );
    }
  }
}

export function validateUsername(username: string): void {
  if (username === '') throw invalidParameter('username must not be empty; leave it out to let EKS choose one.');
  const reserved = RESERVED_USERNAME_PREFIXES.find((prefix) => username.startsWith(prefix));
  if (reserved !== undefined) {
    throw invalidParameter(
      `The username ${username} starts with the reserved prefix ${reserved}; usernames may not start with ${RESERVED_USERNAME_PREFIXES.join(', ')}.`,
    );
  }
}

/** Node entries belong to EKS: roles only, and neither groups nor a username of the caller's choosing. */
export function validateNodeEntry(type: EntryType, principal: PrincipalArn, fields: { kubernetesGroups?: string[]; username?: string }): void {
  if (type === 'STANDARD') return;
  if (principal.kind !== 'role') {
    throw invalidParameter(`Access entries of type ${type} accept IAM role ARNs only; ${principal.arn} is an IAM user.`, {
      principalArn: principal.arn,
    });
  }
  if (fields.kubernetesGroups !== undefined && fields.kubernetesGroups.length > 0) {
    throw invalidParameter(`kubernetesGroups can't be set on an access entry of type ${type}; EKS manages the groups of node entries.`, {
      principalArn: principal.arn,
    });
  }
  if (fields.username !== undefined) {
    throw invalidParameter(`username can't be set on an access entry of type ${type}; EKS sets it to the node's name.`, {
      principalArn: principal.arn,
    });
  }
}
