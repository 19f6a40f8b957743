// Every line migrate prints or writes for a person: why an item was left out and what to do,
// the warnings, and the comments in its output. Defined once, so tests and docs quote them.
import type { Principal } from '../shared/principals.ts';

export interface SkipReason {
  reason: string;
  action: string;
}

const KEEP_IN_AWS_AUTH = 'keep its aws-auth item while the cluster still reads aws-auth';

export const Skip = {
  noArn: (arnKey: string): SkipReason => ({
    reason: `it has no ${arnKey}`,
    action: 'add the ARN of the principal it is for, or remove the item (it lets nobody in)',
  }),
  notPrincipal: (arn: string): SkipReason => ({
    reason: `${JSON.stringify(arn)} is not the ARN of an IAM role or user, such as arn:aws:iam::111122223333:role/NAME`,
    action: 'correct it in aws-auth and migrate again, or write the AccessEntry by hand',
  }),
  duplicate: (firstWhere: string): SkipReason => ({
    reason: `it names the same principal as the item at ${firstWhere}, and the first item wins`,
    action: 'remove one of the two from aws-auth (merging their groups, if both were meant) and migrate again',
  }),
  serviceLinked: (): SkipReason => ({
    reason: 'it is a service-linked role (role/aws-service-role/...), which EKS refuses as an access-entry principal',
    action: `nothing to write: ${KEEP_IN_AWS_AUTH}, and give the service access as its own documentation says for access entries`,
  }),
  nodeUser: (): SkipReason => ({
    reason: 'it maps a user to the node username system:node:{{EC2PrivateDNSName}}, and node entries take a role',
    action: 'correct the ARN to the node role and migrate again, or remove the item',
  }),
  nodeExtraGroups: (groups: readonly string[]): SkipReason => ({
    reason: `it maps a node role with groups beyond the node groups (${groups.join(', ')}), and node entries take no groups: its nodes would lose them`,
    action: 'bind that RBAC to system:nodes, or to a group of a STANDARD entry, then write the node AccessEntry by hand',
  }),
  reservedGroup: (group: string): SkipReason => ({
    reason: `group ${JSON.stringify(group)} is reserved by Kubernetes, and EKS refuses system: groups other than system:masters (which migrate turns into AmazonEKSClusterAdminPolicy)`,
    action: 'bind the RBAC that group grants to a group of your own, put that group in the item and migrate again, or write the AccessEntry by hand',
  }),
  badGroup: (problem: string): SkipReason => ({ reason: problem, action: 'correct the group in aws-auth and migrate again' }),
  badUsername: (problem: string): SkipReason => ({
    reason: problem,
    action: 'choose another username in aws-auth (or none: EKS then gives its default) and migrate again',
  }),
  hybridNodeUsername: (problem: string): SkipReason => ({
    reason: `${problem} (without system:node-proxier it is no Fargate role)`,
    action: 'if it is the role of hybrid nodes, write a HYBRID_LINUX AccessEntry for it by hand; otherwise choose another username and migrate again',
  }),
  account: (accountId: string): SkipReason => ({
    reason: `mapAccounts lets every role and user of account ${accountId} in, which access entries cannot express`,
    action: 'write an AccessEntry for each role or user of that account that needs access',
  }),
  partition: (arn: string, region: string): SkipReason => ({
    reason: `${arn} is in another AWS partition than region ${region}, so EKS could never find it`,
    action: 'correct the ARN in aws-auth, or --region, and migrate again',
  }),
  unknownToIam: (principal: Principal): SkipReason => ({
    reason: `IAM has no ${principal.kind} named ${principal.name} in account ${principal.accountId}: it was deleted, or the ARN is mistyped`,
    action: 'remove the item from aws-auth (it lets nobody in), or correct the ARN and migrate again',
  }),
  ssoWithoutPath: (): SkipReason => ({
    reason: 'an IAM Identity Center (SSO) role lives under the path /aws-reserved/sso.amazonaws.com/, which aws-auth cannot hold and --no-iam did not look up',
    action: 'migrate without --no-iam, or write the AccessEntry by hand with the role\'s full ARN from IAM',
  }),
  hasEntry: (): SkipReason => ({
    reason: 'it already has an access entry in EKS',
    action: '`import` it if Git should own it',
  }),
  nodeHasEntry: (): SkipReason => ({
    reason: 'it already has an access entry in EKS, which EKS makes itself for managed node groups and Fargate profiles',
    action: 'leave it to EKS, and keep its aws-auth item until the cluster is in API mode',
  }),
} as const;

export const Warning = {
  noIam:
    'IAM was not asked (--no-iam): principalArns are as aws-auth gives them, without paths; a role or user with a path ' +
    '(made with one by CloudFormation, Terraform or by hand) gets an ARN EKS does not know: check each against IAM',
  noEks:
    'EKS was not asked (--no-eks): principals that already have an access entry (managed node groups, Fargate profiles, the ' +
    'cluster creator) are written too; their AccessEntries would stall as NotOwned: leave them out, or import them instead',
  configMapMode: (cluster: string): string =>
    `cluster ${cluster} is in CONFIG_MAP mode: it has no access entries yet, and when it leaves that mode EKS makes them for its ` +
    'managed node groups and Fargate profiles. Switch it to API_AND_CONFIG_MAP first (aws-auth keeps working), then migrate again, ' +
    'so those are left out',
  otherAccount: (where: string, arn: string, callerAccount: string): string =>
    `${where} (${arn}): path not checked: the principal is in another account than your credentials (${callerAccount}); ` +
    'check it in that account\'s IAM and correct principalArn if the principal has a path',
} as const;

export const Comment = {
  source: (where: string): string => `from aws-auth, ${where}`,
  pathFromIam: (written: string): string => `principalArn as IAM has it; aws-auth gives ${written}`,
  pathNotChecked: 'path not checked: the principal is in another account than the credentials migrate ran with',
  clusterAdmin: [
    'system:masters in aws-auth: EKS refuses system: groups, and AmazonEKSClusterAdminPolicy at cluster scope grants what',
    'system:masters did (cluster-admin)',
  ],
  nodeRetain: [
    'Retain: deleting this AccessEntry (or the file, from Git) must never cut nodes off the cluster;',
    'the entry then stays in EKS until someone deletes it there, once no node uses this role',
  ],
} as const;
