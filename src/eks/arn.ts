// What the controller reads out of ARNs: partitions, and where an access entry lives.

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** The partition whose endpoints serve a region: China and GovCloud regions have their own. */
export function partitionOfRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The partition an ARN names (arn:PARTITION:...), or undefined for something that is no ARN. */
export function partitionOfArn(arn: string): string | undefined {
  return /^arn:([^:]+):/.exec(arn)?.[1];
}

/** The region and account an access entry lives in, read from its ARN. */
export interface EntryPlace {
  region: string;
  accountId: string;
}

/** arn:PARTITION:eks:REGION:ACCOUNT:access-entry/CLUSTER/... */
export function placeOfAccessEntry(accessEntryArn: string): EntryPlace | undefined {
  const match = /^arn:[^:]+:eks:([^:]+):(\d{12}):access-entry\//.exec(accessEntryArn);
  return match ? { region: match[1]!, accountId: match[2]! } : undefined;
}

/** The ARN of an AWS-managed EKS access policy in a region's partition. */
export function accessPolicyArn(region: string, name: string): string {
  return `arn:${partitionOfRegion(region)}:eks::aws:cluster-access-policy/${name}`;
}
