// The controller as users run it: `node dist/main.js`, a process of its own, so its memory and
// CPU are its own.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installExitGuard } from '../test/testenv/exit-guard.ts';
import { startProcess, type ManagedProcess } from '../test/testenv/process.ts';
import { CLUSTER, REGION, ROOT, type BenchEnvironment } from './environment.ts';

export interface ControllerOptions {
  concurrency: number;
  /** Label value the controller selects on, so runs do not see each other's resources. */
  run: string;
  resync?: string;
  extraArgs?: string[];
}

export interface RunningController {
  process: ManagedProcess;
  startedAt: number;
  /** Resident set size now, in MiB (from /proc). */
  rssMiB(): Promise<number>;
  /** CPU seconds used so far (user + system). */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

export const RUN_LABEL = 'bench.eksaccess.dev/run';

/** The node flags of the image's ENTRYPOINT (test/unit/image-user.test.ts keeps the two equal). */
export const IMAGE_NODE_FLAGS = ['--max-semi-space-size=4'];
/** The environment the image's final stage sets, besides NODE_ENV (kept equal the same way). */
export const IMAGE_ENV: Record<string, string> = { MALLOC_ARENA_MAX: '2' };

export async function startController(env: BenchEnvironment, options: ControllerOptions): Promise<RunningController> {
  const node = join(ROOT, 'node_modules', '.bin', 'node');
  // As the image runs it (Dockerfile ENTRYPOINT and ENV); BENCH_NODE_ARGS adds flags, e.g.
  // --cpu-prof, and a variable of the image's set in the environment replaces its value.
  const nodeArgs = [...IMAGE_NODE_FLAGS, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const args = [
    ...nodeArgs,
    process.env.BENCH_ENTRY ?? join(ROOT, 'dist', 'main.js'),
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
    '--metrics-bind-address', '0',
    '--health-probe-bind-address', '0',
    ...(options.extraArgs ?? []),
  ];
  process.env.AWS_ACCESS_KEY_ID ??= 'bench';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  const startedAt = performance.now();
  const child = await startProcess('controller', node, args, { logFile: join(ROOT, `bench-controller-${options.run}.log`), env: { ...IMAGE_ENV, ...process.env } });
  // A bench that dies (Ctrl-C, a failed scenario) must not leave its controller running.
  const guard = installExitGuard(() => child.killNow());
  const status = async (): Promise<string> => readFile(`/proc/${child.pid}/status`, 'utf8');
  return {
    process: child,
    startedAt,
    rssMiB: async () => Number(/VmRSS:\s+(\d+)/.exec(await status())?.[1] ?? 0) / 1024,
    cpuSeconds: async () => {
      const fields = (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: async () => {
      guard.remove();
      await child.stop(10_000);
    },
  };
}

export { CLUSTER };
