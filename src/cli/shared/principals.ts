// IAM principals as access entries name them: role and user ARNs, with their paths.
import { AWS_PARTITIONS, MAX_IAM_PATH_LENGTH, type AwsPartition } from '../../api/names.ts';

export type PrincipalKind = 'role' | 'user';

export interface Principal {
  partition: AwsPartition;
  accountId: string;
  kind: PrincipalKind;
  /** `/`, or `/segments/` as IAM keeps it. */
  path: string;
  name: string;
}

// IAM's own limits: a name of 1 to 64 [\w+=,.@-], a path of printable ASCII between slashes.
const PRINCIPAL_ARN = /^arn:([a-z-]+):iam::(\d{12}):(role|user)(\/(?:[!-~]+\/)?)([\w+=,.@-]{1,64})$/;

/** The principal an ARN names, or undefined when it is no IAM role or user ARN EKS would take. */
export function parsePrincipalArn(arn: string): Principal | undefined {
  const match = PRINCIPAL_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, accountId, kind, path, name] = match as unknown as [string, string, string, PrincipalKind, string, string];
  if (!isPartition(partition) || path.length > MAX_IAM_PATH_LENGTH) return undefined;
  return { partition, accountId, kind, path, name };
}

export function principalArn(principal: Principal): string {
  return `arn:${principal.partition}:iam::${principal.accountId}:${principal.kind}${principal.path}${principal.name}`;
}

/**
 * Who the principal is, whatever path an ARN gives it: IAM names are unique per account and kind
 * whatever their case, and aws-auth could not hold paths, so an aws-auth item and an access entry
 * for the same role can differ in the path alone.
 */
export function principalKey(principal: Principal): string {
  return `${principal.partition}:${principal.accountId}:${principal.kind}:${principal.name.toLowerCase()}`;
}

/** Roles AWS services own; EKS refuses them as access-entry principals and grants them access itself. */
export function isServiceLinkedRole(principal: Principal): boolean {
  return principal.kind === 'role' && principal.path.startsWith(SERVICE_ROLE_PATH);
}

/** IAM Identity Center (SSO) permission-set roles, which live under /aws-reserved/sso.amazonaws.com/[REGION/]. */
export function isSsoRole(principal: Principal): boolean {
  return principal.kind === 'role' && principal.name.startsWith(SSO_ROLE_PREFIX);
}

/**
 * The username EKS gives an entry that names none: a role's sessions as
 * `arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/{{SessionName}}` (no path), a user its ARN.
 */
export function eksDefaultUsername(principal: Principal): string {
  if (principal.kind === 'user') return principalArn(principal);
  return `arn:${principal.partition}:sts::${principal.accountId}:assumed-role/${principal.name}/{{SessionName}}`;
}

const SERVICE_ROLE_PATH = '/aws-service-role/';
const SSO_ROLE_PREFIX = 'AWSReservedSSO_';

function isPartition(text: string): text is AwsPartition {
  return (AWS_PARTITIONS as readonly string[]).includes(text);
}
