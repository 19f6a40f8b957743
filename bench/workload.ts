// The resources a benchmark applies, and the clock that tells when each became Ready.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { AccessEntry } from '../src/api/accessentry.ts';
import type { RunningEmulator } from '../src/emulator/index.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL } from '../src/api/names.ts';
import { watchAccessEntries, type AccessEntryWatch } from '../src/controller/watch.ts';
import { CLUSTER } from './environment.ts';
import { RUN_LABEL } from './controller-process.ts';

export const ACCOUNT = '123456789012';
export const principalOf = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;

/** Runs `task` over `items`, `limit` at a time. */
export async function inParallel<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Watches one run's AccessEntries and notes, per name, when it was first seen Ready for its
 * current generation (performance.now() milliseconds).
 */
export class ReadyClock {
  readonly readyAt = new Map<string, number>();
  readonly #watch: AccessEntryWatch;
  readonly #waiters: { names: readonly string[]; resolve: () => void }[] = [];

  /** `onModified` hears of every modification (a write someone made), for counting writes. */
  constructor(kc: KubeConfig, run: string, onModified?: () => void) {
    this.#watch = watchAccessEntries(kc, {
      labelSelector: `${RUN_LABEL}=${run}`,
      log: pino({ level: 'silent' }),
      onChange: (change) => {
        if (change.type === 'modified') onModified?.();
        this.#seen(change.object);
      },
    });
  }

  start(): Promise<void> {
    return this.#watch.start();
  }

  stop(): void {
    this.#watch.stop();
  }

  /** Forgets when `names` were Ready, so an edit can be timed. */
  reset(names: readonly string[]): void {
    for (const name of names) this.readyAt.delete(name);
  }

  /** Resolves once every name was seen Ready; rejects after `timeoutMs`. */
  async allReady(names: readonly string[], timeoutMs: number): Promise<void> {
    if (names.every((name) => this.readyAt.has(name))) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const missing = names.filter((name) => !this.readyAt.has(name)).length;
        reject(new Error(`${missing} of ${names.length} AccessEntries were not Ready after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push({ names, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  #seen(object: { metadata: { name?: string; generation?: number }; status?: { observedGeneration?: number; conditions?: readonly { type: string; status: string }[] } }): void {
    const name = object.metadata.name;
    if (!name || this.readyAt.has(name)) return;
    const ready = object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (!ready || object.status?.observedGeneration !== object.metadata.generation) return;
    this.readyAt.set(name, performance.now());
    for (const waiter of [...this.#waiters]) {
      if (waiter.names.every((n) => this.readyAt.has(n))) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}

/** AccessEntry manifests for one run, distinct principals, a group and a tag each. */
export function manifests(run: string, count: number, prefix = 'e'): AccessEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `${run}-${prefix}${i}`;
    return {
      apiVersion: API_GROUP_VERSION,
      kind: KIND,
      metadata: { name, labels: { [RUN_LABEL]: run } },
      spec: { clusterName: CLUSTER, principalArn: principalOf(name), kubernetesGroups: ['team'], tags: { bench: run } },
    };
  });
}

/**
 * Makes the principals of `objects` in the emulator's IAM, as they exist in AWS before anyone
 * writes an access entry for them. Left to the emulator, each would be made by its entry's
 * create, after the controller had looked it up: the controller would record its id only on its
 * next pass, a status write per entry that AWS would not cause.
 */
export function createPrincipals(emulator: RunningEmulator, objects: readonly AccessEntry[]): void {
  for (const object of objects) emulator.state.iam.createRole({ roleName: object.metadata.name! });
}

export async function applyAll(kc: KubeConfig, objects: readonly AccessEntry[], limit = 32): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  await inParallel(objects, limit, async (body) => {
    await api.createClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: PLURAL, body });
  });
}

export async function patchGroups(kc: KubeConfig, name: string, groups: string[]): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).patchClusterCustomObject(
    { group: API_GROUP, version: API_VERSION, plural: PLURAL, name, body: { spec: { kubernetesGroups: groups } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** Removes a run's objects without a controller (their finalizers are dropped first). */
export async function deleteRun(kc: KubeConfig, names: readonly string[]): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  await inParallel(names, 32, async (name) => {
    const target = { group: API_GROUP, version: API_VERSION, plural: PLURAL, name };
    await api.patchClusterCustomObject({ ...target, body: { metadata: { finalizers: null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)).catch(() => undefined);
    await api.deleteClusterCustomObject(target).catch(() => undefined);
  });
}
