// `npm start` and a signal to its process group, as Ctrl-C or `kill -- -PGID` send it: the
// controller process gets the signal from the group and, milliseconds later, again from whatever
// relays signals to it. That echo must not count as a second, "exit now" signal: the leader still
// drains and releases its Lease. A signal sent again later does end it at once.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { CoordinationV1Api, CustomObjectsApi, type V1Lease } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL } from '../../src/api/names.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { SIGNAL_ECHO_WINDOW_MS } from '../../src/signals.ts';
import { installCrds } from '../testenv/crd.ts';
import { kubectl, testKubeConfig, uniqueName, waitFor } from '../testenv/kube.ts';
import { CLUSTER, role } from './support/harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const kc = testKubeConfig();
const label = uniqueName('signals');
const namespace = uniqueName('signals');
let emulator: RunningEmulator;
const started: NpmStart[] = [];

interface NpmStart {
  /** npm's pid, which is also the process group's id (it leads a group of its own). */
  group: number;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  lease: string;
}

/** `npm start` in a process group of its own, as a terminal runs it; the Lease is long, so only a release frees it. */
function npmStart(name: string, extraArgs: string[] = []): NpmStart {
  const lease = uniqueName(name);
  const child = spawn(
    'npm',
    [
      'start', '--', '--kubeconfig', inject('kubeconfigPath'), '--region', 'us-east-1', '--aws-endpoint', emulator.endpoint,
      '--selector', `test.eksaccess.dev/run=${label}`, '--metrics-bind-address', '0', '--health-probe-bind-address', '0',
      '--leader-elect', '--leader-election-namespace', namespace, '--leader-election-id', lease,
      '--leader-election-lease-duration', '60s', '--leader-election-renew-deadline', '40s', ...extraArgs,
    ],
    { cwd: ROOT, detached: true, env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', POD_NAME: name } },
  );
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const run = { group: child.pid!, child, output: () => text, exited, lease };
  started.push(run);
  return run;
}

/** The controller's own process in the group (node running src/main.ts), not npm or a shell. */
async function controllerPid(run: NpmStart): Promise<number> {
  const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=,args=', '-g', String(run.group)]);
  // The node binary itself (not `sh -c node …`, not npm), loading the TypeScript with an --import hook.
  const line = stdout.split('\n').find((l) => /^\s*\d+\s+\S*\bnode\s.*--import\b.*\bsrc\/main\.ts\b/.test(l));
  if (!line) throw new Error(`no controller process in group ${run.group}:\n${stdout}`);
  return Number(line.trim().split(/\s+/)[0]);
}

const logged = (run: NpmStart, text: string): Promise<true> =>
  waitFor(() => (run.output().includes(text) ? true : undefined), { description: `"${text}" in the log`, timeoutMs: 60_000 });

async function leaseOf(run: NpmStart): Promise<V1Lease> {
  return kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace, name: run.lease });
}

beforeAll(async () => {
  await installCrds(kc);
  emulator = await startEmulator({ implicitPrincipals: true });
  emulator.state.createCluster(CLUSTER, { authenticationMode: 'API' });
  const created = await kubectl(['create', 'namespace', namespace]);
  expect(created.code, created.stderr).toBe(0);
});

afterEach((context) => {
  emulator.faults.setLatency(0, 'CreateAccessEntry');
  if (context.task.result?.state === 'fail') for (const run of started) console.log(run.output());
  for (const run of started.splice(0)) {
    try {
      process.kill(-run.group, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

afterAll(async () => {
  emulator?.faults.reset();
  await emulator?.close();
});

/** A leader started by npm start, with one reconcile held in flight by EKS for `holdMs`: the drain waits for it. */
async function leaderDraining(name: string, holdMs: number, extraArgs: string[] = []): Promise<{ run: NpmStart; pid: number }> {
  const run = npmStart(name, extraArgs);
  await logged(run, 'controller started');
  expect((await leaseOf(run)).spec?.holderIdentity).toMatch(new RegExp(`^${name}_`));
  const pid = await controllerPid(run);
  emulator.faults.setLatency(holdMs, 'CreateAccessEntry');
  const before = emulator.calls.count('CreateAccessEntry');
  const entry = uniqueName(`${name}-held`);
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: API_GROUP, version: API_VERSION, plural: PLURAL,
    body: { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name: entry, labels: { 'test.eksaccess.dev/run': label } }, spec: { clusterName: CLUSTER, principalArn: role(entry) } },
  });
  await waitFor(() => (emulator.calls.count('CreateAccessEntry') > before ? true : undefined), { description: 'a create to be in flight' });
  return { run, pid };
}

describe('npm start and signals to its process group', () => {
  it('a signal and its echo count as one: the leader drains and releases its Lease', async () => {
    const { run, pid } = await leaderDraining('echoed', 3_000);
    // Ctrl-C: the whole group gets SIGINT, and a relaying parent sends the controller the same again.
    process.kill(-run.group, 'SIGINT');
    process.kill(pid, 'SIGINT');
    await run.exited;
    expect(run.output()).toContain('released the lease');
    // Released (empty holder): the next replica takes over at once instead of waiting out the lease.
    expect((await leaseOf(run)).spec?.holderIdentity).toBe('');
  });

  it('a second signal sent later ends a drain at once, leaving the Lease unreleased', async () => {
    const { run, pid } = await leaderDraining('impatient', 60_000, ['--shutdown-timeout', '60s']);
    process.kill(-run.group, 'SIGTERM');
    await logged(run, 'stopping: finishing in-flight reconciles');
    // Later than any echo: an operator who means it.
    await sleep(SIGNAL_ECHO_WINDOW_MS + 500);
    process.kill(pid, 'SIGTERM');
    await logged(run, 'a second signal: exiting now');
    await run.exited;
    expect((await leaseOf(run)).spec?.holderIdentity).toMatch(/^impatient_/);
  });
});
