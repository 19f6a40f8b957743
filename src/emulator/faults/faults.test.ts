import { CreateAccessEntryCommand, DescribeClusterCommand, ListAccessEntriesCommand } from '@aws-sdk/client-eks';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { ERROR_FAULT_KINDS, FAULT_KINDS, type FaultKind } from './faults.ts';
import { startEmulator } from '../index.ts';
import { TokenBucket } from './rate-limit.ts';
import { credentials, failure, role, useTestBed } from '../test-support.ts';

const t = useTestBed();
const OTHER_ACCOUNT = '210987654321';

const describeDemo = () => t.eks.send(new DescribeClusterCommand({ name: 'demo' }));
const createEntry = (name: string, client = t.eks) => client.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role(name) }));

const ERROR_FAULTS: [FaultKind, number][] = [
  ['ServerException', 500],
  ['ThrottlingException', 429],
  ['AccessDeniedException', 403],
  ['InvalidParameterException', 400],
  ['InvalidRequestException', 400],
  ['ResourceNotFoundException', 404],
  ['ResourceLimitExceededException', 400],
];

describe('error faults', () => {
  it.each(ERROR_FAULTS)('%s reaches the SDK as that exception with status %i', async (fault, status) => {
    t.bed.emulator.faults.add({ operation: 'DescribeCluster', fault, count: 1 });
    const error = await failure(describeDemo());
    expect(error.name).toBe(fault);
    expect(error.$metadata?.httpStatusCode).toBe(status);
    expect(error.message).toContain('Injected');
  });

  it('covers every error fault kind in the table above', () => {
    expect(ERROR_FAULT_KINDS).toEqual(ERROR_FAULTS.map(([kind]) => kind));
    expect(FAULT_KINDS).toEqual(expect.arrayContaining([...ERROR_FAULT_KINDS, 'LoseResponse', 'UnrecognizedClientException']));
  });

  it('fails the next n matching calls, then lets calls through', async () => {
    t.bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'ServerException', count: 2, message: 'planned outage' });
    expect((await failure(describeDemo())).message).toBe('planned outage');
    expect((await failure(describeDemo())).name).toBe('ServerException');
    await expect(describeDemo()).resolves.toBeDefined();
    expect(t.bed.emulator.faults.list()).toEqual([]);
  });

  it('with rate 1.0 fails every matching call until removed', async () => {
    const id = t.bed.emulator.faults.add({ fault: 'ThrottlingException', rate: 1 });
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await failure(describeDemo())).name).toBe('ThrottlingException');
    t.bed.emulator.faults.remove(id);
    await expect(describeDemo()).resolves.toBeDefined();
  });

  it('with rate 0 never fails', async () => {
    t.bed.emulator.faults.add({ fault: 'ServerException', rate: 0 });
    await expect(describeDemo()).resolves.toBeDefined();
  });

  it('does not apply the operation it fails', async () => {
    t.bed.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'ServerException', count: 1 });
    await failure(createEntry('dev'));
    expect(t.bed.emulator.state.getAccessEntry('demo', role('dev'))).toBeUndefined();
    await createEntry('dev');
    expect(t.bed.emulator.state.getAccessEntry('demo', role('dev'))).toBeDefined();
  });

  it('targets one principal (from the body on create) and one cluster', async () => {
    t.bed.emulator.faults.add({ fault: 'AccessDeniedException', principalArn: role('blocked') });
    t.bed.emulator.faults.add({ fault: 'ServerException', clusterName: 'other' });
    t.bed.emulator.state.createCluster('other');
    expect((await failure(createEntry('blocked'))).name).toBe('AccessDeniedException');
    await createEntry('fine');
    expect((await failure(t.eks.send(new ListAccessEntriesCommand({ clusterName: 'other' })))).name).toBe('ServerException');
  });

  it('refuses a rule it cannot apply, naming the field', () => {
    expect(() => t.bed.emulator.faults.add({ fault: 'Explode' as FaultKind })).toThrow(/fault must be one of ServerException/);
    expect(() => t.bed.emulator.faults.add({ fault: 'ServerException', rate: 2 })).toThrow(/rate must be a probability/);
    expect(() => t.bed.emulator.faults.add({ fault: 'ServerException', count: 0 })).toThrow(/count must be a whole number/);
  });
});

describe('connection faults', () => {
  it('Timeout never answers: the SDK gives up with its TimeoutError and nothing is created', async () => {
    const impatient = t.bed.client({ requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } });
    t.bed.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'Timeout', count: 1 });
    const started = Date.now();
    const error = await failure(createEntry('slow', impatient));
    expect(error.name).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(t.bed.emulator.state.getAccessEntry('demo', role('slow'))).toBeUndefined();
  });

  it('DropConnection closes the socket without an answer', async () => {
    t.bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'DropConnection', count: 1 });
    const error = await failure(describeDemo());
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect((error as Error & { code?: string }).code).toBe('ECONNRESET');
    await expect(describeDemo()).resolves.toBeDefined();
  });

  it('close() ends hung Timeout requests instead of waiting for them', async () => {
    const emulator = await startEmulator();
    emulator.state.createCluster('demo');
    emulator.faults.add({ fault: 'Timeout' });
    const client = t.bed.client({ endpoint: emulator.endpoint });
    const hung = failure(client.send(new DescribeClusterCommand({ name: 'demo' })));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await emulator.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await hung).$metadata?.httpStatusCode).toBeUndefined();
  });
});

describe('latency', () => {
  it('delays the chosen operation only', async () => {
    t.bed.emulator.faults.setLatency(200, 'DescribeCluster');
    let started = Date.now();
    await describeDemo();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    started = Date.now();
    await t.eks.send(new ListAccessEntriesCommand({ clusterName: 'demo' }));
    expect(Date.now() - started).toBeLessThan(150);
  });

  it('delays every operation when set without one, until set back to 0', async () => {
    t.bed.emulator.faults.setLatency(150);
    let started = Date.now();
    await t.eks.send(new ListAccessEntriesCommand({ clusterName: 'demo' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    t.bed.emulator.faults.setLatency(0);
    started = Date.now();
    await describeDemo();
    expect(Date.now() - started).toBeLessThan(120);
  });
});

/** A limit that refills one token in 1,000 s: no test lasts long enough to see a refill, however slow the machine. */
const BURST_ONLY = { requestsPerSecond: 0.001, burst: 2 };

/** How many of `n` calls in a row were throttled. */
async function throttledOf(n: number, call: () => Promise<unknown>): Promise<number> {
  let throttled = 0;
  for (let i = 0; i < n; i += 1) {
    const error = await call().then(() => undefined, (caught: unknown) => caught as Error);
    if (error !== undefined && ['ThrottlingException', 'Throttling'].includes(error.name)) throttled += 1;
    else if (error !== undefined) throw error;
  }
  return throttled;
}

describe('rate limit', () => {
  it('answers ThrottlingException (429) beyond the burst, across operations', async () => {
    t.bed.emulator.faults.setRateLimit(BURST_ONLY);
    await describeDemo();
    await t.eks.send(new ListAccessEntriesCommand({ clusterName: 'demo' }));
    const error = await failure(describeDemo());
    expect(error.name).toBe('ThrottlingException');
    expect(error.$metadata?.httpStatusCode).toBe(429);
    t.bed.emulator.faults.setRateLimit(undefined);
    await expect(describeDemo()).resolves.toBeDefined();
  });

  it('gives each account and each region a bucket of its own, each with the whole limit, as AWS quotas are', async () => {
    const { state, faults } = t.bed.emulator;
    state.setAccountForAccessKey('AKIDOTHER', OTHER_ACCOUNT);
    state.createCluster('demo', { accountId: OTHER_ACCOUNT });
    state.createCluster('demo', { region: 'eu-west-1' });
    const other = t.bed.client({ credentials: credentials('AKIDOTHER') });
    const ireland = t.bed.client({ region: 'eu-west-1' });
    faults.setRateLimit(BURST_ONLY);
    expect(await throttledOf(3, describeDemo)).toBe(1);
    expect(await throttledOf(3, () => other.send(new DescribeClusterCommand({ name: 'demo' })))).toBe(1);
    expect(await throttledOf(3, () => ireland.send(new DescribeClusterCommand({ name: 'demo' })))).toBe(1);
  });

  it("does not throttle STS with EKS's bucket, nor EKS with STS's", async () => {
    const sts = t.bed.sts();
    t.bed.emulator.faults.setRateLimit(BURST_ONLY);
    expect(await throttledOf(3, describeDemo)).toBe(1);
    expect(await throttledOf(3, () => sts.send(new GetCallerIdentityCommand({})))).toBe(1);
    t.bed.emulator.faults.setRateLimit(BURST_ONLY);
    expect(await throttledOf(2, () => sts.send(new GetCallerIdentityCommand({})))).toBe(0);
    expect(await throttledOf(2, describeDemo)).toBe(0);
  });

  it('starts every bucket full when set again, and refuses a limit that could never be meant', async () => {
    t.bed.emulator.faults.setRateLimit(BURST_ONLY);
    expect(await throttledOf(3, describeDemo)).toBe(1);
    t.bed.emulator.faults.setRateLimit(BURST_ONLY);
    expect(await throttledOf(2, describeDemo)).toBe(0);
    expect(() => t.bed.emulator.faults.setRateLimit({ requestsPerSecond: 0 })).toThrow(/requestsPerSecond must be a number > 0/);
    expect(() => t.bed.emulator.faults.setRateLimit({ requestsPerSecond: 1, burst: 0.5 })).toThrow(/burst must be a whole number/);
  });

  it('refills at requestsPerSecond', () => {
    let now = 0;
    const bucket = new TokenBucket({ requestsPerSecond: 10, burst: 1 }, () => now);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 50;
    expect(bucket.take()).toBe(false);
    now += 60;
    expect(bucket.take()).toBe(true);
  });
});

describe('call counting', () => {
  it('counts every call that reached an operation, failed and faulted ones included', async () => {
    const { calls } = t.bed.emulator;
    await createEntry('a');
    await failure(createEntry('a'));
    await failure(t.eks.send(new DescribeClusterCommand({ name: 'missing' })));
    t.bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'ServerException', count: 1 });
    await failure(describeDemo());
    expect(calls.count('CreateAccessEntry')).toBe(2);
    expect(calls.count('DescribeCluster')).toBe(2);
    expect(calls.total()).toBe(4);
    expect(calls.writes()).toBe(2);
    expect(calls.snapshot()).toMatchObject({ CreateAccessEntry: 2, DescribeCluster: 2, DeleteAccessEntry: 0 });
    calls.reset();
    expect(calls.total()).toBe(0);
  });
});
