// The EKS operations the emulator speaks, named like the SDK commands without `Command`.

export const EKS_OPERATIONS = [
  'CreateCluster',
  'DescribeCluster',
  'DeleteCluster',
  'UpdateClusterConfig',
  'CreateAccessEntry',
  'DescribeAccessEntry',
  'UpdateAccessEntry',
  'DeleteAccessEntry',
  'ListAccessEntries',
  'AssociateAccessPolicy',
  'DisassociateAccessPolicy',
  'ListAssociatedAccessPolicies',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
] as const;

export type EksOperation = (typeof EKS_OPERATIONS)[number];

/** Operations that change state; benchmarks compare these against reads. */
export const WRITE_OPERATIONS: ReadonlySet<EksOperation> = new Set<EksOperation>([
  'CreateCluster',
  'DeleteCluster',
  'UpdateClusterConfig',
  'CreateAccessEntry',
  'UpdateAccessEntry',
  'DeleteAccessEntry',
  'AssociateAccessPolicy',
  'DisassociateAccessPolicy',
  'TagResource',
  'UntagResource',
]);

export function isEksOperation(value: unknown): value is EksOperation {
  return typeof value === 'string' && (EKS_OPERATIONS as readonly string[]).includes(value);
}
