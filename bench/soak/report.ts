// What the soak prints: a progress line every ~10 s while it runs, and the summary at the end
// (what was done, what was injected, what was checked, and every failure by subject).
import type { AccessEntry } from '../../src/api/accessentry.ts';
import type { CallCounter } from '../../src/emulator/index.ts';
import { FAULT_OF, type ChaosCounts } from './chaos.ts';
import type { ControllerRun } from './controller.ts';
import { totalChecked, type CheckResult } from './invariants.ts';
import type { SoakModel } from './model.ts';

/** The injected kinds, and STS's codes for two of them (InternalFailure, Throttling). */
const FAULT_NAMES = new Set<string>([...Object.values(FAULT_OF), 'InternalFailure', 'Throttling']);
const n = (value: number): string => value.toLocaleString('en-US');
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Answers by how they ended, over every operation: { ok: 123, ThrottlingException: 4, ... }. */
export function outcomeTotals(calls: CallCounter): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const byResult of Object.values(calls.outcomes())) {
    for (const [result, count] of Object.entries(byResult ?? {})) totals[result] = (totals[result] ?? 0) + count;
  }
  return totals;
}

/** The injected faults among the answers (the soak sets no rate limit, so these are all injected). */
export function faultsInjected(calls: CallCounter): Record<string, number> {
  return Object.fromEntries([...FAULT_NAMES].map((fault) => [fault, calls.countResult(fault)]));
}

const sum = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);
const list = (record: Record<string, number>): string =>
  Object.entries(record)
    .filter(([, value]) => value > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([key, value]) => `${key} ${n(value)}`)
    .join(', ');

export interface ProgressInput {
  phase: string;
  elapsedMs: number;
  model: SoakModel;
  listed: readonly AccessEntry[];
  calls: CallCounter;
  chaos: ChaosCounts;
  runs: number;
  /** The Lease holder last seen; undefined without leader election. */
  leader: string | undefined;
}

export function progressLine({ phase, elapsedMs, model, listed, calls, chaos, runs, leader }: ProgressInput): string {
  const live = listed.filter((obj) => !obj.metadata.deletionTimestamp);
  const ready = live.filter((obj) => obj.status?.observedGeneration === obj.metadata.generation && obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const ops = model.counts;
  const total = (prefix: string): number => sum(Object.fromEntries(Object.entries(ops).filter(([key]) => key.startsWith(prefix))));
  return [
    `${s(elapsedMs).padStart(7)} ${phase}`,
    `resources ${live.length} live (${ready.length} Ready), ${listed.length - live.length} terminating`,
    `ops: ${total('edit')} edits, ${total('drift')} drifts, ${total('delete')} deletes, ${total('create')} creates`,
    `AWS calls ${n(calls.total())}, faults ${n(sum(faultsInjected(calls)))}`,
    `kills ${chaos.kills}, runs ${runs}, cuts ${chaos.cuts}`,
    ...(leader === undefined ? [] : [`leader ${leader || '(none yet)'}, hand-overs ${chaos.handOvers}`]),
  ].join(' | ');
}

export interface SummaryInput {
  passed: boolean;
  seed: number;
  durationMs: number;
  convergedAfterMs: number | undefined;
  convergeTimeoutMs: number;
  model: SoakModel;
  calls: CallCounter;
  chaos: ChaosCounts;
  runs: readonly ControllerRun[];
  /** Replicas and their Lease (namespace/name), when they elect a leader. */
  replicas: number;
  lease: string | undefined;
  result: CheckResult;
  controllerLog: string;
}

export function summary(input: SummaryInput): string {
  const { model, calls, chaos, result } = input;
  const made = [...model.resources.values()];
  const counts = (prefix: string): Record<string, number> =>
    Object.fromEntries(Object.entries(model.counts).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
  const lines = [
    `=== soak ${input.passed ? 'PASSED' : 'FAILED'} (seed ${input.seed}) ===`,
    `run: ${s(input.durationMs)} of chaos; ${input.convergedAfterMs === undefined ? `did NOT converge within ${s(input.convergeTimeoutMs)}` : `converged ${s(input.convergedAfterMs)} after the faults stopped`}`,
    `resources: ${made.length} made (${made.filter((r) => r.intruder).length} intruders on foreign principals), ${model.live().length} live at the end, ${model.deleted().length} deleted; ${model.foreign.size} foreign entries (${[...model.foreign.values()].filter((f) => f.managedBy).length} tagged by another controller)`,
    `workload: edits ${list(counts('edit:'))}`,
    `          drift in EKS ${list(counts('drift:'))}`,
    `          deletes ${list(counts('delete:'))}; creates ${n((model.counts.create ?? 0) + (model.counts['create:intruder'] ?? 0))}${model.workloadErrors.length ? `; ${model.workloadErrors.length} workload writes failed (first: ${model.workloadErrors[0]})` : ''}`,
    `chaos: faults injected ${n(sum(faultsInjected(calls)))} of ${n(calls.total())} AWS calls: ${list(faultsInjected(calls))}`,
    ...replicaLines(input),
    `       API server connections cut ${chaos.cuts} times (${chaos.blocks} with new connections refused for 1-4 s), ${n(chaos.connectionsCut)} connections`,
    `answers by outcome: ${list(outcomeTotals(calls))}`,
    `invariants checked: ${n(totalChecked(result))} (${list(result.checked)}); failed ${n(result.violations.length)}`,
    `controller log: ${input.controllerLog}`,
  ];
  return [...lines, ...failures(result)].join('\n');
}

function replicaLines({ chaos, runs, replicas, lease }: SummaryInput): string[] {
  const exits = `${runs.length} runs, ${chaos.unexpectedExits} exits of their own`;
  if (lease === undefined) return [`       controller SIGKILLed ${chaos.kills} times (${chaos.quickKills} within seconds of a start), ${exits}`];
  const lost = runs.filter((run) => run.lostLeadership !== undefined).length;
  return [
    `       ${replicas} replicas with leader election on Lease ${lease}: SIGKILLed ${chaos.kills} times (${chaos.leaderKills} the leader, ${chaos.standbyKills} a standby; ${chaos.quickKills} within seconds of a start), ${exits}`,
    `       leader SIGTERMed ${chaos.terminationsDuringLoss} times while cut off from the API server (losing the Lease while draining)`,
    `       leadership handed over ${chaos.handOvers} times (${chaos.handOversToOtherReplica} to another replica); ${lost} runs lost leadership they held`,
  ];
}

const MAX_SUBJECTS = 40;

function failures(result: CheckResult): string[] {
  const bySubject = new Map<string, string[]>();
  for (const v of result.violations) bySubject.set(v.subject, [...(bySubject.get(v.subject) ?? []), `${v.invariant}: ${v.detail}`]);
  const lines: string[] = [];
  for (const [subject, problems] of [...bySubject].slice(0, MAX_SUBJECTS)) lines.push(`FAILED ${subject}`, ...problems.map((p) => `  - ${p}`));
  if (bySubject.size > MAX_SUBJECTS) lines.push(`... and ${bySubject.size - MAX_SUBJECTS} more subjects`);
  return lines;
}
