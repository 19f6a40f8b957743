// npm run bench:memory [-- --entries N] [-- SETTING ...]: what node and glibc settings do to the
// controller's memory with many entries. The entries are converged once; then the controller
// is restarted under each setting and left to re-check every entry, and its RSS, V8 heap
// (from its own /metrics) and CPU are read. A setting is node flags and VAR=value words, e.g.
// "MALLOC_ARENA_MAX=1 --optimize-for-size" (on top of the image's flags and environment); ""
// is the image's own.
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startController, type RunningController } from './controller-process.ts';
import { startEnvironment, type BenchEnvironment } from './environment.ts';
import { applyAll, createPrincipals, deleteRun, manifests, ReadyClock } from './workload.ts';

const DEFAULT_SETTINGS = ['', 'MALLOC_ARENA_MAX=1', '--optimize-for-size', '--max-old-space-size=160'];
const SETTLE_MS = 10_000;

const { values, positionals } = parseArgs({ options: { entries: { type: 'string', default: '10000' } }, allowPositionals: true });
const entries = Number(values.entries);
const settings = positionals.length > 0 ? positionals : DEFAULT_SETTINGS;
const log = (line: string): void => void process.stderr.write(`[memory] ${line}\n`);
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MiB`;

const env = await startEnvironment(log);
const run = `mem${Date.now() % 100_000}`;
const names = manifests(run, entries).map((o) => o.metadata.name!);
const rows: string[] = [];
try {
  await converge(env);
  for (const setting of settings) rows.push(await measure(env, setting));
} finally {
  await deleteRun(env.plane.kubeConfig, names).catch(() => undefined);
  await env.close();
}
process.stdout.write(['| setting (restarted controller, ' + entries + ' entries) | RSS | V8 heap total | re-check CPU |', '|---|---|---|---|', ...rows].join('\n') + '\n');

async function converge(env: BenchEnvironment): Promise<void> {
  const controller = await startController(env, { concurrency: 16, run });
  const clock = new ReadyClock(env.plane.kubeConfig, run);
  await clock.start();
  const started = performance.now();
  const objects = manifests(run, entries);
  createPrincipals(env.emulator, objects);
  await applyAll(env.plane.kubeConfig, objects);
  await clock.allReady(names, 30 * 60_000);
  log(`${entries} entries Ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  clock.stop();
  await controller.stop();
}

/** One restart under `setting`: the row of the table. */
async function measure(env: BenchEnvironment, setting: string): Promise<string> {
  const words = setting.split(' ').filter(Boolean);
  const variables = words.filter((word) => /^[A-Z_]+=/.test(word));
  const saved = { ...process.env };
  for (const variable of variables) process.env[variable.slice(0, variable.indexOf('='))] = variable.slice(variable.indexOf('=') + 1);
  process.env.BENCH_NODE_ARGS = words.filter((word) => !variables.includes(word)).join(' ');
  const describesBefore = env.emulator.calls.count('DescribeAccessEntry');
  let controller: RunningController | undefined;
  try {
    controller = await startController(env, { concurrency: 16, run });
    while (env.emulator.calls.count('DescribeAccessEntry') < describesBefore + entries) await sleep(200);
    await sleep(SETTLE_MS);
    const heap = await heapTotal(controller.metricsUrl);
    const row = `| ${setting === '' ? "the image's" : `\`${setting}\``} | ${(await controller.rssMiB()).toFixed(0)} MiB | ${mib(heap)} | ${(await controller.cpuSeconds()).toFixed(1)} s |`;
    log(row);
    return row;
  } finally {
    await controller?.stop();
    process.env = saved;
  }
}

async function heapTotal(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return Number(/^nodejs_heap_size_total_bytes (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}
