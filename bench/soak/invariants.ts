// The invariants a soak must end with, each checked per resource, entry, principal or controller
// run; a failure names its subject and says what was expected and what was found.
import { isDeepStrictEqual } from 'node:util';
import type { AccessEntry, Condition } from '../../src/api/accessentry.ts';
import { MANAGED_BY_TAG, OWNER_TAG } from '../../src/api/names.ts';
import { clientRequestToken } from '../../src/controller/converge.ts';
import type { AccessEntryRecord, CallLogEntry, EmulatorState } from '../../src/emulator/index.ts';
import { createTookEffect, type WriteSpan } from './call-recorder.ts';
import { describeRun, type ControllerRun } from './controller.ts';
import type { SoakModel, TrackedResource } from './model.ts';
import { policyArnOf } from './specs.ts';
import { DRIFTED_USERNAME } from './workload.ts';

export interface Violation {
  /** The resource, principal or controller run it is about. */
  subject: string;
  invariant: string;
  detail: string;
}

export interface CheckResult {
  /** How many times each invariant was checked. */
  checked: Record<string, number>;
  violations: Violation[];
}

/** Collects checks: `expect(invariant, subject, holds, detail)` counts one and records it if it fails. */
class Checks implements CheckResult {
  readonly checked: Record<string, number> = {};
  readonly violations: Violation[] = [];

  expect(invariant: string, subject: string, holds: boolean, detail: () => string): boolean {
    this.checked[invariant] = (this.checked[invariant] ?? 0) + 1;
    if (!holds) this.violations.push({ subject, invariant, detail: detail() });
    return holds;
  }
}

export function mergeResults(...results: CheckResult[]): CheckResult {
  const merged = new Checks();
  for (const result of results) {
    for (const [invariant, n] of Object.entries(result.checked)) merged.checked[invariant] = (merged.checked[invariant] ?? 0) + n;
    merged.violations.push(...result.violations);
  }
  return merged;
}

export function totalChecked(result: CheckResult): number {
  return Object.values(result.checked).reduce((sum, n) => sum + n, 0);
}

export interface StateInput {
  model: SoakModel;
  /** The run's resources as the API server has them now. */
  listed: readonly AccessEntry[];
  state: EmulatorState;
  clusterName: string;
  controllerId: string;
  /** Principals some CreateAccessEntry took effect for. */
  createdPrincipals: ReadonlySet<string>;
}

/** Kubernetes and EKS as they must stand once converged. */
export function checkState(input: StateInput): CheckResult {
  const checks = new Checks();
  const listed = new Map(input.listed.map((obj) => [obj.metadata.name!, obj]));
  for (const resource of input.model.resources.values()) {
    const obj = listed.get(resource.name);
    const entry = input.state.getAccessEntry(input.clusterName, resource.principalArn);
    if (resource.deleted) checkDeleted(checks, resource, { obj, entry, created: input.createdPrincipals.has(resource.principalArn) });
    else if (resource.intruder) checkIntruder(checks, resource, obj);
    else checkLive(checks, resource, { obj, entry, controllerId: input.controllerId });
  }
  for (const foreign of input.model.foreign.values()) {
    const now = input.state.getAccessEntry(input.clusterName, foreign.principalArn);
    checks.expect('foreign entry unchanged', foreign.principalArn, isDeepStrictEqual(now, foreign.seeded), () => describeChange(foreign.seeded, now));
  }
  const known = new Set([...input.model.foreign.keys(), ...[...input.model.resources.values()].map((r) => r.principalArn)]);
  for (const entry of input.state.listAccessEntries(input.clusterName)) {
    checks.expect('no entry nobody asked for', entry.principalArn, known.has(entry.principalArn), () => `EKS holds ${entry.accessEntryArn}, which no resource or seed made`);
  }
  return checks;
}

interface LiveContext {
  obj: AccessEntry | undefined;
  entry: AccessEntryRecord | undefined;
  controllerId: string;
}

function checkLive(checks: Checks, resource: TrackedResource, { obj, entry, controllerId }: LiveContext): void {
  const subject = resource.name;
  if (!checks.expect('live resource exists', subject, obj !== undefined && !obj.metadata.deletionTimestamp, () => (obj ? 'is Terminating, though never deleted' : 'is gone from the API server, though never deleted'))) return;
  const ready = condition(obj!, 'Ready');
  const current = obj!.status?.observedGeneration === obj!.metadata.generation && ready?.observedGeneration === obj!.metadata.generation;
  checks.expect('Ready for its generation', subject, current && ready?.status === 'True', () => `generation ${obj!.metadata.generation}: ${describeStatus(obj!)}`);
  if (!checks.expect('entry exists', subject, entry !== undefined, () => `no EKS entry for ${resource.principalArn}`)) return;
  checkEntry(checks, { resource, spec: obj!.spec, entry: entry!, controllerId, assignedUsername: obj!.status?.assignedUsername });
  checks.expect('status names the entry', subject, obj!.status?.accessEntryArn === entry!.accessEntryArn, () => `status.accessEntryArn ${obj!.status?.accessEntryArn} but EKS has ${entry!.accessEntryArn}`);
}

interface EntryContext {
  resource: TrackedResource;
  spec: AccessEntry['spec'];
  entry: AccessEntryRecord;
  controllerId: string;
  /** What the status recorded EKS gave the entry while spec.username is unset. */
  assignedUsername: string | undefined;
}

function checkEntry(checks: Checks, { resource, spec, entry, controllerId, assignedUsername }: EntryContext): void {
  const subject = resource.name;
  const type = spec.type ?? 'STANDARD';
  checks.expect('type', subject, entry.type === type, () => `spec ${type}, EKS ${entry.type}`);
  if (type === 'STANDARD') {
    const groups = [...new Set(spec.kubernetesGroups ?? [])].sort();
    checks.expect('groups', subject, isDeepStrictEqual([...entry.kubernetesGroups].sort(), groups), () => `spec [${groups.join(', ')}], EKS [${entry.kubernetesGroups.join(', ')}]`);
  }
  if (spec.username !== undefined) checks.expect('username', subject, entry.username === spec.username, () => `spec ${spec.username}, EKS ${entry.username}`);
  else if (type === 'STANDARD') {
    // Unset: EKS's own choice, as recorded; never one set outside Git.
    const driftAllowed = resource.usernameDriftedUnrecorded === true;
    checks.expect('username (unset): EKS\'s own', subject, entry.username === assignedUsername && (driftAllowed || entry.username !== DRIFTED_USERNAME), () => `status.assignedUsername ${assignedUsername}, EKS ${entry.username}`);
  }
  const tags = { ...spec.tags, ...resource.outOfBandTags, [MANAGED_BY_TAG]: controllerId, [OWNER_TAG]: resource.name };
  checks.expect('tags (spec, ownership, and others\' kept)', subject, isDeepStrictEqual(sortedObject(entry.tags), sortedObject(tags)), () => `expected ${JSON.stringify(sortedObject(tags))}, EKS ${JSON.stringify(sortedObject(entry.tags))}`);
  const associated = entry.associatedPolicies.map(canonicalPolicy).sort();
  if (spec.accessPolicies !== undefined) {
    const declared = spec.accessPolicies.map((p) => canonicalPolicy({ policyArn: p.policyArn ?? policyArnOf(p.policy ?? ''), accessScope: { type: p.accessScope.type, namespaces: p.accessScope.namespaces ?? [] } })).sort();
    checks.expect('access policies as declared', subject, isDeepStrictEqual(associated, declared), () => `declared ${JSON.stringify(declared)}, EKS ${JSON.stringify(associated)}`);
  } else if (!resource.policiesEverDeclared) {
    const untouched = (resource.unmanagedAssociations ?? []).map(canonicalPolicy).sort();
    checks.expect('undeclared access policies untouched', subject, isDeepStrictEqual(associated, untouched), () => `never declared: expected the out-of-band set ${JSON.stringify(untouched)}, EKS ${JSON.stringify(associated)}`);
  }
}

interface DeletedContext {
  obj: AccessEntry | undefined;
  entry: AccessEntryRecord | undefined;
  /** Whether a create ever took effect for its principal. */
  created: boolean;
}

function checkDeleted(checks: Checks, resource: TrackedResource, { obj, entry, created }: DeletedContext): void {
  const subject = resource.name;
  checks.expect('deleted resource gone', subject, obj === undefined, () => `still on the API server${obj?.metadata.deletionTimestamp ? ' (Terminating)' : ''}: ${obj ? describeStatus(obj) : ''}`);
  if (resource.intruder) return; // its principal's entry is a foreign one, checked as such
  if (resource.deleted!.deletionPolicy !== 'Retain') {
    checks.expect('Delete: entry gone from EKS', subject, entry === undefined, () => `EKS still holds ${entry!.accessEntryArn} (tags ${JSON.stringify(entry!.tags)})`);
    return;
  }
  if (!created) {
    checks.expect('Retain: no entry was ever made', subject, entry === undefined, () => `EKS holds ${entry!.accessEntryArn} though no create took effect`);
    return;
  }
  if (!checks.expect('Retain: entry kept', subject, entry !== undefined, () => `no EKS entry for ${resource.principalArn}, though deletionPolicy was Retain`)) return;
  const ownership = [MANAGED_BY_TAG, OWNER_TAG].filter((key) => key in entry!.tags);
  checks.expect('Retain: ownership tags removed', subject, ownership.length === 0, () => `still tagged ${ownership.map((key) => `${key}=${entry!.tags[key]}`).join(', ')}`);
}

function checkIntruder(checks: Checks, resource: TrackedResource, obj: AccessEntry | undefined): void {
  if (!checks.expect('live resource exists', resource.name, obj !== undefined && !obj.metadata.deletionTimestamp, () => 'gone or Terminating, though never deleted')) return;
  const stalled = condition(obj!, 'Stalled');
  const holds = stalled?.status === 'True' && stalled.reason === 'NotOwned' && obj!.status?.observedGeneration === obj!.metadata.generation;
  checks.expect('intruder Stalled/NotOwned', resource.name, holds, () => `generation ${obj!.metadata.generation}: ${describeStatus(obj!)}`);
}

/**
 * No duplicate create: for each principal, the creates that took effect carry one token, derived
 * from the uid and a generation of the resource that asked for it.
 */
export function checkCreates(model: SoakModel, creates: readonly CallLogEntry[]): CheckResult {
  const checks = new Checks();
  const tokensByPrincipal = new Map<string, Set<string>>();
  for (const call of creates.filter(createTookEffect)) {
    const principal = call.principalArn ?? '(none)';
    tokensByPrincipal.set(principal, (tokensByPrincipal.get(principal) ?? new Set()).add(call.clientRequestToken ?? '(none)'));
  }
  for (const [principal, tokens] of tokensByPrincipal) {
    const origins = [...tokens].map((token) => ({ token, origin: originOf(model.byPrincipal(principal), token) }));
    const unknown = origins.filter((o) => o.origin === undefined);
    checks.expect(
      'one create token per (uid, generation)',
      principal,
      tokens.size === 1 && unknown.length === 0,
      () => `creates took effect with ${tokens.size} token(s): ${origins.map((o) => `${o.token} → ${o.origin ?? 'no (uid, generation) of a resource for this principal'}`).join('; ')}`,
    );
  }
  return checks;
}

/** The call log was read in full: every CreateAccessEntry the emulator counted was seen. */
export function checkCallLog(recorded: number, counted: number, gaps: number): CheckResult {
  const checks = new Checks();
  checks.expect('call log complete', 'emulator call log', gaps === 0 && recorded === counted, () => `${recorded} CreateAccessEntry calls read, ${counted} counted, ${gaps} gaps`);
  return checks;
}

function originOf(resources: readonly TrackedResource[], token: string): string | undefined {
  for (const resource of resources) {
    for (const generation of resource.generations) {
      if (clientRequestToken({ apiVersion: '', kind: '', metadata: { uid: resource.uid, generation }, spec: resource.spec }, resource.principalArn) === token) return `${resource.name} (uid ${resource.uid}, generation ${generation})`;
    }
  }
  return undefined;
}

/** A run the soak cut off while it drained, which then stopped on losing the Lease (exit 1). */
function lostWhileDraining(run: ControllerRun): boolean {
  return run.lossInduced === true && run.exit?.code === 1 && run.lostLeadership !== undefined;
}

const CRASH_PATTERN = /unhandled ?rejection|uncaught ?exception|ERR_UNHANDLED|FATAL ERROR|heap out of memory|^\s+at .+:\d+:\d+\)?$/im;

/**
 * The controller never ended on its own: every run ended by the soak's signal and wrote no crash
 * to stderr. With leader election, no run lost leadership it held: the timings (leadership.ts)
 * are chosen so that the chaos cannot make a healthy leader miss its renew deadline.
 */
export function checkRuns(runs: readonly ControllerRun[], { leaderElection }: { leaderElection: boolean }): CheckResult {
  const checks = new Checks();
  for (const run of runs) {
    const subject = `controller ${describeRun(run)}`;
    const exit = run.exit;
    const ours = run.sent === 'SIGKILL' ? exit?.signal === 'SIGKILL' : run.sent === 'SIGTERM' && (exit?.code === 0 || lostWhileDraining(run));
    checks.expect('exit was the soak\'s doing', subject, ours, () => `${run.sent ? `sent ${run.sent}, ` : 'nothing sent, '}${exit ? `exited with code ${String(exit.code)}, signal ${String(exit.signal)}` : 'still running'}; stderr: ${tail(run.stderr)}`);
    checks.expect('stderr has no crash', subject, !CRASH_PATTERN.test(run.stderr), () => tail(run.stderr));
    if (!leaderElection) continue;
    if (run.lossInduced) {
      // Cut off while draining: drained in time, or stopped at once on the loss; never drained on.
      checks.expect('a loss while draining stops it at once', subject, run.lostLeadership === undefined || exit?.code === 1, () => `logged: ${run.lostLeadership}, exit ${String(exit?.code)}`);
    } else {
      checks.expect('never lost leadership it held', subject, run.lostLeadership === undefined, () => `logged: ${run.lostLeadership}`);
    }
  }
  return checks;
}

/**
 * Only the leader writes: the spans from each process's first write to EKS to the end of its last
 * (arrival and answer times in the emulator's log) never overlap. A standby that wrote, or a
 * deposed leader still writing after another took over, shows as two spans overlapping.
 */
export function checkWriters(spans: readonly WriteSpan[]): CheckResult {
  const checks = new Checks();
  const ordered = [...spans].sort((a, b) => a.firstMs - b.firstMs);
  ordered.forEach((span, i) => {
    const overlapping = ordered.slice(0, i).filter((earlier) => earlier.lastEndMs > span.firstMs);
    checks.expect(
      'one writer at a time',
      `writer ${span.identity}`,
      span.identity !== '(unknown)' && overlapping.length === 0,
      () => `${span.writes} writes from ${new Date(span.firstMs).toISOString()} to ${new Date(span.lastEndMs).toISOString()}${overlapping.map((o) => `; ${o.identity} wrote until ${new Date(o.lastEndMs).toISOString()}`).join('')}`,
    );
  });
  return checks;
}

function condition(obj: AccessEntry, type: string): Condition | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

function describeStatus(obj: AccessEntry): string {
  const conditions = (obj.status?.conditions ?? []).map((c) => `${c.type}=${c.status} ${c.reason} (gen ${c.observedGeneration}): ${c.message}`);
  return `observedGeneration ${obj.status?.observedGeneration}; ${conditions.join('; ') || 'no conditions'}`;
}

function canonicalPolicy(policy: { policyArn: string; accessScope: { type: string; namespaces?: readonly string[] } }): string {
  const namespaces = policy.accessScope.type === 'namespace' ? [...new Set(policy.accessScope.namespaces ?? [])].sort() : [];
  return `${policy.policyArn.slice(policy.policyArn.lastIndexOf('/') + 1)}:${policy.accessScope.type}${namespaces.length ? `[${namespaces.join(',')}]` : ''}`;
}

function sortedObject(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function describeChange(seeded: AccessEntryRecord, now: AccessEntryRecord | undefined): string {
  if (now === undefined) return 'deleted';
  const fields = (Object.keys(seeded) as (keyof AccessEntryRecord)[]).filter((key) => !isDeepStrictEqual(seeded[key], now[key]));
  return fields.map((key) => `${key}: ${JSON.stringify(seeded[key])} → ${JSON.stringify(now[key])}`).join('; ');
}

function tail(text: string, lines = 8): string {
  const kept = text.trim().split('\n').slice(-lines).join('\n');
  return kept === '' ? '(empty)' : kept;
}
