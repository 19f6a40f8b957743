// The memory and start-up rows of `npm run bench`: each build compared, the image's first, beside
// bare Node and against the targets of issue 20.
import type { ControllerBuild } from './controller-process.ts';
import type { BenchEnvironment } from './environment.ts';
import { bareNodeRssMiB, idleStarts, median, SETTLE_MS, spread } from './footprint.ts';
import type { Row } from './report.ts';
import { createMany, type RestartFigures } from './scenarios.ts';

export const TARGETS = { idleMiB: 80, peakCreatingMiB: 110, scaleMiB: 150 };

export interface MemoryProfile {
  idleStarts: number;
  /** Runs of the creation of `creates` entries per build. */
  peakRuns: number;
  creates: number;
  concurrency: number;
  latencyMs: number;
}

/** `compared[0]` is the build the targets are for; the others are its baselines. */
export async function memoryRows(env: BenchEnvironment, compared: readonly ControllerBuild[], profile: MemoryProfile): Promise<Row[]> {
  const [shipped, ...baselines] = compared as [ControllerBuild, ...ControllerBuild[]];
  const bare = await bareNodeRssMiB(shipped);
  const idle = await idleStarts(env, compared, profile.idleStarts);
  const peaks = compared.map(() => ({ peak: [] as number[], cpu: [] as number[] }));
  for (let run = 0; run < profile.peakRuns; run++) {
    for (const [i, build] of compared.entries()) {
      const f = await createMany(env, { count: profile.creates, concurrency: profile.concurrency, latencyMs: profile.latencyMs, build });
      peaks[i]!.peak.push(f.peakRssMiB);
      peaks[i]!.cpu.push(f.cpuSeconds);
    }
  }
  const against = (values: number[][], unit: string, digits = 0): string =>
    baselines
      .map((build, i) => `${build.name}: ${spread(values[i + 1]!, unit, digits)}, so ${(median(values[0]!) / median(values[i + 1]!)).toFixed(2)} ×`)
      .join('; ');
  const idleRss = idle.map((f) => f.rssMiB);
  const ready = idle.map((f) => f.readyMs);
  const peak = peaks.map((p) => p.peak);
  return [
    { figure: 'bare Node, nothing loaded (the image\'s flags and environment)', value: `${bare.toFixed(0)} MiB` },
    {
      figure: `idle controller, no entries: RSS ${SETTLE_MS / 1000} s after Ready (median and range of ${profile.idleStarts})`,
      value: `${spread(idleRss[0]!, 'MiB')} = ${(median(idleRss[0]!) / bare).toFixed(2)} × bare Node; ${against(idleRss, 'MiB')}`,
      target: `≤ ${TARGETS.idleMiB} MiB`,
      met: median(idleRss[0]!) <= TARGETS.idleMiB,
    },
    {
      figure: 'start-up to Ready, no entries (spawn to the first 200 of /readyz)',
      value: `${spread(ready[0]!, 'ms')}; ${against(ready, 'ms')}`,
      target: 'no slower than the unbundled build',
      met: baselines.every((_, i) => median(ready[0]!) <= median(ready[i + 1]!)),
    },
    {
      figure: `${profile.creates} new entries at concurrency ${profile.concurrency}: peak RSS from the first apply to the last Ready${profile.peakRuns > 1 ? ` (median and range of ${profile.peakRuns})` : ''}`,
      value: `${spread(peak[0]!, 'MiB')}; ${against(peak, 'MiB')}; controller CPU ${spread(peaks[0]!.cpu, 's', 1)}, ${against(peaks.map((p) => p.cpu), 's', 1)}`,
      target: `≤ ${TARGETS.peakCreatingMiB} MiB`,
      met: median(peak[0]!) <= TARGETS.peakCreatingMiB,
    },
  ];
}

/** The largest scale's memory row: the image's build after the resyncs, against the baseline's. */
export function scaleMemoryRow(entries: number, resyncs: number, shipped: RestartFigures, baseline: RestartFigures): Row {
  return {
    figure: `${entries} entries, restarted, after ${resyncs} resyncs: RSS; CPU per resync`,
    value:
      `${shipped.rssMiB.toFixed(0)} MiB, ${shipped.cpuPerResync.toFixed(2)} CPU s per resync; ` +
      `${baseline.build.name}: ${baseline.rssMiB.toFixed(0)} MiB, ${baseline.cpuPerResync.toFixed(2)} CPU s, so ${(shipped.rssMiB / baseline.rssMiB).toFixed(2)} × and ${(shipped.cpuPerResync / baseline.cpuPerResync).toFixed(2)} ×`,
    target: `RSS ≤ ${TARGETS.scaleMiB} MiB; CPU per resync ≤ the unbundled build's`,
    met: shipped.rssMiB <= TARGETS.scaleMiB && shipped.cpuPerResync <= baseline.cpuPerResync,
  };
}
