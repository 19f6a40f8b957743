// The shipped IAM policies as IAM evaluates them (@cloud-copilot/iam-simulate, with AWS's
// authorization data): what someone holding the controller role's credentials can and cannot do.
import { describe, expect, it } from 'vitest';
import { MANAGED_BY_TAG, OWNER_TAG } from '../../src/api/names.ts';
import {
  assumeRole, associate, CONTROLLER_ROLE, createEntry, type Entry, HOME_ACCOUNT, MANAGED_ACCOUNT, onCluster, onEntry, onEverything, OUTSIDE_ACCOUNT,
  onIamResource, passRole, roleArn, tagEntry, tags, untagEntry,
} from '../iam/calls.ts';
import { type Installation, installedPolicy, shippedPolicy } from '../iam/installation.ts';
import { decide, type IamRequest, type NamedPolicy } from '../iam/simulate.ts';
import { fillPlaceholders } from '../../scripts/iam/document.ts';

const ID = 'eks-access-entry-controller-0123456789ab';
/** Another management cluster's default id: the old `eks-access-entry-controller*` pattern matched it too. */
const OTHER_ID = 'eks-access-entry-controller-fedcba987654';

const installation: Installation = {
  controllerId: ID,
  managedAccounts: [MANAGED_ACCOUNT],
  nodeRoleName: 'nodes/*',
  adoptablePrincipals: [roleArn('legacy-*')],
  protectedPrincipals: [roleArn('cluster-creator'), roleArn('eks-managed-nodegroup-*')],
};

const ours: Entry = { principal: roleArn('team-a'), tags: tags.ownedBy(ID) };
const foreign: Entry = { principal: roleArn('team-b'), tags: tags.ownedBy(OTHER_ID) };
const creator: Entry = { principal: roleArn('cluster-creator'), tags: tags.none };
const oursWithoutOwner: Entry = { principal: roleArn('team-c'), tags: tags.managedByOnly(ID) };
const legacy: Entry = { principal: roleArn('legacy-ci'), tags: tags.none };
const legacyOfAnother: Entry = { principal: roleArn('legacy-deploy'), tags: tags.ownedBy(OTHER_ID) };
const legacyOursWithoutOwner: Entry = { principal: roleArn('legacy-ops'), tags: tags.managedByOnly(ID) };
const protectedButOurs: Entry = { principal: roleArn('cluster-creator'), tags: tags.ownedBy(ID) };
const nodeRole = roleArn('nodes/ng-1');

const claim = { [MANAGED_BY_TAG]: ID, [OWNER_TAG]: 'team-a' };
const clusterAccessRole = roleArn('eks-access-entry-controller', MANAGED_ACCOUNT);
const trust = installedPolicy('cluster-access-role-trust-policy', installation).policy;

interface Row {
  call: string;
  request: IamRequest;
}
const row = (call: string, request: IamRequest): Row => ({ call, request });

async function resultOf(request: IamRequest, policies: NamedPolicy[]): Promise<string> {
  const crossAccount = request.resourceAccount !== HOME_ACCOUNT;
  const decision = await decide(request, policies, crossAccount ? trust : undefined);
  return decision.result === 'Allowed' ? 'Allowed' : `${decision.result}: ${decision.explanation}`;
}

const controllerPolicy = [installedPolicy('controller-policy', installation)];
const withAdoption = [...controllerPolicy, installedPolicy('controller-adoption-policy', installation)];
const withGuardrails = [...withAdoption, installedPolicy('controller-guardrails-deny', installation)];

describe('the controller policy denies', () => {
  const denied: Row[] = [
    row('claiming the cluster creator entry (TagResource writing both ownership tags)', tagEntry(creator, claim)),
    row('claiming another controller id entry', tagEntry(foreign, claim)),
    row('tagging another controller id entry with anything', tagEntry(foreign, { team: 'x' })),
    row('handing an own entry to another controller id', tagEntry(ours, { [MANAGED_BY_TAG]: OTHER_ID })),
    row('completing an entry tagged managed-by only (a claim: the adoption policy)', tagEntry(oursWithoutOwner, { [OWNER_TAG]: 'team-c' })),
    row('updating another controller id entry', onEntry('eks:UpdateAccessEntry', foreign)),
    row('updating the cluster creator entry', onEntry('eks:UpdateAccessEntry', creator)),
    row('updating an entry tagged managed-by only', onEntry('eks:UpdateAccessEntry', oursWithoutOwner)),
    row('deleting another controller id entry', onEntry('eks:DeleteAccessEntry', foreign)),
    row('deleting the cluster creator entry', onEntry('eks:DeleteAccessEntry', creator)),
    row('giving the cluster creator entry cluster-admin', associate(creator, 'AmazonEKSClusterAdminPolicy', { type: 'cluster' })),
    row('associating a policy on another controller id entry', associate(foreign, 'AmazonEKSViewPolicy', { type: 'namespace', namespaces: ['a'] })),
    row('disassociating a policy of another controller id entry', onEntry('eks:DisassociateAccessPolicy', foreign, { 'eks:policyArn': 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy' })),
    row('untagging another owner managed-by tag', untagEntry(foreign, [MANAGED_BY_TAG])),
    row('untagging another owner resource tag', untagEntry(foreign, [OWNER_TAG])),
    row('untagging the cluster creator entry', untagEntry(creator, ['team'])),
    row('creating an entry without tags', createEntry(roleArn('team-d'), {})),
    row('creating an entry tagged for another controller id', createEntry(roleArn('team-d'), { [MANAGED_BY_TAG]: OTHER_ID, [OWNER_TAG]: 'd' })),
    row('creating an entry tagged with the id in other case', createEntry(roleArn('team-d'), { [MANAGED_BY_TAG]: ID.toUpperCase(), [OWNER_TAG]: 'd' })),
    row('creating an entry tagged managed-by without the owner tag', createEntry(roleArn('team-d'), { [MANAGED_BY_TAG]: ID })),
    row('assuming a role in an account not named', assumeRole(roleArn('eks-access-entry-controller', OUTSIDE_ACCOUNT), { name: ID, externalId: 'platform-team' })),
    row('assuming a role of the named account other than a ClusterAccess role', assumeRole(roleArn('admin', MANAGED_ACCOUNT), { name: ID, externalId: 'platform-team' })),
    row('assuming a ClusterAccess role under another session name', assumeRole(clusterAccessRole, { name: 'someone', externalId: 'platform-team' })),
    row('passing a node role to another service', passRole(nodeRole, 'lambda.amazonaws.com')),
    row('passing a role outside the node-role pattern', passRole(roleArn('admin'), 'ec2.amazonaws.com')),
    row('tagging the cluster itself', { ...onCluster('eks:TagResource'), context: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: ID, 'aws:TagKeys': [MANAGED_BY_TAG] } }),
    row('changing the cluster authentication mode', onCluster('eks:UpdateClusterConfig')),
    row('deleting the cluster', onCluster('eks:DeleteCluster')),
    row('reading a role\'s policies (only its id is needed)', onIamResource('iam:GetRolePolicy', roleArn('team-a'))),
    row('changing a role\'s trust policy', onIamResource('iam:UpdateAssumeRolePolicy', roleArn('team-a'))),
    row('deleting a role', onIamResource('iam:DeleteRole', roleArn('team-a'))),
    row('listing users', onEverything('iam:ListUsers')),
    row('reading a group', onIamResource('iam:GetGroup', `arn:aws:iam::${HOME_ACCOUNT}:group/admins`)),
  ];

  it.each(denied)('$call', async ({ request }) => {
    expect(await resultOf(request, controllerPolicy)).toMatch(/^ImplicitlyDenied: /);
  });

  it('says which statement came closest and which condition failed', async () => {
    const decision = await decide(tagEntry(creator, claim), controllerPolicy);
    expect(decision.explanation).toBe(
      `closest statement TagOnlyThisControllersEntries (controller-policy) failed StringEquals aws:ResourceTag/${MANAGED_BY_TAG} "${ID}" (absent from the request) ` +
        `and Null aws:ResourceTag/${OWNER_TAG} "false" (absent from the request)`,
    );
  });
});

describe('the controller policy allows what the controller does', () => {
  const allowed: Row[] = [
    row('reading a cluster', onCluster('eks:DescribeCluster')),
    row('listing the access policies', onEverything('eks:ListAccessPolicies')),
    row('reading any entry (to report NotOwned)', onEntry('eks:DescribeAccessEntry', foreign)),
    row('reading the policies of any entry', onEntry('eks:ListAssociatedAccessPolicies', creator)),
    row('creating an entry with both ownership tags and user tags', createEntry(roleArn('team-d'), { ...claim, team: 'payments' })),
    row('creating a node entry', createEntry(nodeRole, claim, 'EC2_LINUX')),
    row('tagging its own entry', tagEntry(ours, { team: 'payments' })),
    row('naming another of its resources as owner (adopting its own orphan)', tagEntry(ours, { [OWNER_TAG]: 'heir' })),
    row('updating its own entry', onEntry('eks:UpdateAccessEntry', ours)),
    row('untagging a user tag of its own entry', untagEntry(ours, ['team'])),
    row('handing its own entry back (Retain): untagging both ownership tags', untagEntry(ours, [MANAGED_BY_TAG, OWNER_TAG])),
    row('associating a policy on its own entry', associate(ours, 'AmazonEKSViewPolicy', { type: 'namespace', namespaces: ['team-a'] })),
    row('associating cluster-admin on its own entry (no guardrails attached)', associate(ours, 'AmazonEKSClusterAdminPolicy', { type: 'cluster' })),
    row('disassociating a policy of its own entry', onEntry('eks:DisassociateAccessPolicy', ours, { 'eks:policyArn': 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy' })),
    row('deleting its own entry', onEntry('eks:DeleteAccessEntry', ours)),
    row('passing a node role to EC2', passRole(nodeRole, 'ec2.amazonaws.com')),
    row('reading a role\'s id and creation date (a re-created principal)', onIamResource('iam:GetRole', roleArn('team-a'))),
    row('reading an SSO role by its path', onIamResource('iam:GetRole', roleArn('aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef'))),
    row('reading a user\'s id and creation date', onIamResource('iam:GetUser', `arn:aws:iam::${HOME_ACCOUNT}:user/alice`)),
    row('listing the roles (permission sets by name; many principals at once)', onEverything('iam:ListRoles')),
    row('assuming a ClusterAccess role of a named account as its controller id', assumeRole(clusterAccessRole, { name: ID, externalId: 'platform-team' })),
  ];

  it.each(allowed)('$call', async ({ request }) => {
    expect(await resultOf(request, controllerPolicy)).toBe('Allowed');
  });

  it('denies every write while CONTROLLER_ID is left unfilled (fails closed)', async () => {
    const unfilled = [{ name: 'controller-policy', policy: fillPlaceholders(shippedPolicy('controller-policy'), { NODE_ROLE_NAME_PATTERN: 'nodes/*', MANAGED_ACCOUNT_ID: [MANAGED_ACCOUNT] }) }];
    for (const request of [createEntry(roleArn('team-d'), claim), onEntry('eks:UpdateAccessEntry', ours), tagEntry(ours, { team: 'x' })]) {
      expect(await resultOf(request, unfilled), request.action).toMatch(/^ImplicitlyDenied/);
    }
  });
});

describe('the adoption policy, attached beside it', () => {
  it.each([
    row('claims an untagged entry of an adoptable principal', tagEntry(legacy, claim)),
    row('claims it writing managed-by alone (the entry already has an owner tag)', tagEntry({ ...legacy, tags: { [OWNER_TAG]: 'team-a' } }, { [MANAGED_BY_TAG]: ID })),
    row('completes an adoptable principal entry tagged managed-by this controller only', tagEntry(legacyOursWithoutOwner, { [OWNER_TAG]: 'team-a' })),
  ])('$call', async ({ request }) => {
    expect(await resultOf(request, withAdoption)).toBe('Allowed');
  });

  it.each([
    row('never claims an entry of a principal outside the patterns (the cluster creator)', tagEntry(creator, claim)),
    row('never completes an entry of a principal outside the patterns', tagEntry(oursWithoutOwner, { [OWNER_TAG]: 'team-c' })),
    row('never claims another controller id entry, even of an adoptable principal', tagEntry(legacyOfAnother, claim)),
    row('never claims for another controller id', tagEntry(legacy, { [MANAGED_BY_TAG]: OTHER_ID, [OWNER_TAG]: 'x' })),
    row('never tags an unclaimed entry without claiming it', tagEntry(legacy, { team: 'x', [OWNER_TAG]: 'x' })),
    row('never hands an entry it completes to another id', tagEntry(legacyOursWithoutOwner, { [MANAGED_BY_TAG]: OTHER_ID, [OWNER_TAG]: 'x' })),
    row('never changes an unclaimed entry before the claim (tags go first)', onEntry('eks:UpdateAccessEntry', legacy)),
  ])('$call', async ({ request }) => {
    expect(await resultOf(request, withAdoption)).toMatch(/^ImplicitlyDenied: /);
  });
});

describe('the guardrails, attached beside both', () => {
  it.each([
    row('cluster-admin at cluster scope', associate(ours, 'AmazonEKSClusterAdminPolicy', { type: 'cluster' })),
    row('edit at cluster scope', associate(ours, 'AmazonEKSEditPolicy', { type: 'cluster' })),
    row('edit on kube-system', associate(ours, 'AmazonEKSEditPolicy', { type: 'namespace', namespaces: ['team-a', 'kube-system'] })),
    row('admin on every namespace (*)', associate(ours, 'AmazonEKSAdminPolicy', { type: 'namespace', namespaces: ['*'] })),
    row('secret reader on k* (reaches kube-system)', associate(ours, 'AmazonEKSSecretReaderPolicy', { type: 'namespace', namespaces: ['k*'] })),
    row('updating a protected principal entry, even its own', onEntry('eks:UpdateAccessEntry', protectedButOurs)),
    row('deleting a protected principal entry, even its own', onEntry('eks:DeleteAccessEntry', protectedButOurs)),
    row('untagging a protected principal entry', untagEntry(protectedButOurs, [MANAGED_BY_TAG])),
    row('creating an entry for a protected principal', createEntry(roleArn('eks-managed-nodegroup-abc'), claim, 'EC2_LINUX')),
    row('creating a node entry for a role outside the node-role pattern', createEntry(roleArn('team-a'), claim, 'HYBRID_LINUX')),
  ])('deny $call', async ({ request }) => {
    expect(await resultOf(request, withGuardrails)).toMatch(/^ExplicitlyDenied: denied by Deny/);
  });

  it.each([
    row('view at cluster scope', associate(ours, 'AmazonEKSViewPolicy', { type: 'cluster' })),
    row('edit on the team namespaces, wildcards included', associate(ours, 'AmazonEKSEditPolicy', { type: 'namespace', namespaces: ['team-a', 'team-a-*'] })),
    row('a node entry for a node role', createEntry(nodeRole, claim, 'EC2_LINUX')),
    row('a standard entry', createEntry(roleArn('team-d'), claim)),
    row('claiming an adoptable principal entry', tagEntry(legacy, claim)),
  ])('still allow $call', async ({ request }) => {
    expect(await resultOf(request, withGuardrails)).toBe('Allowed');
  });
});

describe('the ClusterAccess role trust policy', () => {
  const onlyTrust = async (request: IamRequest): Promise<string> => {
    const allowAny = { name: 'allow-assume', policy: { Version: '2012-10-17' as const, Statement: [{ Sid: 'Any', Effect: 'Allow' as const, Action: 'sts:AssumeRole', Resource: '*' }] } };
    const decision = await decide(request, [allowAny], trust);
    return decision.result;
  };

  it('lets the controller role in, as its controller id, with the external id', async () => {
    expect(await onlyTrust(assumeRole(clusterAccessRole, { name: ID, externalId: 'platform-team' }))).toBe('Allowed');
  });

  it.each([
    ['another session name', { name: 'alice', externalId: 'platform-team' }],
    ['no external id', { name: ID }],
    ['another external id', { name: ID, externalId: 'guess' }],
  ])('refuses %s', async (_, session) => {
    expect(await onlyTrust(assumeRole(clusterAccessRole, session))).not.toBe('Allowed');
  });

  it('refuses anyone but the controller role', async () => {
    const request = { ...assumeRole(clusterAccessRole, { name: ID, externalId: 'platform-team' }), principal: `arn:aws:sts::${HOME_ACCOUNT}:assumed-role/ci/${ID}` };
    expect(await onlyTrust(request)).not.toBe('Allowed');
    expect(CONTROLLER_ROLE).toBe(trust.Statement[0]!.Principal!.AWS);
  });
});
