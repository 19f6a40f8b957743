// The request budget and the write fence sit on the EKS client itself: tested with the real SDK
// (its retries included) against the emulator over HTTP.
import { CreateAccessEntryCommand, DescribeClusterCommand, ListAccessEntriesCommand, TagResourceCommand } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBed, role, type TestBed } from '../emulator/test-support.ts';
import { AwsClients } from './clients.ts';
import { RateLimiters, type LimiterClock } from './rate-limiter.ts';
import type { RequestBudget } from './request-budget.ts';
import type { AwsTarget } from './types.ts';
import { NOT_LEADER_ERROR, type WriteFence } from './write-fence.ts';

const ACCOUNT = '123456789012';
const HERE: AwsTarget = { region: 'us-east-1' };

interface Budgeted {
  clients: AwsClients;
  limiters: RateLimiters;
  waits: number[];
  throttles: { count: number };
}

/** Clients on the emulator with a budget of `requestsPerSecond` (0: off), recording each wait. */
function budgetedClients(
  endpoint: string,
  { requestsPerSecond, maxAttempts, fence, accountOf = () => Promise.resolve(ACCOUNT), clock }: {
    requestsPerSecond: number;
    maxAttempts: number;
    fence?: WriteFence;
    accountOf?: RequestBudget['accountOf'];
    clock?: LimiterClock;
  },
): Budgeted {
  const limiters = new RateLimiters({ requestsPerSecond, burst: 10 }, clock);
  const waits: number[] = [];
  const throttles = { count: 0 };
  const budget: RequestBudget = { limiters, accountOf, waited: (seconds) => waits.push(seconds), throttled: () => throttles.count++ };
  const clients = new AwsClients({ eksEndpoint: endpoint, maxAttempts, requestTimeoutMs: 5_000, sessionName: 'test', budget, ...(fence ? { fence } : {}) });
  return { clients, limiters, waits, throttles };
}

let bed: TestBed;
const made: AwsClients[] = [];
const clientsOf = (options: Parameters<typeof budgetedClients>[1]): Budgeted => {
  const budgeted = budgetedClients(bed.emulator.endpoint, options);
  made.push(budgeted.clients);
  return budgeted;
};

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  bed = await startTestBed();
});
beforeEach(() => bed.fresh());
afterAll(async () => {
  for (const clients of made) clients.destroy();
  await bed?.close();
});

describe('the request budget on EKS clients', () => {
  it('takes a token for every attempt, and a throttle the SDK retried still lowers the rate', async () => {
    const { clients, waits, throttles } = clientsOf({ requestsPerSecond: 10, maxAttempts: 3 });
    bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'ThrottlingException', count: 1 });
    const out = await clients.eks(HERE).send(new DescribeClusterCommand({ name: 'demo' }));
    expect(out.cluster?.name).toBe('demo');
    expect(bed.emulator.calls.count('DescribeCluster'), 'the throttled attempt and its retry').toBe(2);
    expect(waits, 'one token per attempt').toHaveLength(2);
    expect(throttles.count, 'the throttle is counted though the call succeeded').toBe(1);
    expect((await clients.bucketOf(HERE))!.rate).toBeLessThan(10);
  });

  it('makes no attempt wait when the limit is off, asks no account, and still counts throttles', async () => {
    let lookups = 0;
    const accountOf = (): Promise<string> => Promise.resolve(String(++lookups));
    const { clients, waits, throttles } = clientsOf({ requestsPerSecond: 0, maxAttempts: 1, accountOf });
    bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'ThrottlingException', count: 1 });
    await expect(clients.eks(HERE).send(new DescribeClusterCommand({ name: 'demo' }))).rejects.toThrow();
    await clients.eks(HERE).send(new DescribeClusterCommand({ name: 'demo' }));
    expect(waits).toEqual([]);
    expect(throttles.count).toBe(1);
    expect(lookups).toBe(0);
  });

  it('gives every role of one account one bucket per region, and another account its own', async () => {
    const accounts: Record<string, string> = { 'role-a': ACCOUNT, 'role-b': ACCOUNT, 'role-c': '210987654321' };
    const accountOf = (target: AwsTarget): Promise<string> => Promise.resolve(target.credentials ? accounts[target.credentials.roleArn.split('/')[1]!]! : ACCOUNT);
    const { clients } = clientsOf({ requestsPerSecond: 5, maxAttempts: 1, accountOf });
    const as = (name: string, region = 'us-east-1'): AwsTarget => ({ region, credentials: { roleArn: role(name) } });
    const bucketA = await clients.bucketOf(as('role-a'));
    expect(await clients.bucketOf(as('role-b')), 'two roles of one account').toBe(bucketA);
    expect(await clients.bucketOf(HERE), "the controller's own credentials, same account").toBe(bucketA);
    expect(await clients.bucketOf(as('role-c')), 'another account').not.toBe(bucketA);
    expect(await clients.bucketOf(as('role-a', 'eu-west-1')), 'another region').not.toBe(bucketA);
  });

  it('sends nothing while the account of the credentials is unknown: the lookup failure is the answer', async () => {
    const sts = Object.assign(new Error('STS could not be reached'), { name: 'StsDown' });
    const { clients } = clientsOf({ requestsPerSecond: 5, maxAttempts: 1, accountOf: () => Promise.reject(sts) });
    await expect(clients.eks(HERE).send(new DescribeClusterCommand({ name: 'demo' }))).rejects.toBe(sts);
    expect(bed.emulator.calls.count('DescribeCluster')).toBe(0);
  });
});

describe('the write fence on EKS clients', () => {
  const closed = (): WriteFence => ({ closedBecause: () => 'not the leader' });
  const create = (name: string): CreateAccessEntryCommand => new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role(name) });

  it('sends no write while closed, with a NotLeaderError the SDK does not retry; reads still go', async () => {
    const { clients } = clientsOf({ requestsPerSecond: 0, maxAttempts: 3, fence: closed() });
    const eks = clients.eks(HERE);
    await expect(eks.send(create('fenced'))).rejects.toMatchObject({ name: NOT_LEADER_ERROR, message: expect.stringContaining('CreateAccessEntry not sent: not the leader') });
    await expect(eks.send(new TagResourceCommand({ resourceArn: 'arn:aws:eks:us-east-1:123456789012:access-entry/demo/role/x', tags: { a: 'b' } }))).rejects.toMatchObject({ name: NOT_LEADER_ERROR });
    expect(bed.emulator.calls.count('CreateAccessEntry') + bed.emulator.calls.count('TagResource')).toBe(0);
    await expect(eks.send(new ListAccessEntriesCommand({ clusterName: 'demo' }))).resolves.toMatchObject({ accessEntries: [] });
    await expect(eks.send(new DescribeClusterCommand({ name: 'demo' }))).resolves.toMatchObject({ cluster: { name: 'demo' } });
  });

  it('lets writes go while open', async () => {
    const { clients } = clientsOf({ requestsPerSecond: 0, maxAttempts: 1, fence: { closedBecause: () => undefined } });
    await clients.eks(HERE).send(create('open'));
    expect(bed.emulator.state.getAccessEntry('demo', role('open'))).toBeDefined();
  });

  it('is checked after the wait for a token: leadership that lapsed while waiting stops the write', async () => {
    // A limiter clock whose sleeps end only when the test says so.
    const sleepers: (() => void)[] = [];
    let nowMs = 0;
    const clock: LimiterClock = { now: () => nowMs, sleep: () => new Promise<void>((resolve) => sleepers.push(resolve)) };
    let leading = true;
    const fence: WriteFence = { closedBecause: () => (leading ? undefined : 'leadership lapsed') };
    const { clients } = clientsOf({ requestsPerSecond: 1, maxAttempts: 1, fence, clock });
    const eks = clients.eks(HERE);
    // The burst (10) goes at once; the eleventh write waits for a token.
    await Promise.all(Array.from({ length: 10 }, (_, i) => eks.send(create(`burst-${i}`))));
    const waiting = eks.send(create('waited'));
    await waitUntil(() => sleepers.length > 0);
    leading = false;
    nowMs += 1_000;
    sleepers.shift()!();
    await expect(waiting).rejects.toMatchObject({ name: NOT_LEADER_ERROR });
    expect(bed.emulator.calls.count('CreateAccessEntry')).toBe(10);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}
