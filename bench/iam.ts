// What checking principals costs IAM: the reads per resync at scale, in one account, both ways the
// controller can read them (ListRoles, a thousand roles a page, once per account per resync; or
// GetRole once per role per resync), on the same entries.
import { setTimeout as sleep } from 'node:timers/promises';
import { startController, type RunningController } from './controller-process.ts';
import type { BenchEnvironment } from './environment.ts';
import { applyAll, createPrincipals, deleteRun, manifests, principalOf, ReadyClock } from './workload.ts';

const IAM_OPERATIONS = ['GetRole', 'GetUser', 'ListRoles'] as const;
const READY_TIMEOUT_MS = 20 * 60_000;

export interface IamWay {
  /** How the controller was told to read: `--iam-list-roles-from`. */
  listRolesFrom: number;
  /** Per resync, over the whole account: IAM calls by operation. */
  callsPerResync: Record<(typeof IAM_OPERATIONS)[number], number>;
  /** Per resync: the time the emulator spent answering them, summed (ms). */
  iamMsPerResync: number;
  /** Controller CPU seconds per resync (EKS and Kubernetes included). */
  cpuSecondsPerResync: number;
  /** EKS Describes per entry per resync, for scale. */
  describesPerEntry: number;
}

export interface IamFigures {
  entries: number;
  /** Roles in the account: the entries' and others, as a real account has. */
  rolesInAccount: number;
  resyncs: number;
  ways: IamWay[];
}

/**
 * `entries` AccessEntries whose roles exist in one account that holds `otherRoles` more, converged
 * once; then, for each way of reading IAM, a controller started afresh holds them over `resyncs`
 * resync periods and the IAM calls it makes are counted.
 */
export async function iamPerResync(env: BenchEnvironment, { entries, otherRoles, resyncSeconds, resyncs }: { entries: number; otherRoles: number; resyncSeconds: number; resyncs: number }): Promise<IamFigures> {
  const run = `iam-${Date.now().toString(36)}`;
  const objects = manifests(run, entries);
  const names = objects.map((o) => o.metadata.name!);
  createPrincipals(env.emulator, objects);
  for (let i = 0; i < otherRoles; i++) env.emulator.state.iam.createRole({ roleName: `${run}-other-${i}`, path: '/workloads/' });
  const clock = new ReadyClock(env.plane.kubeConfig, run);
  await clock.start();
  let controller: RunningController | undefined = await startController(env, { concurrency: 16, run, resync: '10m' });
  try {
    await applyAll(env.plane.kubeConfig, objects);
    await clock.allReady(names, READY_TIMEOUT_MS);
    await controller.stop();
    controller = undefined;
    const ways: IamWay[] = [];
    for (const listRolesFrom of [10, 0]) {
      controller = await startController(env, { concurrency: 16, run, resync: `${resyncSeconds}s`, extraArgs: ['--iam-list-roles-from', String(listRolesFrom)] });
      ways.push(await hold(env, controller, { entries, resyncSeconds, resyncs, listRolesFrom }));
      await controller.stop();
      controller = undefined;
    }
    return { entries, rolesInAccount: entries + otherRoles, resyncs, ways };
  } finally {
    clock.stop();
    await controller?.stop();
    await deleteRun(env.plane.kubeConfig, names);
    for (const name of names) env.emulator.state.iam.deleteRole(name);
    for (let i = 0; i < otherRoles; i++) env.emulator.state.iam.deleteRole(`${run}-other-${i}`);
  }
}

/**
 * Waits for the restarted controller's first pass over every entry (its cache starts cold), then
 * counts over `resyncs` periods: from half a period on, each entry is checked exactly `resyncs`
 * times whatever its jitter (bench/scenarios.ts, atScale, says why).
 */
async function hold(env: BenchEnvironment, controller: RunningController, { entries, resyncSeconds, resyncs, listRolesFrom }: { entries: number; resyncSeconds: number; resyncs: number; listRolesFrom: number }): Promise<IamWay> {
  const describesAtStart = env.emulator.calls.count('DescribeAccessEntry');
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (env.emulator.calls.count('DescribeAccessEntry') < describesAtStart + entries) {
    if (performance.now() > deadline) throw new Error('timed out waiting for the restarted controller to re-check every entry');
    await sleep(100);
  }
  await sleep(resyncSeconds * 500);
  const since = new Date().toISOString();
  const counts = (): number[] => ['DescribeAccessEntry' as const, ...IAM_OPERATIONS].map((op) => env.emulator.calls.count(op));
  const before = counts();
  const cpu = await controller.cpuSeconds();
  await sleep(resyncs * resyncSeconds * 1000);
  const [describes = 0, ...iamCalls] = counts().map((n, i) => n - before[i]!);
  // The call log keeps the last 10,000 calls: enough for the time of 3 resyncs of 1,000 entries.
  const iam = env.emulator.calls.log().filter((call) => call.time >= since && (IAM_OPERATIONS as readonly string[]).includes(call.operation));
  const per = (n: number): number => n / resyncs;
  return {
    listRolesFrom,
    callsPerResync: Object.fromEntries(IAM_OPERATIONS.map((op, i) => [op, per(iamCalls[i] ?? 0)])) as IamWay['callsPerResync'],
    iamMsPerResync: per(iam.reduce((sum, call) => sum + call.ms, 0)),
    cpuSecondsPerResync: per((await controller.cpuSeconds()) - cpu),
    describesPerEntry: per(describes) / entries,
  };
}

export { principalOf };
