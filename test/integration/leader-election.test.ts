// Leader election on a real API server: hand-over on stop, a leader cut off from the API server,
// and a leader killed outright. Short timings keep it quick; the guarantees scale with them.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeLeaseApi, LeaderElector } from '../../src/kube/leader-election.ts';
import { testKubeConfig, uniqueName, waitFor } from '../testenv/kube.ts';
import { Relay, withServer } from '../testenv/relay.ts';

const TIMINGS = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
const { leaseDurationMs: LEASE, renewDeadlineMs: DEADLINE, retryPeriodMs: RETRY } = TIMINGS;
/** Scheduling and API latency on a loaded CI machine, on top of what the algorithm allows. */
const SLACK = 500;
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const CHILD = fileURLToPath(new URL('./support/elector-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const kc = testKubeConfig();
const leases = kc.makeApiClient(CoordinationV1Api);
const namespace = uniqueName('leader-election');
/** Electors, relays and child processes to stop once the (concurrent) tests are done. */
const cleanups: (() => Promise<unknown>)[] = [];

interface Candidate {
  identity: string;
  elector: LeaderElector;
  /** Callbacks with the wall-clock time they came at (comparable with the Lease's times: one machine). */
  events: { at: number; event: string }[];
  when(event: string): number | undefined;
}

function candidate(lease: string, identity: string, kubeConfig: KubeConfig = kc): Candidate {
  const events: Candidate['events'] = [];
  const record = (event: string): void => void events.push({ at: Date.now(), event });
  const elector = new LeaderElector(new KubeLeaseApi(kubeConfig), {
    namespace,
    name: lease,
    identity,
    ...TIMINGS,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    onStartedLeading: () => record('started'),
    onStoppedLeading: () => record('stopped'),
    onNewLeader: (leader) => record(`leader ${leader}`),
  });
  cleanups.push(() => elector.stop());
  elector.start();
  return { identity, elector, events, when: (event) => events.find((e) => e.event === event)?.at };
}

const readLease = (name: string): Promise<V1Lease> => leases.readNamespacedLease({ namespace, name });
/** A MicroTime as client-node hands it over (a string), in epoch milliseconds. */
const millis = (time: unknown): number => Date.parse(String(time));
const leading = (c: Candidate): Promise<number> =>
  waitFor(() => (c.elector.isLeader() ? Date.now() : undefined), { description: `${c.identity} to lead`, timeoutMs: 15_000, intervalMs: 10 });
const sees = (c: Candidate, leader: string): Promise<boolean> =>
  waitFor(() => c.events.some((e) => e.event === `leader ${leader}`), { description: `${c.identity} to see ${leader} lead`, timeoutMs: 15_000, intervalMs: 10 });

/** Samples both electors for `ms`; fails if they ever both lead. */
async function neverBoth(a: Candidate, b: Candidate, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) {
    expect(a.elector.isLeader() && b.elector.isLeader(), 'two leaders at once').toBe(false);
  }
}

interface Child {
  process: ChildProcessWithoutNullStreams;
  lines: { event: string; at: number; leader?: string }[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** An elector in a child process of its own (support/elector-child.ts), on the node that runs the tests. */
function childElector(lease: string, identity: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, inject('kubeconfigPath'), namespace, lease, identity, JSON.stringify(TIMINGS)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...(process.env.TEST_LOG_LEVEL ? { TEST_LOG_LEVEL: process.env.TEST_LOG_LEVEL } : {}) },
  });
  const lines: Child['lines'] = [];
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    const complete = text.split('\n');
    text = complete.pop() ?? '';
    for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line) as Child['lines'][number]);
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { process: child, lines, exited, output: () => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n${stderr}` };
}

const childSaid = (child: Child, event: string): Promise<number> =>
  waitFor(() => child.lines.find((l) => l.event === event)?.at, { description: `the child to say ${event}; output: ${child.output()}`, timeoutMs: 20_000, intervalMs: 10 });

beforeAll(async () => {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
});

// The namespace stays: without a namespace controller a deleted one would only hang in Terminating.
afterAll(async () => {
  await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
});

// Each test has a Lease of its own; run side by side, the file takes as long as its longest test.
describe.concurrent('leader election on a real API server', () => {
  it('elects one of two electors, and writes a Lease the API server accepts as client-go would', async () => {
    const lease = uniqueName('lease');
    const [a, b] = [candidate(lease, uniqueName('a')), candidate(lease, uniqueName('b'))] as const;
    await waitFor(() => a.elector.isLeader() || b.elector.isLeader(), { description: 'a leader', timeoutMs: 10_000, intervalMs: 10 });
    const [leader, follower] = a.elector.isLeader() ? [a, b] : [b, a];
    await sees(follower, leader.identity);
    // Longer than a lease duration: the follower keeps seeing renewals and keeps waiting.
    await neverBoth(a, b, LEASE + RETRY);

    const stored = await readLease(lease);
    expect(stored.spec).toMatchObject({ holderIdentity: leader.identity, leaseDurationSeconds: LEASE / 1000, leaseTransitions: 0 });
    expect(String(stored.spec?.renewTime)).toMatch(MICRO_TIME);
    expect(String(stored.spec?.acquireTime)).toMatch(MICRO_TIME);
    // Renewed every retry period, the last one within the last two.
    expect(Date.now() - millis(stored.spec?.renewTime)).toBeLessThan(2 * RETRY + SLACK);
    expect(leader.events.filter((e) => e.event === 'started')).toHaveLength(1);
    expect(follower.events.map((e) => e.event)).toEqual([`leader ${leader.identity}`]);
  });

  it('hands over within about one retry period when the leader stops', async () => {
    const lease = uniqueName('lease');
    const a = candidate(lease, uniqueName('a'));
    await leading(a);
    const b = candidate(lease, uniqueName('b'));
    await sees(b, a.identity);

    await a.elector.stop();
    const released = Date.now();
    expect(a.events.map((e) => e.event)).toEqual([`leader ${a.identity}`, 'started', 'stopped']);
    const took = await leading(b);
    expect(took - released).toBeLessThanOrEqual(RETRY + SLACK);
    expect(b.when('started')!).toBeGreaterThan(a.when('stopped')!);
    expect((await readLease(lease)).spec).toMatchObject({ holderIdentity: b.identity, leaseDurationSeconds: LEASE / 1000, leaseTransitions: 1 });
  });

  it('a leader cut off from the API server steps down before its Lease expires; the other takes over within the lease duration', async () => {
    const relay = new Relay(new URL(inject('serverUrl')));
    cleanups.push(() => relay.close());
    const lease = uniqueName('lease');
    const a = candidate(lease, uniqueName('a'), withServer(kc, await relay.listen()));
    await leading(a);
    const b = candidate(lease, uniqueName('b'));
    await sees(b, a.identity);
    await sleep(2 * RETRY); // b has seen a renew

    const cut = Date.now();
    relay.block();
    // a can write no more: this is its last renewal (one in flight at the cut was reset with it).
    const lastRenewal = millis((await readLease(lease)).spec?.renewTime);
    const stepped = await waitFor(() => a.when('stopped'), { description: 'a to step down', timeoutMs: 10_000, intervalMs: 10 });
    const took = await leading(b);

    expect(stepped - lastRenewal).toBeLessThanOrEqual(DEADLINE + SLACK);
    expect(stepped).toBeLessThan(lastRenewal + LEASE);
    expect(took).toBeGreaterThan(stepped);
    expect(took).toBeGreaterThanOrEqual(lastRenewal + LEASE);
    expect(took - cut).toBeLessThanOrEqual(LEASE + RETRY + SLACK);
    expect((await readLease(lease)).spec).toMatchObject({ holderIdentity: b.identity, leaseTransitions: 1 });

    // Reconnected, a follows b and does not lead again.
    relay.unblock();
    await sees(a, b.identity);
    await neverBoth(a, b, LEASE + RETRY);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events.filter((e) => e.event === 'started')).toHaveLength(1);
  });

  it('a leader killed with SIGKILL is replaced within the lease duration', async () => {
    const lease = uniqueName('lease');
    const child = childElector(lease, uniqueName('child'));
    await childSaid(child, 'started');
    const b = candidate(lease, uniqueName('b'));
    await sees(b, (await readLease(lease)).spec!.holderIdentity!);
    await sleep(2 * RETRY);

    child.process.kill('SIGKILL');
    const killed = Date.now();
    await child.exited;
    const lastRenewal = millis((await readLease(lease)).spec?.renewTime);
    const took = await leading(b);
    expect(took).toBeGreaterThanOrEqual(lastRenewal + LEASE);
    expect(took - killed).toBeLessThanOrEqual(LEASE + RETRY + SLACK);
    expect((await readLease(lease)).spec).toMatchObject({ holderIdentity: b.identity, leaseTransitions: 1 });
  });

  it('a leader process stopped with SIGTERM releases the Lease, hands over, and then exits on its own', async () => {
    const lease = uniqueName('lease');
    const child = childElector(lease, uniqueName('child'));
    await childSaid(child, 'started');
    const b = candidate(lease, uniqueName('b'));
    await sees(b, (await readLease(lease)).spec!.holderIdentity!);

    child.process.kill('SIGTERM');
    const released = await childSaid(child, 'released');
    const took = await leading(b);
    expect(took - released).toBeLessThanOrEqual(RETRY + SLACK);
    // Nothing of the elector kept the process alive once stopped (the script never calls exit).
    const exit = await Promise.race([child.exited, sleep(5_000).then(() => 'still running')]);
    expect(exit, child.output()).toEqual({ code: 0, signal: null });
    expect(child.lines.map((l) => l.event)).toEqual(['running', 'leader', 'started', 'stopped', 'released']);
  });
});
