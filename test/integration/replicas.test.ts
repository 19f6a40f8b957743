// Two replicas of the shipped entry point with leader election, on the real API server: only the
// leader acts, and leadership moves when it dies, stops or loses the API server.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL } from '../../src/api/names.ts';
import { CoordinationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startEmulator, WRITE_OPERATIONS, type CallLogEntry, type RunningEmulator } from '../../src/emulator/index.ts';
import { installCrds } from '../testenv/crd.ts';
import { kubectl, testKubeConfig, uniqueName, waitFor } from '../testenv/kube.ts';
import { Relay, withServer } from '../testenv/relay.ts';
import { CLUSTER, role } from './support/harness.ts';
import { serviceAccountKubeconfig } from './support/service-account.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// node with tsx's loader, not the tsx CLI: the CLI runs the script in a child process, which a
// SIGKILL of the CLI would leave running.
const NODE = join(ROOT, 'node_modules/.bin/node');
const NAMESPACE = 'eks-access-entry-controller';
const LEASE = { duration: 3_000, renewDeadline: 2_000, retry: 500 };
const kc = testKubeConfig();
const label = uniqueName('replicas');
const lease = uniqueName('lease');
let emulator: RunningEmulator;
let workDir: string;
let saKubeconfig: string;
const replicas: Replica[] = [];

interface Replica {
  name: string;
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

/** `extraArgs` come last: a flag given again there overrides the one above. */
function startReplica(name: string, kubeconfig = saKubeconfig, extraArgs: string[] = []): Replica {
  const child = spawn(
    NODE,
    [
      '--import', 'tsx', 'src/main.ts', '--kubeconfig', kubeconfig, '--region', 'us-east-1', '--aws-endpoint', emulator.endpoint,
      '--selector', `test.eksaccess.dev/run=${label}`, '--metrics-bind-address', '0', '--health-probe-bind-address', '0',
      '--leader-elect', '--leader-election-namespace', NAMESPACE, '--leader-election-id', lease,
      '--leader-election-lease-duration', `${LEASE.duration}ms`, '--leader-election-renew-deadline', `${LEASE.renewDeadline}ms`,
      '--leader-election-retry-period', `${LEASE.retry}ms`, '--shutdown-timeout', '3s', ...extraArgs,
    ],
    { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', POD_NAME: name } },
  );
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const replica = { name, child, output: () => text, exited: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))) };
  replicas.push(replica);
  return replica;
}

const leads = (replica: Replica): boolean => replica.output().includes('became leader');
const standsBy = (replica: Replica): Promise<true> =>
  waitFor(() => (replica.output().includes('waiting for leadership') ? true : undefined), { description: `${replica.name} to stand by` });
const leaderOf = async (candidates: Replica[]): Promise<Replica> =>
  waitFor(() => candidates.find(leads), { description: `one of ${candidates.map((r) => r.name).join(', ')} to lead`, timeoutMs: 30_000 });

async function createEntry(name: string, spec: Record<string, unknown> = {}): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: API_GROUP, version: API_VERSION, plural: PLURAL,
    body: {
      apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name, labels: { 'test.eksaccess.dev/run': label } },
      spec: { clusterName: CLUSTER, principalArn: role(name), ...spec },
    },
  });
}

async function ready(name: string, timeoutMs = 30_000): Promise<void> {
  const wait = await kubectl(['wait', '--for=condition=Ready', `accessentry/${name}`, `--timeout=${Math.round(timeoutMs / 1000)}s`]);
  expect(wait.code, wait.stderr).toBe(0);
}

/** The replica (pod name) whose user agent the emulator logged for a call. */
const callerOf = (call: CallLogEntry): string => /eks-access-entry-controller\/(\S+?)_/.exec(call.userAgent ?? '')?.[1] ?? '?';

/** Which replica made the calls about a principal, from the user agent the emulator logged. */
const callersOf = (principal: string): string[] => [
  ...new Set(emulator.calls.log().filter((c) => c.principalArn === principal).map((c) => /eks-access-entry-controller\/(\S+?)_/.exec(c.userAgent ?? '')?.[1] ?? '?')),
];

beforeAll(async () => {
  await installCrds(kc);
  emulator = await startEmulator({ implicitPrincipals: true });
  emulator.state.createCluster(CLUSTER, { authenticationMode: 'API' });
  workDir = await mkdtemp(join(tmpdir(), 'eaec-replicas-'));
  const manifests = ['namespace', 'serviceaccount', 'rbac'].flatMap((f) => ['-f', join(ROOT, `deploy/controller/${f}.yaml`)]);
  const applied = await kubectl(['apply', '--server-side', ...manifests]);
  expect(applied.code, applied.stderr).toBe(0);
  saKubeconfig = join(workDir, 'controller.kubeconfig');
  await serviceAccountKubeconfig(kc, NAMESPACE, 'eks-access-entry-controller', saKubeconfig);
});

afterEach((context) => {
  if (context.task.result?.state === 'fail') for (const replica of replicas) console.log(`--- ${replica.name}\n${replica.output()}`);
  for (const replica of replicas.splice(0)) replica.child.kill('SIGKILL');
});

afterAll(async () => {
  emulator?.faults.reset();
  await emulator?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('two replicas with leader election', () => {
  it('only the leader acts; a killed leader is replaced within the lease; a stopped one hands over at once; writes never interleave', async () => {
    const a = startReplica('replica-a');
    const b = startReplica('replica-b');
    const first = await leaderOf([a, b]);
    const standby = first === a ? b : a;
    const one = uniqueName('one');
    await createEntry(one);
    await ready(one);
    expect(callersOf(role(one))).toEqual([first.name]);

    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(() => leads(standby), { description: `${standby.name} to take over`, timeoutMs: 10_000 });
    expect(Date.now() - killedAt).toBeLessThan(LEASE.duration + 2 * LEASE.retry + 1_500);
    const two = uniqueName('two');
    await createEntry(two);
    await ready(two);
    expect(callersOf(role(two))).toEqual([standby.name]);

    const c = startReplica('replica-c');
    await waitFor(() => (c.output().includes('waiting for leadership') ? true : undefined), { description: 'replica-c to stand by' });
    standby.child.kill('SIGTERM');
    expect(await standby.exited).toBe(0);
    const stoppedAt = Date.now();
    await waitFor(() => leads(c), { description: 'replica-c to take over', timeoutMs: 10_000 });
    // Released, not waited out: within a retry period or two, not the lease duration.
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE.duration);
    const three = uniqueName('three');
    await createEntry(three);
    await ready(three);
    expect(callersOf(role(three))).toEqual(['replica-c']);

    // Ordered by arrival, the writers form blocks: once another replica wrote, the earlier never writes again.
    const writers = emulator.calls.log().filter((c) => WRITE_OPERATIONS.has(c.operation)).map((c) => /\/(\S+?)_/.exec(c.userAgent ?? '')?.[1]);
    const blocks = writers.filter((writer, i) => i === 0 || writer !== writers[i - 1]);
    expect(new Set(blocks).size).toBe(blocks.length);
  });

  it('a leader that loses the API server for longer than the renew deadline steps down, and the other takes over', async () => {
    const relay = new Relay(new URL(kc.getCurrentCluster()!.server));
    const relayed = join(workDir, 'relayed.kubeconfig');
    const sa = testKubeConfig();
    sa.loadFromFile(saKubeconfig);
    await writeFile(relayed, withServer(sa, await relay.listen()).exportConfig());
    try {
      const cut = startReplica('replica-cut', relayed);
      await leaderOf([cut]);
      const other = startReplica('replica-other');
      await waitFor(() => (other.output().includes('waiting for leadership') ? true : undefined), { description: 'the other to stand by' });
      relay.block();
      const blockedAt = Date.now();
      expect(await cut.exited).toBe(1);
      expect(Date.now() - blockedAt).toBeLessThan(LEASE.renewDeadline + 1_000);
      expect(cut.output()).toContain('lost leadership while leading');
      await waitFor(() => leads(other), { description: 'the other replica to take over', timeoutMs: 10_000 });
      const after = uniqueName('after');
      await createEntry(after);
      await ready(after);
      expect(callersOf(role(after))).toEqual(['replica-other']);
    } finally {
      await relay.close();
    }
  });

  it('a leader that loses the Lease while draining sends no EKS write once the other replica holds it', async () => {
    const relay = new Relay(new URL(kc.getCurrentCluster()!.server));
    const relayed = join(workDir, 'drain.kubeconfig');
    const sa = testKubeConfig();
    sa.loadFromFile(saKubeconfig);
    await writeFile(relayed, withServer(sa, await relay.listen()).exportConfig());
    try {
      // A drain long enough to outlive the Lease: without the fence, the old leader would keep writing.
      const old = startReplica('replica-draining', relayed, ['--shutdown-timeout', '30s']);
      await leaderOf([old]);
      const next = startReplica('replica-next');
      await standsBy(next);
      // Each association is held 1.5 s by EKS: one reconcile of six policies takes 9 s.
      emulator.faults.setLatency(1_500, 'AssociateAccessPolicy');
      const name = uniqueName('drained');
      const policies = ['AmazonEKSViewPolicy', 'AmazonEKSEditPolicy', 'AmazonEKSAdminPolicy', 'AmazonEKSAdminViewPolicy', 'AmazonEKSSecretReaderPolicy', 'AmazonEKSClusterAdminPolicy'];
      await createEntry(name, { accessPolicies: policies.map((policy) => ({ policy, accessScope: { type: 'cluster' } })) });
      await waitFor(() => (emulator.calls.count('AssociateAccessPolicy') > 0 ? true : undefined), { description: 'the first association to be in flight' });

      // SIGTERM starts the drain; then the old leader loses the API server, so it cannot renew.
      old.child.kill('SIGTERM');
      await waitFor(() => (old.output().includes('stopping: finishing in-flight reconciles') ? true : undefined), { description: 'the drain to start' });
      relay.block();
      await waitFor(() => leads(next), { description: 'the other replica to take over during the drain', timeoutMs: 20_000 });
      await old.exited;
      await ready(name, 60_000);

      const heldSince = await newHolderSince('replica-next');
      const late = emulator.calls.log().filter((c) => WRITE_OPERATIONS.has(c.operation) && callerOf(c) === old.name && Date.parse(c.time) >= heldSince);
      expect(late.map((c) => `${c.time} ${c.operation}`), 'writes of the old leader that reached EKS after the new one held the Lease').toEqual([]);
      expect(emulator.calls.log().some((c) => WRITE_OPERATIONS.has(c.operation) && callerOf(c) === old.name), 'the old leader did write before').toBe(true);
    } finally {
      emulator.faults.setLatency(0, 'AssociateAccessPolicy');
      await relay.close();
    }
  });
});

/** When the Lease's holder, a replica of this pod name, acquired it (its acquireTime, written just before it held it). */
async function newHolderSince(podName: string): Promise<number> {
  const current = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: NAMESPACE, name: lease });
  const holder = current.spec?.holderIdentity ?? '';
  expect(holder.startsWith(`${podName}_`), `the Lease is held by ${holder}`).toBe(true);
  const acquired = current.spec?.acquireTime as Date | string | undefined;
  expect(acquired).toBeDefined();
  return acquired instanceof Date ? acquired.getTime() : Date.parse(acquired!);
}
