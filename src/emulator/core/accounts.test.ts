import {
  CreateAccessEntryCommand,
  CreateClusterCommand,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  ListAccessEntriesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, credentials, failure, role, useTestBed } from '../test-support.ts';

const A = '111111111111';
const B = '222222222222';

const t = useTestBed();

/** A client whose access key the emulator maps to `account`. */
function clientIn(account: string, accessKeyId = `AKID${account}`) {
  t.bed.emulator.state.setAccountForAccessKey(accessKeyId, account);
  return t.bed.client({ credentials: credentials(accessKeyId) });
}

describe('accounts', () => {
  it('hides a cluster of account A from credentials of account B, which can have its own of the same name', async () => {
    const a = clientIn(A);
    const b = clientIn(B);
    t.bed.emulator.state.createCluster('prod', { accountId: A });
    await a.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('a-dev') }));
    const error = await failure(b.send(new DescribeClusterCommand({ name: 'prod' })));
    expect(error.name).toBe('ResourceNotFoundException');
    expect((await failure(b.send(new ListAccessEntriesCommand({ clusterName: 'prod' })))).name).toBe('ResourceNotFoundException');

    const { cluster } = await b.send(
      new CreateClusterCommand({ name: 'prod', roleArn: `arn:aws:iam::${B}:role/eks`, resourcesVpcConfig: {}, accessConfig: { authenticationMode: 'API' } }),
    );
    expect(cluster?.arn).toBe(`arn:aws:eks:us-east-1:${B}:cluster/prod`);
    const { accessEntry } = await b.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('b-dev') }));
    expect(accessEntry?.accessEntryArn).toMatch(new RegExp(`^arn:aws:eks:us-east-1:${B}:access-entry/prod/role/${ACCOUNT}/b-dev/`));
    expect((await a.send(new ListAccessEntriesCommand({ clusterName: 'prod' }))).accessEntries).toEqual([role('a-dev')]);
    expect((await b.send(new ListAccessEntriesCommand({ clusterName: 'prod' }))).accessEntries).toEqual([role('b-dev')]);
    expect(t.bed.emulator.state.getAccessEntry('prod', role('b-dev'), { accountId: B })?.accountId).toBe(B);
  });

  it('puts unmapped keys and the state methods without accountId in the default account', async () => {
    const stranger = t.bed.client({ credentials: credentials('AKIDNOBODY') });
    const { cluster } = await stranger.send(new DescribeClusterCommand({ name: 'demo' }));
    expect(cluster?.arn).toBe(`arn:aws:eks:us-east-1:${ACCOUNT}:cluster/demo`);
    expect(t.bed.emulator.state.accountForAccessKey('AKIDNOBODY')).toBe(ACCOUNT);
    expect(t.bed.emulator.state.accountForAccessKey(undefined)).toBe(ACCOUNT);
  });

  it('keeps accounts and regions apart together', async () => {
    t.bed.emulator.state.createCluster('demo', { accountId: A, region: 'eu-west-1' });
    const westA = t.bed.client({ region: 'eu-west-1', credentials: credentials('AKIDWESTA') });
    t.bed.emulator.state.setAccountForAccessKey('AKIDWESTA', A);
    const { cluster } = await westA.send(new DescribeClusterCommand({ name: 'demo' }));
    expect(cluster?.arn).toBe(`arn:aws:eks:eu-west-1:${A}:cluster/demo`);
    expect((await failure(clientIn(A).send(new DescribeClusterCommand({ name: 'demo' })))).name).toBe('ResourceNotFoundException');
    expect(t.bed.emulator.state.listClusters({ accountId: A }).map((c) => [c.name, c.region])).toEqual([['demo', 'eu-west-1']]);
    expect(t.bed.emulator.state.listClusters().length).toBe(2);
  });

  it('answers NotFoundException to tag operations on an ARN of another account', async () => {
    t.bed.emulator.state.createCluster('prod', { accountId: A });
    const clusterArn = t.bed.emulator.state.getCluster('prod', { accountId: A })!.arn;
    await clientIn(A).send(new TagResourceCommand({ resourceArn: clusterArn, tags: { team: 'a' } }));
    const error = await failure(clientIn(B).send(new ListTagsForResourceCommand({ resourceArn: clusterArn })));
    expect(error.name).toBe('NotFoundException');
    expect(error.message).toContain(`account ${A}`);
    expect((await clientIn(A).send(new ListTagsForResourceCommand({ resourceArn: clusterArn }))).tags).toEqual({ team: 'a' });
  });

  it('moves a key when it is mapped again, and forgets mappings on reset()', async () => {
    const state = t.bed.emulator.state;
    state.setAccountForAccessKey('AKIDMOVING', A);
    state.setAccountForAccessKey('AKIDMOVING', B);
    expect(state.accessKeyAccounts()).toEqual({ AKIDMOVING: B });
    expect(state.removeAccessKey('AKIDMOVING')).toBe(true);
    expect(state.removeAccessKey('AKIDMOVING')).toBe(false);
    state.setAccountForAccessKey('AKIDMOVING', A);
    state.reset();
    expect(state.accessKeyAccounts()).toEqual({});
  });

  it('refuses an account id that is not 12 digits', () => {
    expect(() => t.bed.emulator.state.setAccountForAccessKey('AKID', '42')).toThrow(/accountId must be 12 digits/);
    expect(() => t.bed.emulator.state.createCluster('x', { accountId: 'abc' })).toThrow(/accountId must be 12 digits/);
  });
});

describe('accounts through the admin API', () => {
  const admin = (method: string, path: string, body?: unknown) => t.bed.admin(method, path, body);

  it('maps, lists and unmaps access keys', async () => {
    expect(await admin('PUT', '/credentials/AKIDADMIN', { accountId: B })).toEqual({ status: 200, json: { accessKeyId: 'AKIDADMIN', accountId: B } });
    expect((await admin('GET', '/credentials')).json).toEqual({ defaultAccountId: ACCOUNT, accessKeys: { AKIDADMIN: B } });
    await admin('POST', '/clusters', { name: 'ci', accountId: B });
    const { cluster } = await t.bed.client({ credentials: credentials('AKIDADMIN') }).send(new DescribeClusterCommand({ name: 'ci' }));
    expect(cluster?.arn).toContain(`:${B}:cluster/ci`);
    expect((await admin('DELETE', '/credentials/AKIDADMIN')).status).toBe(200);
    expect((await admin('DELETE', '/credentials/AKIDADMIN')).status).toBe(404);
  });

  it('addresses clusters and entries of another account with accountId in the body or the query', async () => {
    await admin('POST', '/clusters', { name: 'ci', accountId: A });
    expect((await admin('POST', '/clusters/ci/access-entries?accountId=' + A, { principalArn: role('node'), type: 'EC2_LINUX' })).status).toBe(201);
    const { accessEntry } = await clientIn(A).send(new DescribeAccessEntryCommand({ clusterName: 'ci', principalArn: role('node') }));
    expect(accessEntry?.type).toBe('EC2_LINUX');
    expect((await admin('POST', '/clusters/ci/access-entries', { principalArn: role('node') })).status).toBe(404);
    const clusters = (await admin('GET', '/state')).json.clusters as { name: string; accountId: string; entries: unknown[] }[];
    expect(clusters.find((c) => c.accountId === A)).toMatchObject({ name: 'ci', entries: [expect.objectContaining({ principalArn: role('node'), accountId: A })] });
  });

  it('rejects a bad account id with 400', async () => {
    const answer = await admin('PUT', '/credentials/AKID', { accountId: 'x' });
    expect(answer.status).toBe(400);
    expect(String(answer.json.message)).toMatch(/12 digits/);
  });
});
