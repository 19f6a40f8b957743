// One soak run: the controller's replicas as processes behind a cuttable relay (two or more
// electing a leader on a Lease), the workload and the chaos for the set duration, then
// convergence (bounded) and every invariant checked.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import type { AccessEntry } from '../../src/api/accessentry.ts';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { Relay, withServer } from '../../test/testenv/relay.ts';
import { CallRecorder, createTookEffect } from './call-recorder.ts';
import { Chaos, type ChaosCounts } from './chaos.ts';
import { ControllerReplicas, type ControllerCommand, type ControllerRun, type ReplicaSpec } from './controller.ts';
import { checkCallLog, checkCreates, checkRuns, checkState, checkWriters, mergeResults, type CheckResult } from './invariants.ts';
import { SoakResources } from './kube.ts';
import { LEASE_TIMINGS, LeaseReader, type LeaseRef } from './leadership.ts';
import { SoakModel } from './model.ts';
import type { SoakOptions } from './options.ts';
import { Random } from './random.ts';
import { progressLine, summary } from './report.ts';
import { Workload } from './workload.ts';

export const SOAK_CONTROLLER_ID = 'soak-controller';
const REGION = 'us-east-1';
const CONVERGE_POLL_MS = 2_000;
const STOP_GRACE_MS = 30_000;
/** Exists on every API server; the Lease's name is unique to the run. */
const LEASE_NAMESPACE = 'default';

export interface SoakTarget {
  /** Admin access to the API server, for the workload and the checks (never cut). */
  kubeConfig: KubeConfig;
  /** In this process, so drift and checks read its state directly. */
  emulator: RunningEmulator;
  /** An API-mode cluster in the emulator's default account and region. */
  clusterName: string;
  controller: ControllerCommand;
  /** Where the controller's relayed kubeconfig is written. */
  workDir: string;
  /** Every replica's output, each line prefixed by its name. */
  logFile: string;
  /** Prefix of the run's resource names and value of its label: short and unique. */
  run: string;
}

export interface SoakResult {
  passed: boolean;
  result: CheckResult;
  convergedAfterMs: number | undefined;
  chaos: ChaosCounts;
  runs: readonly ControllerRun[];
  model: SoakModel;
  /** The printed summary. */
  summary: string;
}

export async function runSoak(target: SoakTarget, options: SoakOptions, log: (line: string) => void): Promise<SoakResult> {
  const { emulator, clusterName } = target;
  const rng = new Random(options.seed);
  const model = new SoakModel();
  const resources = new SoakResources(target.kubeConfig, target.run);
  const workload = new Workload({ resources, state: emulator.state, clusterName, model, rng });
  emulator.state.setAssociationDelay(options.associationDelayMs);

  const server = target.kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no server');
  const relay = new Relay(new URL(server));
  const kubeconfigPath = join(target.workDir, `${target.run}-controller.kubeconfig`);
  await writeFile(kubeconfigPath, withServer(target.kubeConfig, await relay.listen()).exportConfig(), { mode: 0o600 });
  const leaseRef = options.replicas > 1 ? { namespace: LEASE_NAMESPACE, name: `${target.run}-leader` } : undefined;
  const lease = leaseRef && new LeaseReader(target.kubeConfig, leaseRef);
  const flags = controllerFlags(target, options, kubeconfigPath, resources.selector);
  const replicas = new ControllerReplicas(target.controller, replicaSpecs(options.replicas, flags, leaseRef), target.logFile);
  const recorder = new CallRecorder(emulator.calls);
  const chaos = new Chaos({ emulator, relay, replicas, lease, rng, options });
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  let listed: AccessEntry[] = [];
  let phase = 'chaos';
  const refresh = async (): Promise<AccessEntry[]> => (listed = await resources.list());
  const progress = setInterval(() => {
    void refresh()
      .then(() => log(progressLine({ phase, elapsedMs: elapsed(), model, listed, calls: emulator.calls, chaos: chaos.counts, runs: replicas.runs.length, leader: lease && chaos.holder })))
      .catch((err: unknown) => log(`progress: ${String(err)}`));
  }, options.progressEveryMs);

  try {
    workload.seedForeign(options.foreign);
    recorder.start();
    chaos.watch();
    await replicas.startAll();
    chaos.start();
    await workload.applyInitial(options.resources, options.intruders);
    log(`applied ${options.resources} resources and ${options.intruders} intruders in ${(elapsed() / 1000).toFixed(1)} s; workload and chaos running`);
    workload.start(options.opsPerSecond);
    await sleep(Math.max(0, options.durationMs - elapsed()));
    await workload.stop();
    await chaos.stop();
    phase = 'converging';
    log(`faults, cuts and kills stopped at ${(elapsed() / 1000).toFixed(1)} s; waiting up to ${options.convergeTimeoutMs / 1000} s for convergence`);

    const convergedAfterMs = await converge({ options, log, check: async () => stateResult(await refresh()) });
    phase = 'stopping';
    await stopReplicas(replicas, chaos, lease);
    await settled(recorder, emulator);
    const result = mergeResults(
      stateResult(await refresh()),
      checkCreates(model, recorder.creates),
      checkCallLog(recorder.creates.length, emulator.calls.count('CreateAccessEntry'), recorder.gaps),
      checkWriters(recorder.writeSpans),
      checkRuns(replicas.runs, { leaderElection: lease !== undefined }),
      convergence(convergedAfterMs, options.convergeTimeoutMs),
    );
    const passed = result.violations.length === 0;
    const text = summary({
      passed,
      seed: options.seed,
      durationMs: options.durationMs,
      convergedAfterMs,
      convergeTimeoutMs: options.convergeTimeoutMs,
      model,
      calls: emulator.calls,
      chaos: chaos.counts,
      runs: replicas.runs,
      replicas: options.replicas,
      lease: leaseRef && `${leaseRef.namespace}/${leaseRef.name}`,
      result,
      controllerLog: target.logFile,
    });
    return { passed, result, convergedAfterMs, chaos: chaos.counts, runs: replicas.runs, model, summary: text };
  } finally {
    clearInterval(progress);
    // Idempotent: after a failure mid-run, nothing may touch the controller while it is closed.
    await workload.stop();
    await chaos.halt();
    recorder.stop();
    await replicas.close();
    await relay.close();
    emulator.faults.clear();
    await resources.cleanup().catch((err: unknown) => log(`cleanup: ${String(err)}`));
    await lease?.delete().catch((err: unknown) => log(`cleanup of the Lease: ${String(err)}`));
  }

  function stateResult(now: readonly AccessEntry[]): CheckResult {
    recorder.poll();
    const createdPrincipals = new Set(recorder.creates.filter(createTookEffect).map((call) => call.principalArn ?? ''));
    return checkState({ model, listed: now, state: emulator.state, clusterName, controllerId: SOAK_CONTROLLER_ID, createdPrincipals });
  }
}

/**
 * Ends the run with SIGTERM, as Kubernetes would. The Lease is sampled one last time (a hand-over
 * just before counts) and no longer watched, then the leader is stopped last (see stopAll).
 */
async function stopReplicas(replicas: ControllerReplicas, chaos: Chaos, lease: LeaseReader | undefined): Promise<void> {
  await chaos.sample();
  const leader = lease && replicas.withIdentity(await lease.holder().catch(() => ''));
  await chaos.halt();
  await replicas.stopAll(STOP_GRACE_MS, leader);
}

/** Once the controllers are gone, every call it made gets logged (a hung one when its socket closes). */
async function settled(recorder: CallRecorder, emulator: RunningEmulator): Promise<void> {
  const deadline = performance.now() + 5_000;
  recorder.stop();
  while (recorder.creates.length < emulator.calls.count('CreateAccessEntry') && performance.now() < deadline) {
    await sleep(100);
    recorder.poll();
  }
}

interface ConvergeInput {
  options: Pick<SoakOptions, 'convergeTimeoutMs' | 'progressEveryMs'>;
  log: (line: string) => void;
  check: () => Promise<CheckResult>;
}

/** Milliseconds until every state invariant held, or undefined when the bound passed first. */
async function converge({ options, log, check }: ConvergeInput): Promise<number | undefined> {
  const started = performance.now();
  let lastLog = started;
  for (;;) {
    const { violations } = await check();
    const waited = performance.now() - started;
    if (violations.length === 0) return waited;
    if (waited > options.convergeTimeoutMs) return undefined;
    if (performance.now() - lastLog >= options.progressEveryMs) {
      lastLog = performance.now();
      const first = violations[0]!;
      log(`converging for ${(waited / 1000).toFixed(0)} s: ${violations.length} invariants not holding yet, e.g. ${first.subject}: ${first.invariant}: ${first.detail}`);
    }
    await sleep(CONVERGE_POLL_MS);
  }
}

function convergence(convergedAfterMs: number | undefined, timeoutMs: number): CheckResult {
  const holds = convergedAfterMs !== undefined;
  return {
    checked: { 'converged within the bound': 1 },
    violations: holds ? [] : [{ subject: 'the run', invariant: 'converged within the bound', detail: `not every invariant held within ${timeoutMs / 1000} s of the faults stopping` }],
  };
}

function controllerFlags(target: SoakTarget, options: SoakOptions, kubeconfigPath: string, selector: string): string[] {
  return [
    '--kubeconfig', kubeconfigPath,
    '--region', REGION,
    '--aws-endpoint', target.emulator.endpoint,
    '--controller-id', SOAK_CONTROLLER_ID,
    '--selector', selector,
    '--concurrency', String(options.concurrency),
    '--aws-rate-limit', String(options.awsRateLimit),
    '--resync', options.resync,
    '--stalled-retry', '10s',
    '--log-level', options.controllerLogLevel,
    // Off: fixed ports would collide with other controllers on the machine (other runs, tests).
    '--metrics-bind-address', '0',
    '--health-probe-bind-address', '0',
  ];
}

/**
 * soak-a, soak-b, ...: each its own POD_NAME, so the holder identities (`${POD_NAME}_<uuid8>`)
 * tell them apart; with a Lease, all of them elect a leader on it.
 */
function replicaSpecs(count: number, flags: readonly string[], lease: LeaseRef | undefined): ReplicaSpec[] {
  const election = lease ? leaderElectionFlags(lease) : [];
  return Array.from({ length: count }, (_, i) => {
    const name = `soak-${String.fromCharCode(97 + i)}`;
    return { name, flags: [...flags, ...election], env: { ...controllerEnv(), POD_NAME: name } };
  });
}

function leaderElectionFlags(lease: LeaseRef): string[] {
  return [
    '--leader-elect',
    '--leader-election-namespace', lease.namespace,
    '--leader-election-id', lease.name,
    '--leader-election-lease-duration', LEASE_TIMINGS.leaseDuration,
    '--leader-election-renew-deadline', LEASE_TIMINGS.renewDeadline,
    '--leader-election-retry-period', LEASE_TIMINGS.retryPeriod,
  ];
}

function controllerEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'soak',
    AWS_SECRET_ACCESS_KEY: 'soak',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
