import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AccessEntry } from '../api/accessentry.ts';
import { API_GROUP, API_VERSION, KIND, PLURAL } from '../api/names.ts';
import { kubeCall } from '../kube/errors.ts';
import { ListWatchInformer, type CachedObject, type ListPage, type ObjectList } from '../kube/list-watch.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { isNotServed, NOT_INSTALLED_RECHECK_MS, notInstalledMessage } from './not-installed.ts';

export { NOT_INSTALLED_RECHECK_MS } from './not-installed.ts';

/** An object graph that may be read but not changed (functions and dates left as they are). */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends Date
    ? T
    : T extends readonly (infer Item)[]
      ? readonly DeepReadonly<Item>[]
      : T extends object
        ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
        : T;

/** An object of a watched kind: the watch needs only its metadata. */
export type WatchedObject = CachedObject;

/** An AccessEntry as the watch cache holds it: shared with every reader, so never mutated. */
export type ReadonlyAccessEntry = DeepReadonly<AccessEntry>;

export interface ObjectWatch<T extends WatchedObject> {
  /** Starts watching; resolves once the first list is in the cache. Rejects if stop() comes first. */
  start(): Promise<void>;
  /** Stops watching for good: no restart, no reconnect, no timer left behind. */
  stop(): void;
  /** The cached objects. They are the cache's own: copy before changing anything. */
  list(): readonly DeepReadonly<T>[];
  /** The cached object of that name. It is the cache's own: copy before changing anything. */
  get(name: string): DeepReadonly<T> | undefined;
  hasSynced(): boolean;
  /** Since when the watch has been failing (restarts not getting it back), or undefined while it works. */
  failingSince(): { at: number; error: unknown } | undefined;
  /**
   * What to do when the API server does not serve the kind (its CRD is not installed), or
   * undefined when it does. Meanwhile the watch counts as synced with no objects, and checks again
   * every NOT_INSTALLED_RECHECK_MS, so installing the CRD later needs no restart.
   */
  notInstalled(): string | undefined;
}

export type AccessEntryWatch = ObjectWatch<AccessEntry>;

/** What happened to one object, as the watch reports it. */
export type ObjectChange<T extends WatchedObject> =
  /** Named by a (re)list: it may have changed in any way while nothing watched it. */
  | { type: 'listed'; object: DeepReadonly<T> }
  | { type: 'added'; object: DeepReadonly<T> }
  | { type: 'modified'; object: DeepReadonly<T>; previous: DeepReadonly<T> }
  | { type: 'deleted'; object: DeepReadonly<T> };

export type AccessEntryChange = ObjectChange<AccessEntry>;

/** The informer this watch restarts (ListWatchInformer); unit tests pass a fake. */
export interface ObjectInformer<T extends WatchedObject> {
  on(verb: 'add' | 'delete', callback: (obj: T) => void): void;
  on(verb: 'update', callback: (obj: T, previous: T) => void): void;
  on(verb: 'error', callback: (err: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  get(name: string): T | undefined;
  list(): readonly T[];
}

export type AccessEntryInformer = ObjectInformer<AccessEntry>;

/**
 * Makes the informer. It must call `onListed` each time a list has succeeded, just before the
 * listed objects go into its cache.
 */
export type InformerFactory<T extends WatchedObject = AccessEntry> = (onListed: () => void) => ObjectInformer<T>;

export interface WatchOptions<T extends WatchedObject> {
  /** Told of every object that changed, and of every one listed. Must not throw. */
  onChange: (change: ObjectChange<T>) => void;
  log: Logger;
  /** Watch only objects with these labels (a Kubernetes label selector), e.g. to shard. */
  labelSelector?: string;
  /** Delays between restarts of a failed watch. Defaults to 500 ms doubling up to 30 s. */
  restartBackoff?: BackoffOptions;
  /** For tests; the default is our informer over client-node's Watch, for this kubeconfig. */
  informerFactory?: InformerFactory<T>;
}

export type WatchAccessEntriesOptions = WatchOptions<AccessEntry>;

/** A cluster-scoped custom resource to watch: its kind (for messages) and plural. */
export interface WatchedKind {
  kind: string;
  plural: string;
}

const DEFAULT_RESTART_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };
/** A watch that stayed up this long failed afresh: its next restart starts at the base delay. */
const STABLE_AFTER_MS = 60_000;

export const ACCESS_ENTRIES_PATH = pathOf(PLURAL);
const ACCESS_ENTRIES: WatchedKind = { kind: KIND, plural: PLURAL };

export function watchAccessEntries(kc: KubeConfig, opts: WatchAccessEntriesOptions): AccessEntryWatch {
  return watchObjects(kc, ACCESS_ENTRIES, opts);
}

/** Watches every object of a cluster-scoped kind of this API group, restarting as needed. */
export function watchObjects<T extends WatchedObject>(kc: KubeConfig, kind: WatchedKind, opts: WatchOptions<T>): ObjectWatch<T> {
  return new RestartingWatch(kind, opts.informerFactory ?? clientNodeInformer<T>(kc, kind, opts.labelSelector), opts);
}

function pathOf(plural: string): string {
  return `/apis/${API_GROUP}/${API_VERSION}/${plural}`;
}

/**
 * The informer gives up on a failed list or watch (it emits 'error' and stops), so this
 * restarts it with backoff: one restart at a time, none after stop().
 */
class RestartingWatch<T extends WatchedObject> implements ObjectWatch<T> {
  private readonly informer: ObjectInformer<T>;
  private readonly onChange: (change: ObjectChange<T>) => void;
  private readonly log: Logger;
  private readonly backoff: Backoff;

  private started = false;
  private stopped = false;
  private synced = false;
  private readonly syncWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  /** informer.start() is running; errors it emits are handled when it returns. */
  private starting = false;
  private errorWhileStarting: { err: unknown } | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private consecutiveFailures = 0;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private failing: { at: number; error: unknown } | undefined;
  /** Between a list and the resync after it, which names every listed object anyway. */
  private resyncPending = false;
  /** Set while the API server does not serve the kind: the message saying which CRD to install. */
  private missing: string | undefined;
  private readonly kind: string;

  constructor(
    private readonly watched: WatchedKind,
    factory: InformerFactory<T>,
    opts: WatchOptions<T>,
  ) {
    this.kind = watched.kind;
    this.onChange = opts.onChange;
    this.log = opts.log;
    this.backoff = new Backoff(opts.restartBackoff ?? DEFAULT_RESTART_BACKOFF);
    this.informer = factory(() => this.listed());
    const frozen = (obj: T): DeepReadonly<T> => obj as DeepReadonly<T>;
    this.informer.on('add', (obj) => this.changed({ type: 'added', object: frozen(obj) }));
    this.informer.on('update', (obj, previous) => this.changed({ type: 'modified', object: frozen(obj), previous: frozen(previous) }));
    this.informer.on('delete', (obj) => this.notify({ type: 'deleted', object: frozen(obj) }));
    this.informer.on('error', (err) => this.failed(err));
  }

  async start(): Promise<void> {
    if (this.stopped) throw new Error(`this ${this.kind} watch was stopped; create a new one to watch again`);
    if (!this.started) {
      this.started = true;
      void this.runInformer();
    }
    if (this.synced) return;
    await new Promise<void>((resolve, reject) => this.syncWaiters.push({ resolve, reject }));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    for (const waiter of this.syncWaiters.splice(0)) {
      waiter.reject(new Error(`the ${this.kind} watch was stopped before its first list completed`));
    }
    this.stopInformer();
  }

  list(): readonly DeepReadonly<T>[] {
    return this.informer.list() as readonly DeepReadonly<T>[];
  }

  get(name: string): DeepReadonly<T> | undefined {
    return this.informer.get(name) as DeepReadonly<T> | undefined;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  failingSince(): { at: number; error: unknown } | undefined {
    return this.failing;
  }

  notInstalled(): string | undefined {
    return this.missing;
  }

  /** Never rejects: a failed start is logged and retried. */
  private async runInformer(): Promise<void> {
    this.restartTimer = undefined;
    if (this.stopped) return;
    this.starting = true;
    this.errorWhileStarting = undefined;
    try {
      await this.informer.start();
    } catch (err) {
      this.errorWhileStarting ??= { err };
    } finally {
      this.starting = false;
    }
    if (this.stopped) {
      // stop() may have come while the informer was listing; make sure no watch outlives it.
      this.stopInformer();
      return;
    }
    if (this.errorWhileStarting !== undefined) {
      if (isNotServed(this.errorWhileStarting.err)) this.notServed();
      else this.scheduleRestart(this.errorWhileStarting.err);
      return;
    }
    if (this.missing !== undefined) this.log.info({ kind: this.kind }, `the ${this.kind} CRD is installed now: watching ${this.watched.plural}`);
    this.missing = undefined;
    this.failing = undefined;
    if (this.consecutiveFailures > 0) this.log.info({ attempt: this.consecutiveFailures, kind: this.kind }, `${this.kind} watch restarted`);
  }

  private failed(err: unknown): void {
    if (this.stopped) return;
    if (this.starting) {
      this.errorWhileStarting ??= { err };
      return;
    }
    this.scheduleRestart(err);
  }

  /**
   * The kind is not served: said once, in one line (not the client library's text every 30 s).
   * It is no failure of the watch (/healthz stays up: a restart would not install the CRD), and
   * it counts as synced with no objects, so what needs none of them goes on meanwhile.
   */
  private notServed(): void {
    if (this.missing === undefined) {
      this.missing = notInstalledMessage(this.watched);
      this.log.warn({ kind: this.kind, recheckMs: NOT_INSTALLED_RECHECK_MS }, this.missing);
    }
    this.failing = undefined;
    this.consecutiveFailures = 0;
    this.markSynced();
    this.restartTimer = setTimeout(() => void this.runInformer(), NOT_INSTALLED_RECHECK_MS);
  }

  private scheduleRestart(err: unknown): void {
    if (this.stopped || this.starting || this.restartTimer !== undefined) return;
    const now = Date.now();
    this.failing ??= { at: now, error: err };
    if (now - this.lastFailureAt > STABLE_AFTER_MS) this.consecutiveFailures = 0;
    this.lastFailureAt = now;
    const attempt = ++this.consecutiveFailures;
    const delayMs = this.backoff.nextDelay(attempt);
    this.log.warn({ err, attempt, delayMs, kind: this.kind }, `${this.kind} watch failed; restarting it`);
    this.restartTimer = setTimeout(() => void this.runInformer(), delayMs);
  }

  private listed(): void {
    this.resyncPending = true;
    // The informer fills its cache right after the list returns, in the same tick; a timer
    // runs after that, so get() already sees the listed objects when their names go out.
    setTimeout(() => this.resync(), 0);
  }

  private resync(): void {
    this.resyncPending = false;
    if (this.stopped) return;
    for (const obj of this.informer.list()) this.notify({ type: 'listed', object: obj as DeepReadonly<T> });
    this.markSynced();
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const waiter of this.syncWaiters.splice(0)) waiter.resolve();
  }

  private changed(change: ObjectChange<T>): void {
    if (!this.resyncPending) this.notify(change);
  }

  /** Runs inside the informer: must not throw, or the informer's own loop breaks. */
  private notify(change: ObjectChange<T>): void {
    const name = (change.object.metadata as { name?: string } | undefined)?.name;
    if (!name) {
      this.log.warn(`ignoring a ${this.kind} event for an object without metadata.name`);
      return;
    }
    try {
      this.onChange(change);
    } catch (err) {
      this.log.error({ err, name }, `onChange failed for a ${this.kind} event`);
    }
  }

  private stopInformer(): void {
    this.informer.stop().catch((err: unknown) => this.log.warn({ err }, `stopping the ${this.kind} informer failed`));
  }
}

function clientNodeInformer<T extends WatchedObject>(kc: KubeConfig, kind: WatchedKind, labelSelector: string | undefined): InformerFactory<T> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const watch = new Watch(kc);
  const path = pathOf(kind.plural);
  return (onListed) =>
    new ListWatchInformer<T>(
      {
        list: (page) => listObjects<T>(api, kind, labelSelector, page),
        watch: (watchPath, query, onEvent, onDone) => watch.watch(watchPath, query, onEvent, onDone),
      },
      { path, onListed, ...(labelSelector ? { labelSelector } : {}) },
    );
}

async function listObjects<T extends WatchedObject>(api: CustomObjectsApi, kind: WatchedKind, labelSelector: string | undefined, page: ListPage): Promise<ObjectList<T>> {
  const list = await kubeCall<unknown>(`list ${kind.plural}`, () =>
    api.listClusterCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      plural: kind.plural,
      ...(labelSelector ? { labelSelector } : {}),
      ...(page.limit === undefined ? {} : { limit: page.limit }),
      ...(page.continue === undefined ? {} : { _continue: page.continue }),
    }),
  );
  if (typeof list !== 'object' || list === null || !Array.isArray((list as Partial<ObjectList<T>>).items)) {
    throw new Error(`listing ${pathOf(kind.plural)} returned no items array; is the ${kind.kind} CRD installed?`);
  }
  return list as ObjectList<T>;
}
