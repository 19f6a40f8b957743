// One function per benchmark scenario; each measures, cleans up, and returns its figures.
import { setTimeout as sleep } from 'node:timers/promises';
import { sdkCreateLoop } from './baseline.ts';
import { IMAGE_BUILD, startController, type ControllerBuild, type RunningController } from './controller-process.ts';
import type { BenchEnvironment } from './environment.ts';
import { applyAll, createPrincipals, deleteRun, manifests, patchGroups, principalOf, ReadyClock } from './workload.ts';

let runs = 0;
const newRun = (what: string): string => `${what}-${Date.now().toString(36)}-${runs++}`;
const READY_TIMEOUT_MS = 20 * 60_000;

export interface CreateFigures {
  count: number;
  concurrency: number;
  latencyMs: number;
  /** Apply of all N to the last Ready. */
  allReadyMs: number;
  /** The same AWS calls by a bare SDK loop at the same concurrency. */
  baselineMs: number;
  rssMiB: number;
  /** The highest RSS from the first apply to the last Ready. */
  peakRssMiB: number;
  cpuSeconds: number;
  /** AWS calls per entry, all operations, and how many were throttled or failed. */
  callsPerEntry: number;
  createCalls: number;
}

/** A controller of its own for one run, with a clock on its resources; both stopped by `close`. */
interface Session {
  run: string;
  controller: RunningController;
  clock: ReadyClock;
  names: string[];
  close(): Promise<void>;
}

interface SessionOptions {
  concurrency: number;
  resync?: string;
  extraArgs?: string[];
  build?: ControllerBuild;
}

async function session(env: BenchEnvironment, what: string, { concurrency, resync = '10m', extraArgs = [], build = IMAGE_BUILD }: SessionOptions): Promise<Session> {
  const run = newRun(what);
  const controller = await startController(env, { concurrency, run, resync, extraArgs, build });
  const clock = new ReadyClock(env.plane.kubeConfig, run);
  await clock.start();
  const names: string[] = [];
  const opened: Session = {
    run,
    controller,
    clock,
    names,
    // The controller may have been replaced by a restarted one: stop whichever runs now.
    close: async () => {
      clock.stop();
      await opened.controller.stop();
      await deleteRun(env.plane.kubeConfig, names);
    },
  };
  return opened;
}

/** Applies `count` new entries at once and waits for all of them; returns ms from apply to last Ready. */
async function applyAndWait(env: BenchEnvironment, s: Session, count: number, prefix = 'e'): Promise<number> {
  const objects = manifests(s.run, count, prefix);
  const names = objects.map((o) => o.metadata.name!);
  s.names.push(...names);
  createPrincipals(env.emulator, objects);
  const started = performance.now();
  await applyAll(env.plane.kubeConfig, objects);
  await s.clock.allReady(names, READY_TIMEOUT_MS);
  return Math.max(...names.map((name) => s.clock.readyAt.get(name)!)) - started;
}

export interface CreateOptions {
  count: number;
  concurrency: number;
  /** Added to every AWS call by the emulator. */
  latencyMs: number;
  build?: ControllerBuild;
}

/** N new AccessEntries applied at once, against an idle controller, beside the SDK floor. */
export async function createMany(env: BenchEnvironment, { count, concurrency, latencyMs, build = IMAGE_BUILD }: CreateOptions): Promise<CreateFigures> {
  env.emulator.faults.setLatency(latencyMs);
  const baselineMs = await sdkCreateLoop(env, count, concurrency);
  const s = await session(env, `c${concurrency}`, { concurrency, build });
  try {
    await s.controller.ready(); // the controller's first, empty, list
    await s.controller.resetPeak();
    const callsBefore = env.emulator.calls.total();
    const createsBefore = env.emulator.calls.count('CreateAccessEntry');
    const allReadyMs = await applyAndWait(env, s, count);
    return {
      count,
      concurrency,
      latencyMs,
      allReadyMs,
      baselineMs,
      rssMiB: await s.controller.rssMiB(),
      peakRssMiB: await s.controller.peakRssMiB(),
      cpuSeconds: await s.controller.cpuSeconds(),
      callsPerEntry: (env.emulator.calls.total() - callsBefore) / count,
      createCalls: env.emulator.calls.count('CreateAccessEntry') - createsBefore,
    };
  } finally {
    env.emulator.faults.setLatency(0);
    await s.close();
  }
}

export interface IdleFigures {
  idleEntries: number;
  latencyMs: number;
  /** One new entry applied to a controller holding `idleEntries`: apply to Ready, less the AWS latency. */
  firstReadyMs: number;
  /** Spec edits, one at a time: patch to Ready, less the AWS latency (2 calls: Describe, Update). */
  editP50Ms: number;
  editP99Ms: number;
  edits: number;
}

/** How fast a single change goes through while `idleEntries` sit in sync. */
export async function idleLatency(env: BenchEnvironment, idleEntries: number, edits: number, latencyMs: number): Promise<IdleFigures> {
  const s = await session(env, 'idle', { concurrency: 16 });
  try {
    await applyAndWait(env, s, idleEntries);
    env.emulator.faults.setLatency(latencyMs);
    const first = await applyAndWait(env, s, 1, 'new');
    const editTimes: number[] = [];
    for (let i = 0; i < edits; i++) {
      const name = s.names[(i * 7919) % idleEntries]!;
      s.clock.reset([name]);
      const started = performance.now();
      await patchGroups(env.plane.kubeConfig, name, ['team', `edit-${i}`]);
      await s.clock.allReady([name], 60_000);
      editTimes.push(s.clock.readyAt.get(name)! - started - 2 * latencyMs);
    }
    editTimes.sort((a, b) => a - b);
    return {
      idleEntries,
      latencyMs,
      firstReadyMs: first - latencyMs,
      editP50Ms: percentile(editTimes, 0.5),
      editP99Ms: percentile(editTimes, 0.99),
      edits,
    };
  } finally {
    env.emulator.faults.setLatency(0);
    await s.close();
  }
}

export interface ScaleFigures {
  entries: number;
  /** All N created from scratch, latency 0: time, and AWS calls per entry. */
  convergeMs: number;
  callsPerEntry: number;
  resyncs: number;
  /** One restart of the converged entries per build asked for, in that order. */
  restarts: RestartFigures[];
}

/** A controller restarted over N entries in sync, left to re-check them and then to resync. */
export interface RestartFigures {
  build: ControllerBuild;
  /** Spawn to its first EKS call (its cache synced and its queue going). */
  syncMs: number;
  /** RSS at the end of the resyncs. */
  rssMiB: number;
  /** CPU seconds per resync period, over the resyncs (the re-check after the restart left out). */
  cpuPerResync: number;
  /** EKS reads per entry per resync, over the resyncs; writes to EKS and to Kubernetes from the restart on. */
  readsPerEntryPerResync: number;
  awsWrites: number;
  kubeWrites: number;
}

export interface ScaleOptions {
  entries: number;
  resyncSeconds: number;
  /** Resync periods to watch each restarted controller for. */
  resyncs: number;
  /** One restart per build, in this order; default the image's alone. */
  builds?: readonly ControllerBuild[];
}

/**
 * N entries: converge, then restart the controller, once per build, and watch it hold them in
 * steady state.
 */
export async function atScale(env: BenchEnvironment, { entries, resyncSeconds, resyncs, builds = [IMAGE_BUILD] }: ScaleOptions): Promise<ScaleFigures> {
  const s = await session(env, `scale${entries}`, { concurrency: 16 });
  try {
    const callsBefore = env.emulator.calls.total();
    const convergeMs = await applyAndWait(env, s, entries);
    const callsPerEntry = (env.emulator.calls.total() - callsBefore) / entries;
    await s.controller.stop();
    const restarts: RestartFigures[] = [];
    for (const build of builds) {
      restarts.push(await restart(env, s, { entries, resyncSeconds, resyncs, build }));
      await s.controller.stop();
    }
    return { entries, convergeMs, callsPerEntry, resyncs, restarts };
  } finally {
    await s.close();
  }
}

async function restart(env: BenchEnvironment, s: Session, options: { entries: number; resyncSeconds: number; resyncs: number; build: ControllerBuild }): Promise<RestartFigures> {
  const { entries, resyncSeconds, resyncs, build } = options;
  let modified = 0;
  const watcher = new ReadyClock(env.plane.kubeConfig, s.run, () => modified++);
  await watcher.start();
  try {
    const describesBefore = env.emulator.calls.count('DescribeAccessEntry');
    const writesBefore = env.emulator.calls.writes();
    const restarted = await startController(env, { concurrency: 16, run: s.run, resync: `${resyncSeconds}s`, build });
    s.controller = restarted;
    await until('the restarted controller to make its first EKS call', () => env.emulator.calls.count('DescribeAccessEntry') > describesBefore, 20);
    const syncMs = performance.now() - restarted.startedAt;
    await until('the restarted controller to re-check every entry', () => env.emulator.calls.count('DescribeAccessEntry') >= describesBefore + entries, 100);
    // Each entry is next checked 1 to 1.1 resync periods (the jitter) after its last check. All
    // were checked just now, so a window from half a period on, `resyncs` periods long, holds
    // exactly `resyncs` checks of each entry whatever its jitter: k checks take k to 1.1 k periods.
    await sleep(resyncSeconds * 500);
    const readsBefore = env.emulator.calls.count('DescribeAccessEntry');
    const cpuBefore = await restarted.cpuSeconds();
    await sleep(resyncs * resyncSeconds * 1000);
    const reads = (env.emulator.calls.count('DescribeAccessEntry') - readsBefore) / resyncs;
    return {
      build,
      syncMs,
      rssMiB: await restarted.rssMiB(),
      cpuPerResync: ((await restarted.cpuSeconds()) - cpuBefore) / resyncs,
      readsPerEntryPerResync: reads / entries,
      awsWrites: env.emulator.calls.writes() - writesBefore,
      kubeWrites: modified,
    };
  } finally {
    watcher.stop();
  }
}

/** Polls `done` every `intervalMs`; fails, naming `what`, after READY_TIMEOUT_MS. */
async function until(what: string, done: () => boolean, intervalMs: number): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export interface BudgetFigures {
  entries: number;
  /** The emulator's rate limit, requests per second (the controller is given the same budget). */
  rate: number;
  allReadyMs: number;
  /** Calls made ÷ the rate: the time no client can beat. */
  floorMs: number;
  calls: number;
  throttles: number;
}

/** N new entries against an EKS that throttles above `rate` requests per second. */
export async function underRateLimit(env: BenchEnvironment, entries: number, rate: number): Promise<BudgetFigures> {
  env.emulator.faults.setRateLimit({ requestsPerSecond: rate, burst: rate });
  const throttlesBefore = env.emulator.calls.countResult('ThrottlingException');
  const callsBefore = env.emulator.calls.total();
  const s = await session(env, 'budget', { concurrency: 16, extraArgs: ['--aws-rate-limit', String(rate), '--aws-burst', String(rate)] });
  try {
    await sleep(1_000);
    const allReadyMs = await applyAndWait(env, s, entries);
    const calls = env.emulator.calls.total() - callsBefore;
    const throttles = env.emulator.calls.countResult('ThrottlingException') - throttlesBefore;
    // Throttled calls do no work: the floor counts only the calls that had to succeed.
    return { entries, rate, allReadyMs, floorMs: ((calls - throttles) / rate) * 1000, calls, throttles };
  } finally {
    env.emulator.faults.setRateLimit(undefined);
    await s.close();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

export { principalOf };
