// ARN pieces every service shares: partitions, and IAM role ARNs (paths allowed).

export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type Partition = (typeof PARTITIONS)[number];

export function partitionForRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export interface RoleArn {
  arn: string;
  partition: Partition;
  accountId: string;
  /** The name without its IAM path: what STS puts in assumed-role ARNs. */
  name: string;
}

const IAM_ROLE = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role(?:\/[\w+=,.@-]+)*\/([\w+=,.@-]{1,64})$/;

/** Reads an IAM role ARN (paths allowed); undefined for anything else. */
export function parseRoleArn(arn: string): RoleArn | undefined {
  const match = IAM_ROLE.exec(arn);
  if (!match) return undefined;
  const [, partition, accountId, name] = match as unknown as [string, Partition, string, string];
  return { arn, partition, accountId, name };
}
