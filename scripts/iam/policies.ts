// The one source of every IAM policy file in deploy/iam/ that names a partition: the controller's
// permissions, the opt-in adoption policy, the optional guardrails (Deny) and the trust policy of
// a ClusterAccess role. `npm run generate:iam` writes one file per partition from here; a unit test
// fails when a committed file differs. The install guide (docs/install.md, "1. IAM") explains
// each statement; keep the two together.
import { ACCESS_POLICY_ARN_RESOURCE_PREFIX, type AwsPartition, MANAGED_BY_TAG, OWNER_TAG } from '../../src/api/names.ts';
import { Placeholder, type PolicyDocument, type Statement } from './document.ts';

const ENTRY_WRITES = ['eks:UpdateAccessEntry', 'eks:DeleteAccessEntry', 'eks:AssociateAccessPolicy', 'eks:DisassociateAccessPolicy', 'eks:UntagResource'];

/** An existing entry carries both ownership tags, managed-by naming this installation. */
const OWNED_BY_THIS_CONTROLLER = {
  StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: Placeholder.controllerId },
  Null: { [`aws:ResourceTag/${OWNER_TAG}`]: 'false' },
};

/** The access policies that, at cluster scope or on the system namespaces, amount to cluster-admin or to reading every Secret. */
export const ADMIN_ACCESS_POLICIES = [
  'AmazonEKSClusterAdminPolicy',
  'AmazonEKSAdminPolicy',
  'AmazonEKSEditPolicy',
  'AmazonEKSAdminViewPolicy',
  'AmazonEKSSecretReaderPolicy',
] as const;

/**
 * Namespace values that reach kube-system and the other kube-* namespaces: those names, `*`,
 * and every wildcard prefix of `kube-` (`${*}` is IAM's literal asterisk, EKS's wildcard).
 */
export const SYSTEM_NAMESPACE_PATTERNS = ['kube-*', '${*}', 'k${*}', 'ku${*}', 'kub${*}', 'kube${*}'] as const;

/** EC2's service principal; in China regions it may also be written with the .cn suffix. */
const ec2Principals = (partition: AwsPartition): string | string[] => (partition === 'aws-cn' ? ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] : 'ec2.amazonaws.com');

const arns = (partition: AwsPartition) => ({
  clusters: `arn:${partition}:eks:*:*:cluster/*`,
  entries: `arn:${partition}:eks:*:*:access-entry/*`,
  nodeRoles: `arn:${partition}:iam::*:role/${Placeholder.nodeRoleName}`,
  roles: `arn:${partition}:iam::*:role/*`,
  users: `arn:${partition}:iam::*:user/*`,
  clusterAccessRoles: `arn:${partition}:iam::*:role/eks-access-entry-controller*`,
  accessPolicy: (name: string) => `arn:${partition}:${ACCESS_POLICY_ARN_RESOURCE_PREFIX}${name}`,
  exampleControllerRole: `arn:${partition}:iam::111111111111:role/eks-access-entry-controller`,
});

/** deploy/iam/controller-policy.json: exactly what the controller calls, writes limited to this installation's entries. */
export function controllerPolicy(partition: AwsPartition): PolicyDocument {
  const arn = arns(partition);
  const statements: Statement[] = [
    { Sid: 'DescribeClusters', Effect: 'Allow', Action: 'eks:DescribeCluster', Resource: arn.clusters },
    { Sid: 'ListAccessPolicyCatalogue', Effect: 'Allow', Action: 'eks:ListAccessPolicies', Resource: '*' },
    { Sid: 'ReadAccessEntries', Effect: 'Allow', Action: ['eks:DescribeAccessEntry', 'eks:ListAssociatedAccessPolicies'], Resource: arn.entries },
    {
      Sid: 'CreateEntriesTaggedForThisController',
      Effect: 'Allow',
      Action: 'eks:CreateAccessEntry',
      Resource: arn.clusters,
      Condition: {
        StringEquals: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: Placeholder.controllerId },
        Null: { [`aws:RequestTag/${OWNER_TAG}`]: 'false' },
      },
    },
    { Sid: 'ChangeOnlyThisControllersEntries', Effect: 'Allow', Action: ENTRY_WRITES, Resource: arn.entries, Condition: OWNED_BY_THIS_CONTROLLER },
    {
      Sid: 'TagOnlyThisControllersEntries',
      Effect: 'Allow',
      Action: 'eks:TagResource',
      Resource: arn.entries,
      Condition: {
        ...OWNED_BY_THIS_CONTROLLER,
        // A tag request may rewrite the ownership tags, but never hand the entry to another id.
        StringEqualsIfExists: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: Placeholder.controllerId },
      },
    },
    // IAM reads only in the account of the credentials: each principal's unique id and creation date
    // (a re-created principal), and the roles Identity Center provisioned (ListRoles has no resource).
    { Sid: 'ReadPrincipalIds', Effect: 'Allow', Action: ['iam:GetRole', 'iam:GetUser'], Resource: [arn.roles, arn.users] },
    { Sid: 'ListRolesForPermissionSetsAndIds', Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' },
    {
      Sid: 'PassNodeRolesToEc2',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: arn.nodeRoles,
      Condition: { StringEquals: { 'iam:PassedToService': ec2Principals(partition) } },
    },
    {
      Sid: 'AssumeClusterAccessRolesInNamedAccounts',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: arn.clusterAccessRoles,
      Condition: {
        StringEquals: { 'aws:ResourceAccount': [Placeholder.managedAccountId], 'sts:RoleSessionName': Placeholder.controllerId },
      },
    },
  ];
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * deploy/iam/controller-adoption-policy.json: claiming (adoptExisting) entries nobody owns, of named
 * principals only. The controller tags before anything else when it adopts, and sends only the
 * tags that change: so an untagged entry is claimed by writing managed-by (with the owner tag, or
 * not if the entry already has one), and an entry already managed-by this id but without an owner
 * tag by writing the owner tag alone.
 */
export function adoptionPolicy(partition: AwsPartition): PolicyDocument {
  const entries = arns(partition).entries;
  const adoptable = { 'eks:principalArn': [Placeholder.adoptablePrincipalArn] };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ClaimUntaggedEntriesOfAdoptablePrincipals',
        Effect: 'Allow',
        Action: 'eks:TagResource',
        Resource: entries,
        Condition: {
          // No managed-by tag: EKS's own entries, ones made by hand, ones handed back on Retain.
          Null: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: 'true' },
          StringEquals: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: Placeholder.controllerId },
          ArnLike: adoptable,
        },
      },
      {
        Sid: 'CompleteOwnershipOfThisControllersEntries',
        Effect: 'Allow',
        Action: 'eks:TagResource',
        Resource: entries,
        Condition: {
          // Managed-by this id but owned by no AccessEntry: claimed only on request, as any other.
          StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: Placeholder.controllerId },
          Null: { [`aws:ResourceTag/${OWNER_TAG}`]: 'true' },
          StringEqualsIfExists: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: Placeholder.controllerId },
          ArnLike: adoptable,
        },
      },
    ],
  };
}

/** deploy/iam/controller-guardrails-deny.json: Deny statements, defence in depth beside the Allows. */
export function guardrailsDeny(partition: AwsPartition): PolicyDocument {
  const arn = arns(partition);
  const adminPolicies = ADMIN_ACCESS_POLICIES.map(arn.accessPolicy);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyTouchingProtectedPrincipals',
        Effect: 'Deny',
        Action: ['eks:CreateAccessEntry', 'eks:TagResource', ...ENTRY_WRITES],
        Resource: [arn.clusters, arn.entries],
        Condition: { ArnLike: { 'eks:principalArn': [Placeholder.protectedPrincipalArn] } },
      },
      {
        Sid: 'DenyAdminPoliciesAtClusterScope',
        Effect: 'Deny',
        Action: 'eks:AssociateAccessPolicy',
        Resource: arn.entries,
        Condition: { ArnLike: { 'eks:policyArn': adminPolicies }, StringEquals: { 'eks:accessScope': 'cluster' } },
      },
      {
        Sid: 'DenyAdminPoliciesOnSystemNamespaces',
        Effect: 'Deny',
        Action: 'eks:AssociateAccessPolicy',
        Resource: arn.entries,
        Condition: { ArnLike: { 'eks:policyArn': adminPolicies }, 'ForAnyValue:StringLike': { 'eks:namespaces': [...SYSTEM_NAMESPACE_PATTERNS] } },
      },
      {
        Sid: 'DenyNodeTypesForOtherRoles',
        Effect: 'Deny',
        Action: 'eks:CreateAccessEntry',
        Resource: arn.clusters,
        Condition: {
          // Null first: a request that names no type makes a STANDARD entry.
          Null: { 'eks:accessEntryType': 'false' },
          StringNotEquals: { 'eks:accessEntryType': 'STANDARD' },
          ArnNotLike: { 'eks:principalArn': arn.nodeRoles },
        },
      },
    ],
  };
}

/** deploy/iam/cluster-access-role-trust-policy.json: who may assume a ClusterAccess role, and as which session. */
export function clusterAccessTrustPolicy(partition: AwsPartition): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TheControllersOwnRole',
        Effect: 'Allow',
        Principal: { AWS: arns(partition).exampleControllerRole },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'platform-team', 'sts:RoleSessionName': Placeholder.controllerId } },
      },
    ],
  };
}

/** The role plan and report assume in each account its ClusterAccesses name (--assume-role-name), holding this policy. */
export const PLAN_ROLE_NAME = 'eks-access-entries-readonly';

/**
 * deploy/iam/plan-readonly-policy.json: what `eks-access-entries plan` and `report` call, reads only,
 * for a CI job or an auditor. With --assume-role-name, a role of this name in each ClusterAccess
 * account (holding this policy too) is assumed instead of the controller's own role there.
 */
export function planReadonlyPolicy(partition: AwsPartition): PolicyDocument {
  const arn = arns(partition);
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ReadClustersAndListTheirEntries', Effect: 'Allow', Action: ['eks:DescribeCluster', 'eks:ListAccessEntries'], Resource: arn.clusters },
      { Sid: 'ReadAccessEntries', Effect: 'Allow', Action: ['eks:DescribeAccessEntry', 'eks:ListAssociatedAccessPolicies'], Resource: arn.entries },
      { Sid: 'ListAccessPolicyCatalogue', Effect: 'Allow', Action: 'eks:ListAccessPolicies', Resource: '*' },
      // What the controller reads of IAM, so plan decides as it does: principal ids (re-created
      // principals) and the roles Identity Center provisioned (permission sets by name).
      { Sid: 'ReadPrincipalIds', Effect: 'Allow', Action: ['iam:GetRole', 'iam:GetUser'], Resource: [arn.roles, arn.users] },
      { Sid: 'ListRolesForPermissionSetsAndIds', Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' },
      {
        Sid: 'AssumeReadOnlyRolesInNamedAccounts',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: `arn:${partition}:iam::*:role/${PLAN_ROLE_NAME}`,
        Condition: { StringEquals: { 'aws:ResourceAccount': [Placeholder.managedAccountId] } },
      },
    ],
  };
}

/** Every generated file, by the name of its `aws` variant in deploy/iam/. */
export const POLICY_FILES = {
  'controller-policy': controllerPolicy,
  'controller-adoption-policy': adoptionPolicy,
  'controller-guardrails-deny': guardrailsDeny,
  'cluster-access-role-trust-policy': clusterAccessTrustPolicy,
  'plan-readonly-policy': planReadonlyPolicy,
} as const satisfies Record<string, (partition: AwsPartition) => PolicyDocument>;

export type PolicyFileName = keyof typeof POLICY_FILES;
