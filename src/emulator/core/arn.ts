// ARN pieces every service shares: partitions, and IAM role and user ARNs (paths allowed).

export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type Partition = (typeof PARTITIONS)[number];

export function partitionForRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Where a global service (IAM) of each partition lives and signs: us-east-1, cn-north-1, us-gov-west-1. */
export const GLOBAL_REGION: Readonly<Record<Partition, string>> = { aws: 'us-east-1', 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1' };

/** An IAM role or user ARN, read: what EKS, STS and IAM all take apart. */
export interface PrincipalArn {
  arn: string;
  partition: Partition;
  accountId: string;
  kind: 'role' | 'user';
  /** `/` or `/segments/`. */
  path: string;
  /** The name without its IAM path: what EKS puts in usernames and entry ARNs, STS in assumed-role ARNs. */
  name: string;
}

export interface RoleArn {
  arn: string;
  partition: Partition;
  accountId: string;
  /** The name without its IAM path: what STS puts in assumed-role ARNs. */
  name: string;
}

const IAM_PRINCIPAL = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):(role|user)((?:\/[\w+=,.@-]+)*\/)([\w+=,.@-]{1,64})$/;

/** Reads an IAM role or user ARN (paths allowed); undefined for anything else. */
export function parsePrincipalArn(arn: string): PrincipalArn | undefined {
  const match = IAM_PRINCIPAL.exec(arn);
  if (!match) return undefined;
  const [, partition, accountId, kind, path, name] = match as unknown as [string, Partition, string, 'role' | 'user', string, string];
  return { arn, partition, accountId, kind, path, name };
}

/** Reads an IAM role ARN (paths allowed); undefined for anything else. */
export function parseRoleArn(arn: string): RoleArn | undefined {
  const principal = parsePrincipalArn(arn);
  if (principal?.kind !== 'role') return undefined;
  const { partition, accountId, name } = principal;
  return { arn, partition, accountId, name };
}

/** `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME` (or `user/`), the path between the kind and the name. */
export function principalArn({ partition, accountId, kind, path, name }: Omit<PrincipalArn, 'arn'>): string {
  return `arn:${partition}:iam::${accountId}:${kind}${path}${name}`;
}
