import { CreateAccessEntryCommand, UpdateAccessEntryCommand, type CreateAccessEntryRequest } from '@aws-sdk/client-eks';
import { beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, failure, role, user, useTestBed } from '../../test-support.ts';

const t = useTestBed();

const manyTags = (count: number): Record<string, string> => Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, 'v']));

describe('CreateAccessEntry rejects what EKS rejects, saying what to fix', () => {
  it.each<[string, Partial<CreateAccessEntryRequest>, RegExp]>([
    ['an STS assumed-role ARN', { principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/dev/session` }, /assumed-role.*arn:aws:iam::123456789012:role\/dev/],
    ['a malformed ARN', { principalArn: 'dev-role' }, /not a valid IAM role or user ARN/],
    ['an unknown partition', { principalArn: `arn:aws-xx:iam::${ACCOUNT}:role/dev` }, /partition 'aws-xx'.*aws, aws-cn, aws-us-gov/],
    ['an IAM group', { principalArn: `arn:aws:iam::${ACCOUNT}:group/devs` }, /not an IAM role or user/],
    ['a short account id', { principalArn: 'arn:aws:iam::1234:role/dev' }, /not a valid IAM role or user ARN/],
    ['a system: group', { kubernetesGroups: ['ok', 'system:masters'] }, /system:masters.*reserved prefix system:.*AmazonEKSClusterAdminPolicy/],
    ['an empty group name', { kubernetesGroups: [''] }, /empty/],
    ['an empty username', { username: '' }, /leave it out/],
    ['an unknown type', { type: 'EC2_MAC' }, /EC2_MAC.*STANDARD, EC2_LINUX/],
    ['51 tags', { tags: manyTags(51) }, /at most 50 tags/],
    ['a 129-character tag key', { tags: { ['k'.repeat(129)]: 'v' } }, /1 to 128 characters/],
    ['a 257-character tag value', { tags: { team: 'v'.repeat(257) } }, /maximum is 256/],
    ['an aws: tag key', { tags: { 'aws:cloudformation:stack': 'x' } }, /reserved prefix aws:/],
    ['an AWS: tag key in capitals', { tags: { 'AWS:owner': 'x' } }, /reserved prefix aws:/],
  ])('%s → InvalidParameterException', async (_what, override, message) => {
    const error = await failure(t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), ...override })));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toMatch(message);
    expect(t.bed.emulator.state.listAccessEntries('demo')).toHaveLength(0);
  });

  it.each(['system:admin', 'eks:thing', 'aws:me', 'amazon:me', 'iam:me'])('rejects the reserved username %s', async (username) => {
    const error = await failure(t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), username })));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain(`username ${username} starts with the reserved prefix`);
  });

  it('accepts exactly 50 tags with a 128-character key and a 256-character value', async () => {
    const tags = { ...manyTags(49), ['k'.repeat(128)]: 'v'.repeat(256) };
    const { accessEntry } = await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), tags }));
    expect(Object.keys(accessEntry?.tags ?? {})).toHaveLength(50);
  });

  it('answers ResourceLimitExceededException once the cluster holds its quota of entries', async () => {
    t.bed.emulator.state.setEntryQuota(2);
    t.bed.emulator.state.seedAccessEntry('demo', { principalArn: role('a') });
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('b') }));
    const error = await failure(t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('c') })));
    expect(error.name).toBe('ResourceLimitExceededException');
    expect(error.message).toContain('2 access entries');
  });
});

describe('node entry types', () => {
  it.each([
    ['EC2_LINUX', ['system:nodes'], 'system:node:{{EC2PrivateDNSName}}'],
    ['EC2_WINDOWS', ['system:nodes', 'eks:kube-proxy-windows'], 'system:node:{{EC2PrivateDNSName}}'],
    ['FARGATE_LINUX', ['system:node-proxier', 'system:nodes'], 'system:node:{{SessionName}}'],
    ['HYBRID_LINUX', ['system:nodes'], 'system:node:{{SessionName}}'],
  ])('%s gets the groups and username EKS reports', async (type, groups, username) => {
    const { accessEntry } = await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('node'), type }));
    expect(accessEntry).toMatchObject({ type, kubernetesGroups: groups, username });
  });

  it.each<[string, Partial<CreateAccessEntryRequest>, RegExp]>([
    ['groups', { kubernetesGroups: ['workers'] }, /kubernetesGroups can't be set on an access entry of type EC2_LINUX/],
    ['a username', { username: 'node' }, /username can't be set on an access entry of type EC2_LINUX/],
    ['a user principal', { principalArn: user('bob') }, /IAM role ARNs only/],
  ])('EC2_LINUX with %s → InvalidParameterException', async (_what, override, message) => {
    const error = await failure(t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('node'), type: 'EC2_LINUX', ...override })));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(message);
  });

  it('UpdateAccessEntry on a node entry rejects groups and keeps the ones EKS set', async () => {
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('node'), type: 'EC2_LINUX' }));
    const error = await failure(t.eks.send(new UpdateAccessEntryCommand({ clusterName: 'demo', principalArn: role('node'), kubernetesGroups: ['x'] })));
    expect(error.name).toBe('InvalidParameterException');
    const { accessEntry } = await t.eks.send(new UpdateAccessEntryCommand({ clusterName: 'demo', principalArn: role('node') }));
    expect(accessEntry).toMatchObject({ kubernetesGroups: ['system:nodes'], username: 'system:node:{{EC2PrivateDNSName}}' });
  });
});

describe('UpdateAccessEntry input rules', () => {
  beforeEach(() => {
    t.bed.emulator.state.seedAccessEntry('demo', { principalArn: role('dev') });
  });

  it.each([
    ['a system: group', { kubernetesGroups: ['system:masters'] }, /reserved prefix system:/],
    ['a reserved username', { username: 'eks:me' }, /reserved prefix eks:/],
  ])('%s → InvalidParameterException, entry unchanged', async (_what, override, message) => {
    const error = await failure(t.eks.send(new UpdateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), ...override })));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(message);
    expect(t.bed.emulator.state.getAccessEntry('demo', role('dev'))?.kubernetesGroups).toEqual([]);
  });
});
