// What the controller costs before it has anything to do: bare Node beside it, and its start-up
// to Ready, for each build compared.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { installExitGuard } from '../test/testenv/exit-guard.ts';
import { startProcess } from '../test/testenv/process.ts';
import { startController, type ControllerBuild } from './controller-process.ts';
import { ROOT, type BenchEnvironment } from './environment.ts';

/** Long enough for start-up's garbage to be collected and V8's memory reducer to run. */
export const SETTLE_MS = 10_000;

export interface IdleFigures {
  build: ControllerBuild;
  /** Spawn to the first 200 of /readyz, one per start. */
  readyMs: number[];
  /** RSS SETTLE_MS after Ready, with no entries, one per start. */
  rssMiB: number[];
}

/** Node with the build's flags and environment and nothing loaded: the floor of any Node process. */
export async function bareNodeRssMiB(build: ControllerBuild): Promise<number> {
  const node = join(ROOT, 'node_modules', '.bin', 'node');
  const child = await startProcess('bare node', node, [...build.nodeFlags, '-e', 'setInterval(() => {}, 1000)'], {
    logFile: join(ROOT, 'bench-bare-node.log'),
    env: { ...build.env, PATH: process.env.PATH },
  });
  const guard = installExitGuard(() => child.killNow());
  try {
    await sleep(SETTLE_MS);
    return Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } finally {
    guard.remove();
    await child.stop(5_000);
  }
}

/**
 * `starts` controllers of each build, one after another and the builds taking turns, so a spell
 * of load on the shared machine falls on both: each watches a selector no object has.
 */
export async function idleStarts(env: BenchEnvironment, builds: readonly ControllerBuild[], starts: number): Promise<IdleFigures[]> {
  const figures = builds.map((build) => ({ build, readyMs: [] as number[], rssMiB: [] as number[] }));
  for (let i = 0; i < starts; i++) {
    for (const f of figures) {
      const controller = await startController(env, { concurrency: 16, run: `idle-${Date.now().toString(36)}`, build: f.build });
      try {
        f.readyMs.push(await controller.ready());
        await sleep(SETTLE_MS);
        f.rssMiB.push(await controller.rssMiB());
      } finally {
        await controller.stop();
      }
    }
  }
  return figures;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** "82 MiB (80–85)": the median and the range of several measurements. */
export function spread(values: readonly number[], unit: string, digits = 0): string {
  const f = (n: number): string => n.toFixed(digits);
  if (values.length === 1) return `${f(values[0]!)} ${unit}`;
  return `${f(median(values))} ${unit} (${f(Math.min(...values))}–${f(Math.max(...values))})`;
}
