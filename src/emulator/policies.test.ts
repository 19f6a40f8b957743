import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DeleteAccessEntryCommand,
  DisassociateAccessPolicyCommand,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  type AccessScope,
} from '@aws-sdk/client-eks';
import { beforeEach, describe, expect, it } from 'vitest';
import { failure, policy, role, useTestBed } from './test-support.ts';

const t = useTestBed();
beforeEach(async () => {
  await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
});

const associate = (policyName: string, accessScope: AccessScope, principalArn = role('dev')) =>
  t.eks.send(new AssociateAccessPolicyCommand({ clusterName: 'demo', principalArn, policyArn: policy(policyName), accessScope }));

const listPolicies = async (principalArn = role('dev')) =>
  (await t.eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'demo', principalArn }))).associatedAccessPolicies ?? [];

describe('AssociateAccessPolicy', () => {
  it('associates a policy with its scope and reports it back', async () => {
    const answer = await t.eks.send(
      new AssociateAccessPolicyCommand({
        clusterName: 'demo',
        principalArn: role('dev'),
        policyArn: policy('AmazonEKSViewPolicy'),
        accessScope: { type: 'namespace', namespaces: ['team-a', 'team-b'] },
      }),
    );
    expect(answer).toMatchObject({
      clusterName: 'demo',
      principalArn: role('dev'),
      associatedAccessPolicy: { policyArn: policy('AmazonEKSViewPolicy'), accessScope: { type: 'namespace', namespaces: ['team-a', 'team-b'] } },
    });
    expect(answer.associatedAccessPolicy?.associatedAt).toBeInstanceOf(Date);
    expect(await listPolicies()).toEqual([answer.associatedAccessPolicy]);
  });

  it('replaces the scope of a policy that is already associated', async () => {
    await associate('AmazonEKSEditPolicy', { type: 'namespace', namespaces: ['a'] });
    await associate('AmazonEKSEditPolicy', { type: 'cluster' });
    const policies = await listPolicies();
    expect(policies).toHaveLength(1);
    expect(policies[0]?.accessScope).toEqual({ type: 'cluster', namespaces: [] });
    expect(policies[0]!.modifiedAt!.getTime()).toBeGreaterThan(policies[0]!.associatedAt!.getTime());
  });

  it.each<[string, string, AccessScope | undefined, RegExp]>([
    ['a malformed policy ARN', 'arn:aws:iam::aws:policy/ReadOnlyAccess', { type: 'cluster' }, /cluster-access-policy\/NAME/],
    ['a namespace scope without namespaces', policy('AmazonEKSViewPolicy'), { type: 'namespace' }, /at least one namespace/],
    ['a cluster scope with namespaces', policy('AmazonEKSViewPolicy'), { type: 'cluster', namespaces: ['a'] }, /must be empty/],
    ['no scope', policy('AmazonEKSViewPolicy'), undefined, /accessScope is required/],
  ])('rejects %s with InvalidParameterException', async (_what, policyArn, accessScope, message) => {
    const error = await failure(
      t.eks.send(new AssociateAccessPolicyCommand({ clusterName: 'demo', principalArn: role('dev'), policyArn, accessScope: accessScope! })),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(message);
  });

  it('answers ResourceNotFoundException for a missing entry', async () => {
    const error = await failure(associate('AmazonEKSViewPolicy', { type: 'cluster' }, role('ghost')));
    expect(error.name).toBe('ResourceNotFoundException');
  });
});

describe('node entries take no access policies', () => {
  beforeEach(() => {
    t.bed.emulator.state.seedAccessEntry('demo', { principalArn: role('node'), type: 'EC2_LINUX' });
  });

  it('AssociateAccessPolicy → InvalidRequestException', async () => {
    const error = await failure(associate('AmazonEKSViewPolicy', { type: 'cluster' }, role('node')));
    expect(error.name).toBe('InvalidRequestException');
    expect(error.message).toContain('EC2_LINUX');
  });

  it('ListAssociatedAccessPolicies → InvalidRequestException', async () => {
    const error = await failure(listPolicies(role('node')));
    expect(error.name).toBe('InvalidRequestException');
    expect(error.message).toContain('only STANDARD entries');
  });
});

describe('DisassociateAccessPolicy', () => {
  it('removes the association, then answers ResourceNotFoundException for it', async () => {
    await associate('AmazonEKSViewPolicy', { type: 'cluster' });
    await t.eks.send(new DisassociateAccessPolicyCommand({ clusterName: 'demo', principalArn: role('dev'), policyArn: policy('AmazonEKSViewPolicy') }));
    expect(await listPolicies()).toEqual([]);
    const error = await failure(
      t.eks.send(new DisassociateAccessPolicyCommand({ clusterName: 'demo', principalArn: role('dev'), policyArn: policy('AmazonEKSViewPolicy') })),
    );
    expect(error.name).toBe('ResourceNotFoundException');
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

  it('pages associated policies', async () => {
    for (const name of ['AmazonEKSViewPolicy', 'AmazonEKSEditPolicy', 'AmazonEKSAdminPolicy']) await associate(name, { type: 'cluster' });
    const first = await t.eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'demo', principalArn: role('dev'), maxResults: 2 }));
    expect(first.associatedAccessPolicies).toHaveLength(2);
    const second = await t.eks.send(
      new ListAssociatedAccessPoliciesCommand({ clusterName: 'demo', principalArn: role('dev'), maxResults: 2, nextToken: first.nextToken! }),
    );
    expect(second.associatedAccessPolicies).toHaveLength(1);
    expect(second.nextToken).toBeUndefined();
  });
});
