import { CreateAccessEntryCommand, DescribeAccessEntryCommand, DescribeClusterCommand, ListAccessEntriesCommand } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { failure, role, useTestBed } from '../test-support.ts';

const t = useTestBed();

const admin = (method: string, path: string, body?: unknown) => t.bed.admin(method, path, body);

const encoded = (arn: string): string => encodeURIComponent(arn);

describe('admin API', () => {
  it('answers health with the account and default region', async () => {
    expect(await admin('GET', '/health')).toEqual({ status: 200, json: { status: 'ok', accountId: '123456789012', defaultRegion: 'us-east-1' } });
  });

  it('creates clusters (API_AND_CONFIG_MAP unless told otherwise) in any region', async () => {
    expect((await admin('POST', '/clusters', { name: 'ci' })).status).toBe(201);
    await admin('POST', '/clusters', { name: 'old', authenticationMode: 'CONFIG_MAP', region: 'eu-west-1' });
    const { cluster } = await t.eks.send(new DescribeClusterCommand({ name: 'ci' }));
    expect(cluster?.accessConfig?.authenticationMode).toBe('API_AND_CONFIG_MAP');
    expect(t.bed.emulator.state.getCluster('old', { region: 'eu-west-1' })?.authenticationMode).toBe('CONFIG_MAP');
  });

  it('seeds an entry made outside the controller, visible to the SDK', async () => {
    const { status } = await admin('POST', '/clusters/demo/access-entries', { principalArn: role('node'), type: 'EC2_LINUX' });
    expect(status).toBe(201);
    const { accessEntry } = await t.eks.send(new DescribeAccessEntryCommand({ clusterName: 'demo', principalArn: role('node') }));
    expect(accessEntry).toMatchObject({ type: 'EC2_LINUX', kubernetesGroups: ['system:nodes'] });
  });

  it('edits an entry out of band (drift) and moves modifiedAt', async () => {
    const seeded = t.bed.emulator.state.seedAccessEntry('demo', { principalArn: role('dev'), kubernetesGroups: ['a'] });
    const { status } = await admin('PATCH', `/clusters/demo/access-entries/${encoded(role('dev'))}`, { kubernetesGroups: ['hacked'], username: 'someone' });
    expect(status).toBe(200);
    const { accessEntry } = await t.eks.send(new DescribeAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
    expect(accessEntry).toMatchObject({ kubernetesGroups: ['hacked'], username: 'someone' });
    expect(accessEntry!.modifiedAt!.getTime()).toBeGreaterThan(seeded.modifiedAt.getTime());
  });

  it('removes an entry out of band, and says 404 for one that is not there', async () => {
    t.bed.emulator.state.seedAccessEntry('demo', { principalArn: role('dev') });
    expect((await admin('DELETE', `/clusters/demo/access-entries/${encoded(role('dev'))}`)).status).toBe(200);
    expect((await t.eks.send(new ListAccessEntriesCommand({ clusterName: 'demo' }))).accessEntries).toEqual([]);
    expect((await admin('DELETE', `/clusters/demo/access-entries/${encoded(role('dev'))}`)).status).toBe(404);
  });

  it('switches a cluster authentication mode in any direction', async () => {
    await admin('PATCH', '/clusters/demo', { authenticationMode: 'CONFIG_MAP' });
    expect((await failure(t.eks.send(new ListAccessEntriesCommand({ clusterName: 'demo' })))).name).toBe('InvalidRequestException');
  });

  it('dumps the whole state with entries and their policies', async () => {
    t.bed.emulator.state.createCluster('boot', { bootstrapCreatorPrincipalArn: role('creator') });
    const { json } = await admin('GET', '/state');
    const clusters = json.clusters as { name: string; entries: { principalArn: string; associatedPolicies: unknown[] }[] }[];
    expect(clusters.map((cluster) => cluster.name).sort()).toEqual(['boot', 'demo']);
    const boot = clusters.find((cluster) => cluster.name === 'boot')!;
    expect(boot.entries[0]?.principalArn).toBe(role('creator'));
    expect(boot.entries[0]?.associatedPolicies).toHaveLength(1);
  });

  it('reports call counts', async () => {
    await t.eks.send(new DescribeClusterCommand({ name: 'demo' }));
    const { json } = await admin('GET', '/calls');
    expect(json).toMatchObject({ total: 1, writes: 0, reads: 1, byOperation: { DescribeCluster: 1, CreateAccessEntry: 0 } });
    await admin('DELETE', '/calls');
    expect((await admin('GET', '/calls')).json.total).toBe(0);
  });

  it('adds, lists and clears fault rules', async () => {
    const { status, json } = await admin('POST', '/faults', { operation: 'DescribeCluster', fault: 'ServerException', count: 5 });
    expect(status).toBe(201);
    expect((await admin('GET', '/faults')).json.rules).toEqual([expect.objectContaining({ id: json.id, remaining: 5 })]);
    expect((await failure(t.eks.send(new DescribeClusterCommand({ name: 'demo' })))).name).toBe('ServerException');
    await admin('DELETE', '/faults');
    await expect(t.eks.send(new DescribeClusterCommand({ name: 'demo' }))).resolves.toBeDefined();
  });

  it('removes one fault rule by id', async () => {
    const { json } = await admin('POST', '/faults', { fault: 'ServerException' });
    expect((await admin('DELETE', `/faults/${String(json.id)}`)).status).toBe(200);
    expect((await admin('DELETE', `/faults/${String(json.id)}`)).status).toBe(404);
  });

  it('sets and removes latency and the rate limit', async () => {
    await admin('PUT', '/latency', { ms: 150 });
    let started = Date.now();
    await t.eks.send(new DescribeClusterCommand({ name: 'demo' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await admin('PUT', '/latency', { ms: 0 });
    await admin('PUT', '/rate-limit', { requestsPerSecond: 1, burst: 1 });
    await t.eks.send(new DescribeClusterCommand({ name: 'demo' }));
    expect((await failure(t.eks.send(new DescribeClusterCommand({ name: 'demo' })))).name).toBe('ThrottlingException');
    await admin('PUT', '/rate-limit', {});
    started = Date.now();
    await t.eks.send(new DescribeClusterCommand({ name: 'demo' }));
    expect(Date.now() - started).toBeLessThan(120);
  });

  it('sets the entry quota', async () => {
    await admin('PUT', '/quota', { entriesPerCluster: 0 });
    const error = await failure(t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('x') })));
    expect(error.name).toBe('ResourceLimitExceededException');
  });

  it('resets state, calls and faults', async () => {
    await admin('POST', '/faults', { fault: 'ServerException' });
    expect((await admin('POST', '/reset')).status).toBe(200);
    expect((await admin('GET', '/state')).json.clusters).toEqual([]);
    expect((await admin('GET', '/faults')).json.rules).toEqual([]);
    expect((await admin('GET', '/calls')).json.total).toBe(0);
  });

  it.each([
    { what: 'a fault rule with an unknown fault', method: 'POST', path: '/faults', body: { fault: 'Boom' }, status: 400, message: /fault must be one of/ },
    { what: 'a seed without principalArn', method: 'POST', path: '/clusters/demo/access-entries', body: {}, status: 400, message: /principalArn is required/ },
    { what: 'a seed on a missing cluster', method: 'POST', path: '/clusters/nope/access-entries', body: { principalArn: role('x') }, status: 404, message: /nope/ },
    { what: 'a cluster that exists', method: 'POST', path: '/clusters', body: { name: 'demo' }, status: 409, message: /already exists/ },
    { what: 'a bad authentication mode', method: 'POST', path: '/clusters', body: { name: 'x', authenticationMode: 'OPEN' }, status: 400, message: /CONFIG_MAP, API_AND_CONFIG_MAP, API/ },
    { what: 'latency without ms', method: 'PUT', path: '/latency', body: {}, status: 400, message: /ms is required/ },
    { what: 'an unknown route', method: 'GET', path: '/nothing', body: undefined, status: 404, message: /README/ },
  ])('rejects $what with a message', async ({ method, path, body, status, message }) => {
    const answer = await admin(method, path, body);
    expect(answer.status).toBe(status);
    expect(String(answer.json.message)).toMatch(message);
  });
});
