import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DeleteAccessEntryCommand,
  DisassociateAccessPolicyCommand,
  ListAccessEntriesCommand,
  ListAccessPoliciesCommand,
  ListAssociatedAccessPoliciesCommand,
  type AccessScope,
} from '@aws-sdk/client-eks';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EntryType } from '../../../api/names.ts';
import { failure, policy, role, useTestBed } from '../../test-support.ts';

const t = useTestBed();
beforeEach(async () => {
  await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
});

const associateArn = (policyArn: string, accessScope: AccessScope, principalArn = role('dev')) =>
  t.eks.send(new AssociateAccessPolicyCommand({ clusterName: 'demo', principalArn, policyArn, accessScope }));

const associate = (policyName: string, accessScope: AccessScope, principalArn = role('dev')) => associateArn(policy(policyName), accessScope, principalArn);

const disassociate = (policyName: string, principalArn = role('dev')) =>
  t.eks.send(new DisassociateAccessPolicyCommand({ clusterName: 'demo', principalArn, policyArn: policy(policyName) }));

const listPolicies = async (principalArn = role('dev')) =>
  (await t.eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'demo', principalArn }))).associatedAccessPolicies ?? [];

describe('AssociateAccessPolicy', () => {
  it('associates a policy with its scope and reports it back', async () => {
    const answer = await associate('AmazonEKSViewPolicy', { type: 'namespace', namespaces: ['team-a', 'team-b'] });
    expect(answer).toMatchObject({
      clusterName: 'demo',
      principalArn: role('dev'),
      associatedAccessPolicy: { policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['team-a', 'team-b'] } },
    });
    expect(answer.associatedAccessPolicy?.associatedAt).toBeInstanceOf(Date);
    expect(answer.associatedAccessPolicy?.modifiedAt).toEqual(answer.associatedAccessPolicy?.associatedAt);
    expect(await listPolicies()).toEqual([answer.associatedAccessPolicy]);
  });

  it('replaces the scope of a policy already associated: associatedAt stays, modifiedAt moves', async () => {
    const first = (await associate('AmazonEKSEditPolicy', { type: 'namespace', namespaces: ['a'] })).associatedAccessPolicy!;
    const second = (await associate('AmazonEKSEditPolicy', { type: 'cluster' })).associatedAccessPolicy!;
    expect(second.associatedAt).toEqual(first.associatedAt);
    expect(second.modifiedAt!.getTime()).toBeGreaterThan(first.modifiedAt!.getTime());
    expect(await listPolicies()).toEqual([{ ...second, accessScope: { type: 'cluster', namespaces: [] } }]);
  });

  it.each<[string, AccessScope | undefined, RegExp]>([
    ['a namespace scope without namespaces', { type: 'namespace' }, /at least one namespace/],
    ['a namespace scope with an empty list', { type: 'namespace', namespaces: [] }, /at least one namespace/],
    ['a cluster scope with namespaces', { type: 'cluster', namespaces: ['a'] }, /must be empty/],
    ['an unknown scope type', { type: 'global' as AccessScope['type'] }, /accessScope.type must be one of cluster, namespace/],
    ['no scope', undefined, /accessScope is required/],
  ])('rejects %s with InvalidParameterException', async (_what, accessScope, message) => {
    const error = await failure(associate('AmazonEKSViewPolicy', accessScope!));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(message);
  });

  it('answers ResourceNotFoundException with the text EKS uses for an entry it cannot find', async () => {
    const error = await failure(associate('AmazonEKSViewPolicy', { type: 'cluster' }, role('ghost')));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toBe("The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.");
  });

  it('answers ResourceNotFoundException for a missing cluster, InvalidRequestException for a CONFIG_MAP one', async () => {
    const missing = await failure(
      t.eks.send(new AssociateAccessPolicyCommand({ clusterName: 'nope', principalArn: role('dev'), policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'cluster' } })),
    );
    expect(missing.name).toBe('ResourceNotFoundException');
    t.bed.emulator.state.setAuthenticationMode('demo', 'CONFIG_MAP');
    expect((await failure(associate('AmazonEKSViewPolicy', { type: 'cluster' }))).name).toBe('InvalidRequestException');
    expect((await failure(listPolicies())).name).toBe('InvalidRequestException');
  });
});

describe('namespace names in an access scope', () => {
  it.each(['default', 'team-a', 'a', 'a1-b2', 'x'.repeat(63), 'dev-*', 'dev*', 'a*', `${'x'.repeat(62)}*`])('accepts %s', async (namespace) => {
    const answer = await associate('AmazonEKSViewPolicy', { type: 'namespace', namespaces: [namespace] });
    expect(answer.associatedAccessPolicy?.accessScope?.namespaces).toEqual([namespace]);
  });

  it.each<[string, RegExp]>([
    ['*', /only wildcard allowed is a single '\*' at the end of a name prefix/],
    ['*-dev', /only wildcard/],
    ['dev-*-x', /only wildcard/],
    ['dev-**', /only wildcard/],
    ['-*', /only wildcard/],
    ['Dev', /lowercase letters, digits and hyphens/],
    ['team_a', /lowercase letters/],
    ['team.a', /lowercase letters/],
    ['-team', /lowercase letters/],
    ['team-', /lowercase letters/],
    ['dev-?', /lowercase letters/],
    ['', /1 to 63 characters/],
    ['x'.repeat(64), /1 to 63 characters/],
    [`${'x'.repeat(63)}*`, /1 to 63 characters/],
  ])('refuses %j with InvalidParameterException', async (namespace, message) => {
    const error = await failure(associate('AmazonEKSViewPolicy', { type: 'namespace', namespaces: ['fine', namespace] }));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(message);
    expect(await listPolicies()).toEqual([]);
  });
});

describe('policies that are not in the catalogue', () => {
  it.each<[string, string]>([
    ['an unknown name', policy('AmazonEKSSuperUserPolicy')],
    ['a name in the wrong case', policy('amazoneksviewpolicy')],
    ['an ARN with a region', 'arn:aws:eks:us-east-1:aws:cluster-access-policy/AmazonEKSViewPolicy'],
    ['the triple-colon typo users report', 'arn:aws:eks:::cluster-access-policy/AmazonEKSViewPolicy'],
    ['another partition', 'arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'],
    ['an IAM policy', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
    ['no ARN at all', 'AmazonEKSViewPolicy'],
  ])('refuses %s with ResourceNotFoundException, changing nothing', async (_what, policyArn) => {
    const error = await failure(associateArn(policyArn, { type: 'cluster' }));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toBe('The specified policyArn could not be found.');
    expect(await listPolicies()).toEqual([]);
  });

  it('takes the partition from the caller region: aws-cn ARNs in cn-north-1', async () => {
    t.bed.emulator.state.createCluster('china', { region: 'cn-north-1' });
    const china = t.bed.client({ region: 'cn-north-1' });
    await china.send(new CreateAccessEntryCommand({ clusterName: 'china', principalArn: 'arn:aws-cn:iam::123456789012:role/dev' }));
    const send = (policyArn: string) =>
      china.send(
        new AssociateAccessPolicyCommand({ clusterName: 'china', principalArn: 'arn:aws-cn:iam::123456789012:role/dev', policyArn, accessScope: { type: 'cluster' } }),
      );
    await expect(send('arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy')).resolves.toBeDefined();
    expect((await failure(send(policy('AmazonEKSViewPolicy')))).name).toBe('ResourceNotFoundException');
  });

  it('refuses a policy reserved for service-linked roles on other roles, with EKS text', async () => {
    const error = await failure(associate('AmazonEKSComputeClusterPolicy', { type: 'cluster' }));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe('The specified policyArn can only be associated with service-linked roles.');
    const slr = role('aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS');
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: slr }));
    await expect(associate('AmazonEKSComputeClusterPolicy', { type: 'cluster' }, slr)).resolves.toBeDefined();
  });

  it('accepts a policy added to the catalogue at run time', async () => {
    expect((await failure(associate('AmazonEKSFuturePolicy', { type: 'cluster' }))).name).toBe('ResourceNotFoundException');
    t.bed.emulator.state.addAccessPolicy('AmazonEKSFuturePolicy');
    await expect(associate('AmazonEKSFuturePolicy', { type: 'cluster' })).resolves.toBeDefined();
  });
});

describe('entry types', () => {
  it.each<EntryType>(['EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX', 'HYPERPOD_LINUX'])(
    '%s takes no access policies: all three calls → InvalidParameterException',
    async (type) => {
      t.bed.emulator.state.seedAccessEntry('demo', { principalArn: role('node'), type });
      const calls = [
        () => associate('AmazonEKSViewPolicy', { type: 'cluster' }, role('node')),
        () => disassociate('AmazonEKSViewPolicy', role('node')),
        () => listPolicies(role('node')),
      ];
      for (const call of calls) {
        const error = await failure(call());
        expect(error.name).toBe('InvalidParameterException');
        expect(error.message).toBe('This operation can only be performed on Access Entries with a type of "STANDARD".');
      }
    },
  );

  it('EC2 (EKS Auto Mode nodes) takes AmazonEKSAutoNodePolicy at cluster scope, as the EKS user guide does, and lists and removes it', async () => {
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('auto-node'), type: 'EC2' }));
    await associate('AmazonEKSAutoNodePolicy', { type: 'cluster' }, role('auto-node'));
    expect((await listPolicies(role('auto-node'))).map((p) => p.policyArn)).toEqual([policy('AmazonEKSAutoNodePolicy')]);
    await disassociate('AmazonEKSAutoNodePolicy', role('auto-node'));
    expect(await listPolicies(role('auto-node'))).toEqual([]);
  });

  it.each(['AmazonEKSClusterAdminPolicy', 'AmazonEKSViewPolicy', 'AmazonEKSAdminPolicy'])('EC2 refuses %s: InvalidParameterException naming the one it takes', async (name) => {
    t.bed.emulator.state.seedAccessEntry('demo', { principalArn: role('auto-node'), type: 'EC2' });
    const error = await failure(associate(name, { type: 'cluster' }, role('auto-node')));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe(`Access entries of type EC2 can only be associated with the access policy ${policy('AmazonEKSAutoNodePolicy')}; ${policy(name)} is not allowed.`);
    expect(await listPolicies(role('auto-node'))).toEqual([]);
  });

  it('EC2 refuses AmazonEKSAutoNodePolicy at namespace scope', async () => {
    t.bed.emulator.state.seedAccessEntry('demo', { principalArn: role('auto-node'), type: 'EC2' });
    const error = await failure(associate('AmazonEKSAutoNodePolicy', { type: 'namespace', namespaces: ['kube-system'] }, role('auto-node')));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toBe('AmazonEKSAutoNodePolicy can only be associated with an accessScope of type cluster on an access entry of type EC2.');
    expect(await listPolicies(role('auto-node'))).toEqual([]);
  });

  it('EC2 in another partition takes the node policy of that partition', async () => {
    t.bed.emulator.state.createCluster('demo', { region: 'cn-north-1' });
    t.bed.emulator.state.seedAccessEntry('demo', { principalArn: 'arn:aws-cn:iam::123456789012:role/auto-node', type: 'EC2' }, { region: 'cn-north-1' });
    const china = t.bed.client({ region: 'cn-north-1' });
    const send = (policyArn: string) =>
      china.send(
        new AssociateAccessPolicyCommand({ clusterName: 'demo', principalArn: 'arn:aws-cn:iam::123456789012:role/auto-node', policyArn, accessScope: { type: 'cluster' } }),
      );
    await expect(send('arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSAutoNodePolicy')).resolves.toBeDefined();
    expect((await failure(send('arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'))).name).toBe('InvalidParameterException');
  });

  it('lists AmazonEKSAutoNodePolicy in the catalogue', async () => {
    const { accessPolicies } = await t.eks.send(new ListAccessPoliciesCommand({}));
    expect(accessPolicies).toContainEqual({ name: 'AmazonEKSAutoNodePolicy', arn: policy('AmazonEKSAutoNodePolicy') });
  });
});

describe('DisassociateAccessPolicy', () => {
  it('removes the association, then answers ResourceNotFoundException for it', async () => {
    await associate('AmazonEKSViewPolicy', { type: 'cluster' });
    await associate('AmazonEKSEditPolicy', { type: 'cluster' });
    await disassociate('AmazonEKSViewPolicy');
    expect((await listPolicies()).map((p) => p.policyArn)).toEqual([policy('AmazonEKSEditPolicy')]);
    const error = await failure(disassociate('AmazonEKSViewPolicy'));
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toContain(policy('AmazonEKSViewPolicy'));
  });

  it('answers ResourceNotFoundException for a policy never associated and for a missing entry', async () => {
    expect((await failure(disassociate('AmazonEKSAdminPolicy'))).name).toBe('ResourceNotFoundException');
    expect((await failure(disassociate('AmazonEKSAdminPolicy', role('ghost')))).name).toBe('ResourceNotFoundException');
  });
});

describe('ListAssociatedAccessPolicies', () => {
  const page = (maxResults?: number, nextToken?: string) =>
    t.eks.send(
      new ListAssociatedAccessPoliciesCommand({ clusterName: 'demo', principalArn: role('dev'), ...(maxResults ? { maxResults } : {}), ...(nextToken ? { nextToken } : {}) }),
    );

  it('pages in policyArn order with maxResults and nextToken, naming the entry', async () => {
    for (const name of ['AmazonEKSViewPolicy', 'AmazonEKSEditPolicy', 'AmazonEKSAdminPolicy']) await associate(name, { type: 'cluster' });
    const first = await page(2);
    expect(first).toMatchObject({ clusterName: 'demo', principalArn: role('dev') });
    expect(first.associatedAccessPolicies?.map((p) => p.policyArn)).toEqual([policy('AmazonEKSAdminPolicy'), policy('AmazonEKSEditPolicy')]);
    const second = await page(2, first.nextToken);
    expect(second.associatedAccessPolicies?.map((p) => p.policyArn)).toEqual([policy('AmazonEKSViewPolicy')]);
    expect(second.nextToken).toBeUndefined();
    const all = await page();
    expect(all.associatedAccessPolicies?.[0]).toEqual({
      policyArn: policy('AmazonEKSAdminPolicy'),
      accessScope: { type: 'cluster', namespaces: [] },
      associatedAt: expect.any(Date),
      modifiedAt: expect.any(Date),
    });
  });

  it.each([0, 101])('refuses maxResults %i', async (maxResults) => {
    const error = await failure(t.eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'demo', principalArn: role('dev'), maxResults })));
    expect(error.name).toBe('InvalidParameterException');
  });

  it('answers ResourceNotFoundException for a missing entry', async () => {
    expect((await failure(listPolicies(role('ghost')))).name).toBe('ResourceNotFoundException');
  });
});

describe('associations and entries', () => {
  it('ListAccessEntries filters by associatedPolicyArn', async () => {
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('admin') }));
    await associate('AmazonEKSClusterAdminPolicy', { type: 'cluster' }, role('admin'));
    await associate('AmazonEKSViewPolicy', { type: 'cluster' });
    const { accessEntries } = await t.eks.send(
      new ListAccessEntriesCommand({ clusterName: 'demo', associatedPolicyArn: policy('AmazonEKSClusterAdminPolicy') }),
    );
    expect(accessEntries).toEqual([role('admin')]);
  });

  it('deleting an entry drops its associations', async () => {
    await associate('AmazonEKSViewPolicy', { type: 'cluster' });
    await t.eks.send(new DeleteAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    expect(await listPolicies()).toEqual([]);
  });

  it('the cluster creator gets AmazonEKSClusterAdminPolicy in the partition of its region', () => {
    t.bed.emulator.state.createCluster('gov', { region: 'us-gov-west-1', bootstrapCreatorPrincipalArn: 'arn:aws-us-gov:iam::123456789012:role/creator' });
    const creator = t.bed.emulator.state.getAccessEntry('gov', 'arn:aws-us-gov:iam::123456789012:role/creator', { region: 'us-gov-west-1' });
    expect(creator?.associatedPolicies.map((p) => p.policyArn)).toEqual(['arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy']);
  });
});

describe('counting, logging and faults', () => {
  it('counts every association call, logs principalArn and policyArn', async () => {
    await associate('AmazonEKSViewPolicy', { type: 'cluster' });
    await failure(associate('AmazonEKSNopePolicy', { type: 'cluster' }));
    await listPolicies();
    await disassociate('AmazonEKSViewPolicy');
    const { calls } = t.bed.emulator;
    expect([calls.count('AssociateAccessPolicy'), calls.count('ListAssociatedAccessPolicies'), calls.count('DisassociateAccessPolicy')]).toEqual([2, 1, 1]);
    const log = calls.log().filter((call) => call.operation !== 'CreateAccessEntry');
    expect(log).toEqual([
      expect.objectContaining({ operation: 'AssociateAccessPolicy', principalArn: role('dev'), policyArn: policy('AmazonEKSViewPolicy'), status: 200 }),
      expect.objectContaining({ operation: 'AssociateAccessPolicy', policyArn: policy('AmazonEKSNopePolicy'), status: 404, error: 'ResourceNotFoundException' }),
      expect.objectContaining({ operation: 'ListAssociatedAccessPolicies', principalArn: role('dev'), status: 200 }),
      expect.objectContaining({ operation: 'DisassociateAccessPolicy', principalArn: role('dev'), policyArn: policy('AmazonEKSViewPolicy'), status: 200 }),
    ]);
    expect(log[2]?.policyArn).toBeUndefined();
  });

  it('takes fault rules by operation, principal and policy; a faulted call changes nothing', async () => {
    t.bed.emulator.faults.add({ operation: 'AssociateAccessPolicy', fault: 'ThrottlingException', policyArn: policy('AmazonEKSEditPolicy') });
    await associate('AmazonEKSViewPolicy', { type: 'cluster' });
    const error = await failure(associate('AmazonEKSEditPolicy', { type: 'cluster' }));
    expect(error.name).toBe('ThrottlingException');
    expect(t.bed.emulator.calls.log().at(-1)).toMatchObject({ fault: 'ThrottlingException', policyArn: policy('AmazonEKSEditPolicy') });
    t.bed.emulator.faults.add({ operation: 'DisassociateAccessPolicy', fault: 'ServerException', principalArn: role('dev'), count: 1 });
    expect((await failure(disassociate('AmazonEKSViewPolicy'))).name).toBe('ServerException');
    t.bed.emulator.faults.add({ operation: 'ListAssociatedAccessPolicies', fault: 'AccessDeniedException', count: 1 });
    expect((await failure(listPolicies())).name).toBe('AccessDeniedException');
    expect((await listPolicies()).map((p) => p.policyArn)).toEqual([policy('AmazonEKSViewPolicy')]);
  });

  it('LoseResponse applies the association and loses the answer', async () => {
    t.bed.emulator.faults.add({ operation: 'AssociateAccessPolicy', fault: 'LoseResponse', count: 1 });
    expect((await failure(associate('AmazonEKSViewPolicy', { type: 'cluster' }))).name).toBe('TimeoutError');
    expect((await listPolicies()).map((p) => p.policyArn)).toEqual([policy('AmazonEKSViewPolicy')]);
  });
});
