import { CreateAccessEntryCommand, DescribeClusterCommand } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { CallLog, type CallLogEntry } from './call-log.ts';
import { CallCounter } from './calls.ts';
import { ACCOUNT, credentials, failure, role, useTestBed } from '../test-support.ts';

const t = useTestBed();

const entry = (n: number): CallLogEntry => ({
  time: new Date(n).toISOString(),
  requestId: `r${n}`,
  operation: 'DescribeCluster',
  accountId: ACCOUNT,
  region: 'us-east-1',
  status: 200,
  ms: 1,
});

describe('call outcomes', () => {
  it('count a throttled, a refused, a lost and a successful call apart', async () => {
    const eks = t.bed.client({ maxAttempts: 1 });
    t.bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'ThrottlingException', count: 1 });
    t.bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'LoseResponse', count: 1 });
    await failure(eks.send(new DescribeClusterCommand({ name: 'demo' })));
    await failure(eks.send(new DescribeClusterCommand({ name: 'demo' })));
    await eks.send(new DescribeClusterCommand({ name: 'demo' }));
    await failure(eks.send(new DescribeClusterCommand({ name: 'missing' })));
    const { calls } = t.bed.emulator;
    expect(calls.outcomes().DescribeCluster).toEqual({ ThrottlingException: 1, LoseResponse: 1, ok: 1, ResourceNotFoundException: 1 });
    expect(calls.countResult('ok', 'DescribeCluster')).toBe(1);
    expect(calls.countResult('ThrottlingException')).toBe(1);
    expect(calls.count('DescribeCluster')).toBe(4);
    calls.reset();
    expect(calls.outcomes()).toEqual({});
  });
});

describe('call log', () => {
  it('records who called what, with which token, and what came back', async () => {
    const controller = t.bed.client({ customUserAgent: 'controller-a/1.0', credentials: credentials('AKIDCONTROLLER') });
    await controller.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), clientRequestToken: 'tok-1' }));
    await failure(controller.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), clientRequestToken: 'tok-2' })));
    const [first, second] = t.bed.emulator.calls.log();
    expect(first).toMatchObject({
      operation: 'CreateAccessEntry',
      accountId: ACCOUNT,
      region: 'us-east-1',
      clusterName: 'demo',
      principalArn: role('dev'),
      clientRequestToken: 'tok-1',
      accessKeyId: 'AKIDCONTROLLER',
      status: 200,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(first?.userAgent).toContain('controller-a/1.0');
    expect(Date.parse(first!.time)).toBeGreaterThan(Date.now() - 5000);
    expect(first?.error).toBeUndefined();
    expect(second).toMatchObject({ clientRequestToken: 'tok-2', status: 409, error: 'ResourceInUseException' });
  });

  it('tells two callers apart by user agent', async () => {
    await t.bed.client({ customUserAgent: 'caller-one' }).send(new DescribeClusterCommand({ name: 'demo' }));
    await t.bed.client({ customUserAgent: 'caller-two' }).send(new DescribeClusterCommand({ name: 'demo' }));
    const agents = t.bed.emulator.calls.log().map((call) => /caller-(one|two)/.exec(call.userAgent ?? '')?.[0]);
    expect(agents).toEqual(['caller-one', 'caller-two']);
  });

  it('matches the request id the SDK saw, and records injected faults', async () => {
    t.bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'ServerException', count: 1 });
    const error = await failure(t.eks.send(new DescribeClusterCommand({ name: 'demo' })));
    expect(t.bed.emulator.calls.log()).toEqual([
      expect.objectContaining({ requestId: error.$metadata?.requestId, status: 500, error: 'ServerException', fault: 'ServerException', clusterName: 'demo' }),
    ]);
  });

  it('is emptied by calls.reset()', async () => {
    await t.eks.send(new DescribeClusterCommand({ name: 'demo' }));
    t.bed.emulator.calls.reset();
    expect(t.bed.emulator.calls.log()).toEqual([]);
  });

  it('keeps only the newest entries past its limit, oldest first', () => {
    const log = new CallLog(3);
    for (let n = 1; n <= 10; n += 1) log.add(entry(n));
    expect(log.list().map((call) => call.requestId)).toEqual(['r8', 'r9', 'r10']);
    const calls = new CallCounter({ logLimit: 2 });
    for (let n = 1; n <= 5; n += 1) calls.logCall(entry(n));
    expect(calls.log().map((call) => call.requestId)).toEqual(['r4', 'r5']);
    expect(() => new CallLog(0)).toThrow(/whole number ≥ 1/);
  });

  it('hands out copies', () => {
    const log = new CallLog();
    log.add(entry(1));
    log.list()[0]!.status = 500;
    expect(log.list()[0]?.status).toBe(200);
  });

  it('is served by the admin API, filtered by operation and cut to the newest n', async () => {
    await t.eks.send(new DescribeClusterCommand({ name: 'demo' }));
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('a') }));
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('b') }));
    const get = async (query: string) => (await (await fetch(`${t.bed.emulator.endpoint}/_emulator/calls/log${query}`)).json()) as { calls: CallLogEntry[] };
    expect((await get('')).calls.map((call) => call.operation)).toEqual(['DescribeCluster', 'CreateAccessEntry', 'CreateAccessEntry']);
    expect((await get('?operation=CreateAccessEntry&limit=1')).calls.map((call) => call.principalArn)).toEqual([role('b')]);
    const bad = await fetch(`${t.bed.emulator.endpoint}/_emulator/calls/log?operation=Nope`);
    expect(bad.status).toBe(400);
  });
});
