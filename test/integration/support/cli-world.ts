// The access a team has before it adopts the controller, for the command line's end-to-end tests:
// IAM's principals (with the paths aws-auth could not hold), the entries EKS made itself when the
// cluster left CONFIG_MAP mode, and those made by hand or by other tools.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningEmulator } from '../../../src/emulator/index.ts';
import { ROOT } from './cli.ts';

export const ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '210987654321';
export const role = (path: string): string => `arn:aws:iam::${ACCOUNT}:role/${path}`;
export const user = (path: string): string => `arn:aws:iam::${ACCOUNT}:user/${path}`;
export const policyArn = (name: string): string => `arn:aws:eks::aws:cluster-access-policy/${name}`;

export const AWS_AUTH_FILE = join(ROOT, 'test/integration/fixtures/cli/aws-auth.yaml');
export const AWS_AUTH_TEXT = readFileSync(AWS_AUTH_FILE, 'utf8');

export const SSO_ADMIN = role('aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_1a2b3c4d5e6f7a8b');
export const SSO_READONLY = role('aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_8b7a6f5e4d3c2b1a');
export const MANAGED_NODE_GROUP = role('eks-nodegroup-general');
export const FARGATE_PROFILE = role('fargate-pod-execution');

/** What IAM has: the paths are IAM's, aws-auth names these by name alone. */
export const IAM_PRINCIPALS = [
  MANAGED_NODE_GROUP,
  role('self-managed-linux-nodes'),
  role('self-managed-windows-nodes'),
  FARGATE_PROFILE,
  role('fargate-batch'),
  SSO_ADMIN,
  SSO_READONLY,
  role('teams/platform/developers'),
  role('ci/github-actions-deployer'),
  role('legacy-anonymous'),
  role('aws-service-role/emr-containers.amazonaws.com/AWSServiceRoleForAmazonEMRContainers'),
  role('aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS'),
  role('session-named'),
  role('pretends-to-be-system'),
  role('hybrid-nodes'),
  user('alice'),
  user('people/bob'),
];

/** What migrate must write for the fixture, by principal ARN as IAM has it. */
export const MIGRATED = {
  [role('self-managed-linux-nodes')]: { type: 'EC2_LINUX' },
  [role('self-managed-windows-nodes')]: { type: 'EC2_WINDOWS' },
  [role('fargate-batch')]: { type: 'FARGATE_LINUX' },
  [SSO_ADMIN]: { type: 'STANDARD', groups: [], username: 'sso-admin:{{SessionName}}', clusterAdmin: true },
  [SSO_READONLY]: { type: 'STANDARD', groups: ['viewers'], username: 'sso-readonly:{{SessionName}}' },
  [role('teams/platform/developers')]: { type: 'STANDARD', groups: ['developers', 'viewers'], username: 'developer:{{SessionName}}' },
  [role('ci/github-actions-deployer')]: { type: 'STANDARD', groups: ['deployers'], username: 'ci:{{SessionName}}' },
  [`arn:aws:iam::${OTHER_ACCOUNT}:role/audit-readonly`]: { type: 'STANDARD', groups: ['auditors'], username: 'auditor:{{SessionName}}' },
  [user('alice')]: { type: 'STANDARD', groups: ['ops'], username: 'alice', clusterAdmin: true },
  [user('people/bob')]: { type: 'STANDARD', groups: ['developers'], username: 'bob' },
} as Record<string, { type: string; groups?: string[]; username?: string; clusterAdmin?: boolean }>;

/** The fixture's items migrate must leave out, each by the start of its report line and a word of its reason. */
export const LEFT_OUT: [string, RegExp][] = [
  ['aws-auth.yaml line 11 (arn:aws:iam::123456789012:role/eks-nodegroup-general)', /EKS makes itself for managed node groups/],
  ['aws-auth.yaml line 27 (arn:aws:iam::123456789012:role/fargate-pod-execution)', /EKS makes itself for managed node groups and Fargate profiles/],
  ['aws-auth.yaml line 60 (arn:aws:iam::123456789012:role/legacy-anonymous)', /"system:authenticated" is reserved/],
  ['aws-auth.yaml line 64 (arn:aws:iam::123456789012:role/AWSServiceRoleForAmazonEMRContainers)', /service-linked role/],
  ['aws-auth.yaml line 66 (arn:aws:iam::123456789012:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS)', /service-linked role/],
  ['aws-auth.yaml line 68:', /it has no rolearn/],
  ['aws-auth.yaml line 71 (arn:aws:iam::123456789012:role/developers)', /same principal as the item at aws-auth\.yaml line 47/],
  ['aws-auth.yaml line 75 (arn:aws:iam::123456789012:role/session-named)', /no colon before it/],
  ['aws-auth.yaml line 77 (arn:aws:iam::123456789012:role/pretends-to-be-system)', /starts with system:/],
  ['aws-auth.yaml line 79 (arn:aws:iam::123456789012:role/decommissioned-team)', /IAM has no role named decommissioned-team/],
  ['aws-auth.yaml line 83 (arn:aws:iam::123456789012:role/hybrid-nodes)', /HYBRID_LINUX/],
  ['mapAccounts item at aws-auth.yaml line 99 (210987654321)', /every role and user of account 210987654321/],
];

export function seedIam(emulator: RunningEmulator): void {
  for (const arn of IAM_PRINCIPALS) emulator.state.iam.createPrincipal(arn);
}

/** The entries EKS made itself when the cluster left CONFIG_MAP mode: its managed node group's and Fargate profile's. */
export function seedEksNodeEntries(emulator: RunningEmulator, cluster: string): void {
  emulator.state.seedAccessEntry(cluster, { principalArn: MANAGED_NODE_GROUP, type: 'EC2_LINUX' });
  emulator.state.seedAccessEntry(cluster, { principalArn: FARGATE_PROFILE, type: 'FARGATE_LINUX' });
}
