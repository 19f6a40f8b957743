// npm run bench [-- --full] [-- --only SECTION,...]: the controller's speed and footprint, against
// a real API server and the EKS emulator, each figure beside a baseline or target measured in the
// same run. A whole run rewrites BENCHMARKS.md's table; --only merges its rows into it.
import { parseArgs } from 'node:util';
import { IMAGE_BUILD, UNBUNDLED_BUILD } from './controller-process.ts';
import { startEnvironment } from './environment.ts';
import { iamRows } from './iam-rows.ts';
import { memoryRows, scaleMemoryRow } from './memory-rows.ts';
import { mergeBenchmarks, table, writeBenchmarks, type Row } from './report.ts';
import { atScale, createMany, idleLatency, underRateLimit, type CreateFigures, type RestartFigures, type ScaleFigures } from './scenarios.ts';

const SECTIONS = ['memory', 'throughput', 'latency', 'scale', 'iam', 'budget'] as const;
type Section = (typeof SECTIONS)[number];
const { values } = parseArgs({ options: { full: { type: 'boolean', default: false }, only: { type: 'string' } } });
const full = values.full;
const only = values.only?.split(',') ?? [...SECTIONS];
const unknown = only.filter((name) => !(SECTIONS as readonly string[]).includes(name));
if (unknown.length > 0) throw new Error(`--only ${unknown.join(',')}: the sections are ${SECTIONS.join(', ')}`);
const LATENCY_MS = 50;
const profile = full
  ? { create: 1000, concurrencies: [4, 16, 32], idle: 1000, edits: 50, scales: [100, 1000, 10000], resync: [5, 10, 60], budget: 300, idleStarts: 3, peakRuns: 2 }
  : { create: 300, concurrencies: [4, 16], idle: 300, edits: 20, scales: [300], resync: [2], budget: 100, idleStarts: 3, peakRuns: 1 };
/** The memory targets' scenarios; the largest scale is restarted under each build, to compare them. */
const MEMORY = { creates: 1000, concurrency: 16, scale: 10000, resyncs: 5 };
const COMPARED = [IMAGE_BUILD, UNBUNDLED_BUILD];
/** The IAM scenario: entries of one account, roles besides theirs in it, the resync period and how many are counted. */
const IAM = { entries: 1000, otherRoles: 1500, resyncSeconds: 10, resyncs: 3 };

const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Idle and at its peak while creating entries, each build compared. */
async function memory(): Promise<Row[]> {
  log(`memory and start-up: idle (${profile.idleStarts} starts of each build), then ${MEMORY.creates} new entries at concurrency ${MEMORY.concurrency}`);
  return memoryRows(env, COMPARED, { idleStarts: profile.idleStarts, peakRuns: profile.peakRuns, creates: MEMORY.creates, concurrency: MEMORY.concurrency, latencyMs: LATENCY_MS });
}

/** N new entries at each concurrency, beside the SDK floor. */
async function throughput(): Promise<Row[]> {
  const rows: Row[] = [];
  const creates: CreateFigures[] = [];
  for (const concurrency of profile.concurrencies) {
    log(`${profile.create} new entries at concurrency ${concurrency}, ${LATENCY_MS} ms per AWS call`);
    const f = await createMany(env, { count: profile.create, concurrency, latencyMs: LATENCY_MS });
    creates.push(f);
    const ratio = f.allReadyMs / f.baselineMs;
    rows.push({
      figure: `${f.count} new entries all Ready, concurrency ${concurrency}`,
      value: `${s(f.allReadyMs)} = ${ratio.toFixed(2)} × the SDK floor (${s(f.baselineMs)}); ${f.callsPerEntry.toFixed(2)} AWS calls per entry; controller ${f.cpuSeconds.toFixed(1)} CPU s, ${f.rssMiB.toFixed(0)} MiB`,
      ...(concurrency === 16 ? { target: '≤ 4 × the floor', met: ratio <= 4 } : {}),
    });
  }
  const rates = creates.map((f) => f.count / (f.allReadyMs / 1000));
  rows.push({
    figure: `throughput by concurrency (${profile.concurrencies.join(' → ')})`,
    value: rates.map((r) => `${r.toFixed(0)}/s`).join(' → '),
    target: 'grows with each step',
    met: rates.every((rate, i) => i === 0 || rate > rates[i - 1]!),
  });
  return rows;
}

/** Single changes while many entries sit in sync. */
async function latency(): Promise<Row[]> {
  const rows: Row[] = [];
  log(`latency of single changes over ${profile.idle} idle entries`);
  const idle = await idleLatency(env, profile.idle, profile.edits, LATENCY_MS);
  rows.push({ figure: `first Ready of a new entry (${idle.idleEntries} idle), less AWS latency`, value: `${idle.firstReadyMs.toFixed(0)} ms`, target: '≤ 1,000 ms', met: idle.firstReadyMs <= 1000 });
  rows.push({
    figure: `spec edit to Ready (${idle.edits} edits, ${idle.idleEntries} idle), less AWS latency`,
    value: `p50 ${idle.editP50Ms.toFixed(0)} ms, p99 ${idle.editP99Ms.toFixed(0)} ms`,
    target: 'p99 ≤ 1,000 ms',
    met: idle.editP99Ms <= 1000,
  });
  return rows;
}

/** Converge, restart and hold at each scale; the largest restarted under each build compared. */
async function scale(): Promise<Row[]> {
  const rows: Row[] = [];
  const scales: ScaleFigures[] = [];
  for (const [i, entries] of profile.scales.entries()) {
    log(`${entries} entries: converge, restart, hold`);
    const f = await atScale(env, { entries, resyncSeconds: profile.resync[i]!, resyncs: MEMORY.resyncs, builds: entries === MEMORY.scale ? COMPARED : [IMAGE_BUILD] });
    scales.push(f);
    const [shipped, baseline] = f.restarts as [RestartFigures, RestartFigures | undefined];
    rows.push({
      figure: `${entries} entries: converge (no latency); restarted controller's sync; RSS after ${f.resyncs} resyncs`,
      value: `${s(f.convergeMs)} (${(f.convergeMs / entries).toFixed(1)} ms/entry, ${f.callsPerEntry.toFixed(2)} calls/entry); sync ${s(shipped.syncMs)}; ${shipped.rssMiB.toFixed(0)} MiB`,
      ...(entries === 10000 ? { target: 'sync ≤ 5 s', met: shipped.syncMs <= 5000 } : {}),
    });
    rows.push({
      figure: `${entries} entries in steady state, ${f.resyncs} resyncs`,
      value: `${shipped.readsPerEntryPerResync.toFixed(2)} Describes per entry per resync; ${shipped.awsWrites} AWS writes; ${shipped.kubeWrites} Kubernetes writes; ${shipped.cpuPerResync.toFixed(2)} CPU s per resync`,
      target: '1 read per entry per resync, no writes',
      met: Math.abs(shipped.readsPerEntryPerResync - 1) < 0.05 && shipped.awsWrites === 0 && shipped.kubeWrites === 0,
    });
    if (baseline) rows.push(scaleMemoryRow(entries, f.resyncs, shipped, baseline));
  }
  if (scales.length > 1) {
    // The cost of each step up, per entry added: a fixed start-up cost would make the plain
    // average fall with scale and hide a cost that grows.
    const marginal = scales.slice(1).map((f, i) => (f.convergeMs - scales[i]!.convergeMs) / (f.entries - scales[i]!.entries));
    rows.push({
      figure: `cost per entry added, by scale step (${profile.scales.join(' → ')})`,
      value: `${marginal.map((ms) => `${ms.toFixed(1)} ms`).join(' → ')}; RSS ${scales.map((f) => `${f.restarts[0]!.rssMiB.toFixed(0)}`).join(' → ')} MiB`,
      target: 'linear: no step costs over 1.5 × the one before',
      met: marginal.every((ms, i) => i === 0 || ms <= 1.5 * marginal[i - 1]!),
    });
  }
  return rows;
}

/** IAM reads per resync over many entries of one account. */
async function iam(): Promise<Row[]> {
  log(`${IAM.entries} entries of one account holding ${IAM.entries + IAM.otherRoles} roles: IAM reads per resync, ListRoles and GetRole`);
  return iamRows(env, IAM);
}

/** New entries against an EKS rate limit, the controller budgeted the same. */
async function budget(): Promise<Row[]> {
  const rows: Row[] = [];
  log(`${profile.budget} new entries against an EKS rate limit of 10 requests/s`);
  const budget = await underRateLimit(env, profile.budget, 10);
  const budgetRatio = budget.allReadyMs / budget.floorMs;
  const throttleShare = budget.throttles / budget.calls;
  rows.push({
    figure: `${budget.entries} new entries, EKS limited to ${budget.rate} requests/s, the controller budgeted the same`,
    value: `${s(budget.allReadyMs)} = ${budgetRatio.toFixed(2)} × the floor (${s(budget.floorMs)}); ${budget.throttles} throttled of ${budget.calls} calls (${(throttleShare * 100).toFixed(1)} %)`,
    target: '≤ 1.2 × the floor; throttles < 1 %',
    met: budgetRatio <= 1.2 && throttleShare < 0.01,
  });
  return rows;
}

const RUN: Record<Section, () => Promise<Row[]>> = { memory, throughput, latency, scale, iam, budget };
const env = await startEnvironment(log);
const rows: Row[] = [];
try {
  for (const section of SECTIONS) if (only.includes(section)) rows.push(...(await RUN[section]()));
} finally {
  await env.close();
}
process.stdout.write(`${table(rows)}\n`);
const command = `npm run bench --${full ? ' --full' : ''}${values.only === undefined ? '' : ` --only ${values.only}`}`.replace(/ --$/, '');
const path = values.only === undefined ? await writeBenchmarks(rows, command, full ? 'full' : 'quick') : await mergeBenchmarks(rows, command);
log(`${values.only === undefined ? 'wrote' : 'merged into'} ${path}`);
