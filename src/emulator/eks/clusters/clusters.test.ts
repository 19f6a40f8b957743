import {
  CreateAccessEntryCommand,
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  UpdateClusterConfigCommand,
  type AuthenticationMode,
} from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, failure, policy, role, useTestBed } from '../../test-support.ts';

const t = useTestBed();

const createCluster = (name: string, authenticationMode?: AuthenticationMode) =>
  t.eks.send(
    new CreateClusterCommand({
      name,
      roleArn: role('eks-cluster'),
      resourcesVpcConfig: {},
      ...(authenticationMode ? { accessConfig: { authenticationMode } } : {}),
    }),
  );

const updateMode = (name: string, authenticationMode: AuthenticationMode) =>
  t.eks.send(new UpdateClusterConfigCommand({ name, accessConfig: { authenticationMode } }));

describe('CreateCluster and DescribeCluster', () => {
  it('defaults to CONFIG_MAP like EKS, so access-entry calls fail until the mode changes', async () => {
    const { cluster } = await createCluster('fresh');
    expect(cluster).toMatchObject({
      name: 'fresh',
      arn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/fresh`,
      status: 'ACTIVE',
      accessConfig: { authenticationMode: 'CONFIG_MAP' },
    });
    const error = await failure(t.eks.send(new ListAccessEntriesCommand({ clusterName: 'fresh' })));
    expect(error.name).toBe('InvalidRequestException');
  });

  it('takes accessConfig.authenticationMode and reports it in DescribeCluster', async () => {
    await createCluster('modern', 'API');
    const { cluster } = await t.eks.send(new DescribeClusterCommand({ name: 'modern' }));
    expect(cluster?.accessConfig?.authenticationMode).toBe('API');
    expect(cluster?.createdAt).toBeInstanceOf(Date);
  });

  it('answers ResourceInUseException for a name already taken', async () => {
    const error = await failure(createCluster('demo'));
    expect(error.name).toBe('ResourceInUseException');
  });

  it('rejects an invalid cluster name', async () => {
    const error = await failure(createCluster('-bad name'));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain('letters, digits, hyphens and underscores');
  });

  it('answers ResourceNotFoundException for DescribeCluster on a missing cluster', async () => {
    const error = await failure(t.eks.send(new DescribeClusterCommand({ name: 'nope' })));
    expect(error.name).toBe('ResourceNotFoundException');
  });
});

describe('UpdateClusterConfig authenticationMode', () => {
  it('moves CONFIG_MAP → API_AND_CONFIG_MAP → API and returns an update', async () => {
    await createCluster('legacy');
    const { update } = await updateMode('legacy', 'API_AND_CONFIG_MAP');
    expect(update).toMatchObject({ type: 'AccessConfigUpdate', params: [{ type: 'AuthenticationMode', value: 'API_AND_CONFIG_MAP' }] });
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'legacy', principalArn: role('dev') }));
    await updateMode('legacy', 'API');
    expect(t.bed.emulator.state.getCluster('legacy')?.authenticationMode).toBe('API');
  });

  it('allows CONFIG_MAP → API directly', async () => {
    await createCluster('legacy');
    await updateMode('legacy', 'API');
    expect(t.bed.emulator.state.getCluster('legacy')?.authenticationMode).toBe('API');
  });

  it.each<[AuthenticationMode, AuthenticationMode, RegExp]>([
    ['API', 'API_AND_CONFIG_MAP', /only move forward/],
    ['API_AND_CONFIG_MAP', 'CONFIG_MAP', /only move forward/],
    ['API', 'API', /already uses/],
  ])('rejects %s → %s with InvalidParameterException', async (from, to, message) => {
    await createCluster('c', from);
    const error = await failure(updateMode('c', to));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toMatch(message);
    expect(t.bed.emulator.state.getCluster('c')?.authenticationMode).toBe(from);
  });
});

describe('DeleteCluster', () => {
  it('deletes the cluster and its entries', async () => {
    t.bed.emulator.state.seedAccessEntry('demo', { principalArn: role('dev') });
    const { cluster } = await t.eks.send(new DeleteClusterCommand({ name: 'demo' }));
    expect(cluster?.status).toBe('DELETING');
    expect(t.bed.emulator.state.getCluster('demo')).toBeUndefined();
    t.bed.emulator.state.createCluster('demo');
    expect(t.bed.emulator.state.listAccessEntries('demo')).toEqual([]);
  });
});

describe('regions', () => {
  it('keeps same-named clusters in different regions apart, by the SigV4 signing region', async () => {
    const west = t.bed.client({ region: 'eu-west-1' });
    t.bed.emulator.state.createCluster('demo', { region: 'eu-west-1' });
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('east-only') }));
    const { accessEntry } = await west.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('west-only') }));
    expect(accessEntry?.accessEntryArn).toMatch(/^arn:aws:eks:eu-west-1:/);
    expect((await west.send(new ListAccessEntriesCommand({ clusterName: 'demo' }))).accessEntries).toEqual([role('west-only')]);
    expect((await t.eks.send(new ListAccessEntriesCommand({ clusterName: 'demo' }))).accessEntries).toEqual([role('east-only')]);
    const error = await failure(west.send(new DescribeAccessEntryCommand({ clusterName: 'demo', principalArn: role('east-only') })));
    expect(error.name).toBe('ResourceNotFoundException');
  });

  it('answers ResourceNotFoundException for a cluster that exists only in another region', async () => {
    const error = await failure(t.bed.client({ region: 'ap-south-1' }).send(new DescribeClusterCommand({ name: 'demo' })));
    expect(error.name).toBe('ResourceNotFoundException');
  });
});

describe('the cluster creator entry', () => {
  it('exists with AmazonEKSClusterAdminPolicy when the cluster is created with bootstrapCreatorPrincipalArn', async () => {
    t.bed.emulator.state.createCluster('boot', { authenticationMode: 'API', bootstrapCreatorPrincipalArn: role('creator') });
    const { accessEntry } = await t.eks.send(new DescribeAccessEntryCommand({ clusterName: 'boot', principalArn: role('creator') }));
    expect(accessEntry?.type).toBe('STANDARD');
    const { associatedAccessPolicies } = await t.eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'boot', principalArn: role('creator') }));
    expect(associatedAccessPolicies?.map((p) => [p.policyArn, p.accessScope?.type])).toEqual([[policy('AmazonEKSClusterAdminPolicy'), 'cluster']]);
  });
});
