// deploy/iam/plan-readonly-policy.json as IAM evaluates it: the command line's plan and report read
// every entry and cluster, and can change nothing, whoever owns the entry.
import { describe, expect, it } from 'vitest';
import { MANAGED_BY_TAG, OWNER_TAG } from '../../src/api/names.ts';
import { PLAN_ROLE_NAME } from '../../scripts/iam/policies.ts';
import {
  assumeRole, associate, createEntry, type Entry, MANAGED_ACCOUNT, onCluster, onEntry, onEverything, OUTSIDE_ACCOUNT, passRole, roleArn, tagEntry, tags, untagEntry,
} from '../iam/calls.ts';
import { installedPolicy, type Installation } from '../iam/installation.ts';
import { decide, type IamRequest } from '../iam/simulate.ts';

const ID = 'eks-access-entry-controller-0123456789ab';
const installation: Installation = { controllerId: ID, managedAccounts: [MANAGED_ACCOUNT], nodeRoleName: 'nodes/*', adoptablePrincipals: [], protectedPrincipals: [] };
const policy = [installedPolicy('plan-readonly-policy', installation)];

const ours: Entry = { principal: roleArn('team-a'), tags: tags.ownedBy(ID) };
const foreign: Entry = { principal: roleArn('team-b'), tags: tags.ownedBy('another-installation') };
const creator: Entry = { principal: roleArn('cluster-creator'), tags: tags.none };
const nodes: Entry = { principal: roleArn('nodes/ng-1'), tags: tags.none, type: 'EC2_LINUX' };
const readOnlyRole = roleArn(PLAN_ROLE_NAME, MANAGED_ACCOUNT);

async function result(request: IamRequest): Promise<string> {
  // Assuming a role of another account is also up to that role's trust policy: here, one that trusts the caller.
  const trust = request.action === 'sts:AssumeRole'
    ? { Version: '2012-10-17' as const, Statement: [{ Sid: 'Caller', Effect: 'Allow' as const, Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] }
    : undefined;
  const decision = await decide(request, policy, trust);
  return decision.result;
}

describe('the plan read-only policy allows what plan and report call', () => {
  it.each([
    ['DescribeCluster (a missing cluster blocks what is planned for it)', onCluster('eks:DescribeCluster')],
    ['ListAccessEntries (--prune, report)', onCluster('eks:ListAccessEntries')],
    ['DescribeAccessEntry of its own controller\'s entry', onEntry('eks:DescribeAccessEntry', ours)],
    ['DescribeAccessEntry of another controller\'s entry', onEntry('eks:DescribeAccessEntry', foreign)],
    ['DescribeAccessEntry of the cluster creator\'s', onEntry('eks:DescribeAccessEntry', creator)],
    ['ListAssociatedAccessPolicies of any entry', onEntry('eks:ListAssociatedAccessPolicies', creator)],
    ['DescribeAccessEntry of a node entry', onEntry('eks:DescribeAccessEntry', nodes)],
    ['ListAccessPolicies (explains a policy EKS does not offer)', onEverything('eks:ListAccessPolicies')],
    ['assuming the read-only role of a named account (--assume-role-name)', assumeRole(readOnlyRole, { name: 'eks-access-entries' })],
  ])('%s', async (_, request) => {
    expect(await result(request)).toBe('Allowed');
  });
});

describe('the plan read-only policy denies every change', () => {
  const claim = { [MANAGED_BY_TAG]: ID, [OWNER_TAG]: 'team-a' };
  it.each([
    ['creating an entry, even tagged for the controller', createEntry(roleArn('team-d'), claim)],
    ['updating its controller\'s entry', onEntry('eks:UpdateAccessEntry', ours)],
    ['deleting its controller\'s entry', onEntry('eks:DeleteAccessEntry', ours)],
    ['tagging an entry', tagEntry(ours, { team: 'x' })],
    ['claiming the cluster creator\'s entry', tagEntry(creator, claim)],
    ['untagging an entry', untagEntry(ours, [MANAGED_BY_TAG])],
    ['associating a policy', associate(ours, 'AmazonEKSViewPolicy', { type: 'cluster' })],
    ['disassociating a policy', onEntry('eks:DisassociateAccessPolicy', ours, { 'eks:policyArn': 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy' })],
    ['changing the authentication mode', onCluster('eks:UpdateClusterConfig')],
    ['passing a node role', passRole(roleArn('nodes/ng-1'), 'ec2.amazonaws.com')],
    ['assuming the controller\'s ClusterAccess role (it can write)', assumeRole(roleArn('eks-access-entry-controller', MANAGED_ACCOUNT), { name: ID, externalId: 'platform-team' })],
    ['assuming the read-only role of an account not named', assumeRole(roleArn(PLAN_ROLE_NAME, OUTSIDE_ACCOUNT), { name: 'eks-access-entries' })],
  ])('%s', async (_, request) => {
    expect(await result(request)).toMatch(/Denied/);
  });
});
