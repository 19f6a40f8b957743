// The operations the emulator speaks, named like the SDK commands without `Command`: the EKS
// ones, STS GetCallerIdentity and AssumeRole so one endpoint override also answers "which
// account am I?" and "act in that account's role", and IAM's roles and users.

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
  'ListAccessPolicies',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
] as const;

export type EksOperation = (typeof EKS_OPERATIONS)[number];

export const STS_OPERATIONS = ['GetCallerIdentity', 'AssumeRole'] as const;

export type StsOperation = (typeof STS_OPERATIONS)[number];

export const IAM_OPERATIONS = ['CreateRole', 'GetRole', 'DeleteRole', 'ListRoles', 'CreateUser', 'GetUser', 'DeleteUser'] as const;

export type IamOperation = (typeof IAM_OPERATIONS)[number];

/** Every operation the emulator counts, logs and injects faults into. */
export const OPERATIONS = [...EKS_OPERATIONS, ...STS_OPERATIONS, ...IAM_OPERATIONS] as const;

export type Operation = EksOperation | StsOperation | IamOperation;

/** Operations that change state; benchmarks compare these against reads. */
export const WRITE_OPERATIONS: ReadonlySet<Operation> = new Set<Operation>([
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
  'CreateRole',
  'DeleteRole',
  'CreateUser',
  'DeleteUser',
]);

export function isEksOperation(value: unknown): value is EksOperation {
  return typeof value === 'string' && (EKS_OPERATIONS as readonly string[]).includes(value);
}

export function isStsOperation(value: unknown): value is StsOperation {
  return typeof value === 'string' && (STS_OPERATIONS as readonly string[]).includes(value);
}

export function isIamOperation(value: unknown): value is IamOperation {
  return typeof value === 'string' && (IAM_OPERATIONS as readonly string[]).includes(value);
}

export function isOperation(value: unknown): value is Operation {
  return isEksOperation(value) || isStsOperation(value) || isIamOperation(value);
}

/** The AWS services the emulator speaks, by the name SigV4 signs them with (and IAM actions start with). */
export type Service = 'eks' | 'sts' | 'iam';

export function serviceOf(operation: Operation): Service {
  if (isStsOperation(operation)) return 'sts';
  return isIamOperation(operation) ? 'iam' : 'eks';
}
