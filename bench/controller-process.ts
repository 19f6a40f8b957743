// The controller as users run it: `node dist/main.js`, a process of its own, so its memory and
// CPU are its own.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { installExitGuard } from '../test/testenv/exit-guard.ts';
import { freePorts } from '../test/testenv/ports.ts';
import { startProcess, type ManagedProcess } from '../test/testenv/process.ts';
import { CLUSTER, REGION, ROOT, UNBUNDLED_DIR, type BenchEnvironment } from './environment.ts';

export interface ControllerOptions {
  concurrency: number;
  /** Label value the controller selects on, so runs do not see each other's resources. */
  run: string;
  resync?: string;
  extraArgs?: string[];
  /** Which build, run how; default the image's. */
  build?: ControllerBuild;
}

export interface RunningController {
  process: ManagedProcess;
  startedAt: number;
  /** Resident set size now, in MiB (from /proc). */
  rssMiB(): Promise<number>;
  /** The highest resident set size since the start or since resetPeak(), in MiB (VmHWM). */
  peakRssMiB(): Promise<number>;
  /** Starts the peak over from the resident set size now (the kernel's clear_refs 5). */
  resetPeak(): Promise<void>;
  /** CPU seconds used so far (user + system). */
  cpuSeconds(): Promise<number>;
  /** Resolves when /readyz first answers 200 (the caches have synced): milliseconds since spawn. */
  ready(): Promise<number>;
  /** Where its /metrics is served; the bench scrapes it every SCRAPE_INTERVAL_MS, as Prometheus would. */
  metricsUrl: string;
  stop(): Promise<void>;
}

export const RUN_LABEL = 'bench.eksaccess.dev/run';

/** The node flags of the image's ENTRYPOINT (test/unit/image-user.test.ts keeps the two equal). */
export const IMAGE_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=50'];
/** The environment the image's final stage sets, besides NODE_ENV (kept equal the same way). */
export const IMAGE_ENV: Record<string, string> = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '32768' };

/** A build of the controller and the node settings it runs with. */
export interface ControllerBuild {
  /** What the figures call it. */
  name: string;
  entry: string;
  nodeFlags: readonly string[];
  env: Readonly<Record<string, string>>;
}

/** What the image ships: dist/main.js as `npm run build` leaves it, with the image's flags and environment. */
export const IMAGE_BUILD: ControllerBuild = { name: 'the image', entry: join(ROOT, 'dist', 'main.js'), nodeFlags: IMAGE_NODE_FLAGS, env: IMAGE_ENV };

/**
 * The baseline the memory figures are compared with in the same run: tsc's output, one file per
 * module, with the node flags and environment of the image that ran it, before issue 20's.
 */
export const UNBUNDLED_BUILD: ControllerBuild = {
  name: 'the unbundled build',
  entry: join(UNBUNDLED_DIR, 'main.js'),
  nodeFlags: ['--max-semi-space-size=4'],
  env: { MALLOC_ARENA_MAX: '2' },
};

const READY_POLL_MS = 20;
/** A common Prometheus scrape interval: what the per-resource series cost is part of the footprint. */
export const SCRAPE_INTERVAL_MS = 15_000;

export async function startController(env: BenchEnvironment, options: ControllerOptions): Promise<RunningController> {
  const build = options.build ?? IMAGE_BUILD;
  const node = join(ROOT, 'node_modules', '.bin', 'node');
  const [probePort, metricsPort] = await freePorts(2);
  // As the image runs it (Dockerfile ENTRYPOINT and ENV); BENCH_NODE_ARGS adds flags, e.g.
  // --cpu-prof, and a variable of the image's set in the environment replaces its value.
  const nodeArgs = [...build.nodeFlags, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const args = [
    ...nodeArgs,
    process.env.BENCH_ENTRY ?? build.entry,
    '--kubeconfig', env.plane.kubeconfigPath,
    '--region', REGION,
    '--aws-endpoint', env.emulator.endpoint,
    '--controller-id', 'bench',
    '--selector', `${RUN_LABEL}=${options.run}`,
    '--concurrency', String(options.concurrency),
    '--resync', options.resync ?? '10m',
    '--log-level', 'warn',
    // The throughput scenarios measure the controller, not its request budgets; the rate-limit
    // scenario passes its own.
    '--aws-rate-limit', '0',
    '--iam-rate-limit', '0',
    '--metrics-bind-address', `127.0.0.1:${metricsPort}`,
    '--health-probe-bind-address', `127.0.0.1:${probePort}`,
    ...(options.extraArgs ?? []),
  ];
  process.env.AWS_ACCESS_KEY_ID ??= 'bench';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  const startedAt = performance.now();
  const child = await startProcess('controller', node, args, { logFile: join(ROOT, `bench-controller-${options.run}.log`), env: { ...build.env, ...process.env } });
  // A bench that dies (Ctrl-C, a failed scenario) must not leave its controller running.
  const guard = installExitGuard(() => child.killNow());
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const scraper = setInterval(() => void fetch(metricsUrl).then((response) => response.text(), () => undefined), SCRAPE_INTERVAL_MS);
  const status = async (): Promise<string> => readFile(`/proc/${child.pid}/status`, 'utf8');
  const kib = async (field: string): Promise<number> => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(await status())?.[1] ?? 0) / 1024;
  let readyAfter: Promise<number> | undefined;
  return {
    process: child,
    startedAt,
    rssMiB: () => kib('VmRSS'),
    peakRssMiB: () => kib('VmHWM'),
    resetPeak: () => writeFile(`/proc/${child.pid}/clear_refs`, '5'),
    cpuSeconds: async () => {
      const fields = (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    ready: () => (readyAfter ??= untilReady(child, `http://127.0.0.1:${probePort}/readyz`, startedAt)),
    metricsUrl,
    stop: async () => {
      clearInterval(scraper);
      guard.remove();
      await child.stop(10_000);
    },
  };
}

async function untilReady(child: ManagedProcess, url: string, startedAt: number): Promise<number> {
  for (;;) {
    if (child.hasExited()) throw new Error(`the controller exited before it was ready:\n${child.recentOutput()}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return performance.now() - startedAt;
    await sleep(READY_POLL_MS);
  }
}

export { CLUSTER };
