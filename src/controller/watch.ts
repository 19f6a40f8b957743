import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AccessEntry, AccessEntryList } from '../api/accessentry.ts';
import { API_GROUP, API_VERSION, PLURAL } from '../api/names.ts';
import { ListWatchInformer } from '../kube/list-watch.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';

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

/** An AccessEntry as the watch cache holds it: shared with every reader, so never mutated. */
export type ReadonlyAccessEntry = DeepReadonly<AccessEntry>;

export interface AccessEntryWatch {
  /** Starts watching; resolves once the first list is in the cache. Rejects if stop() comes first. */
  start(): Promise<void>;
  /** Stops watching for good: no restart, no reconnect, no timer left behind. */
  stop(): void;
  /** The cached objects. They are the cache's own: copy before changing anything. */
  list(): readonly ReadonlyAccessEntry[];
  /** The cached object of that name. It is the cache's own: copy before changing anything. */
  get(name: string): ReadonlyAccessEntry | undefined;
  hasSynced(): boolean;
}

/** What happened to one AccessEntry, as the watch reports it. */
export type AccessEntryChange =
  /** Named by a (re)list: it may have changed in any way while nothing watched it. */
  | { type: 'listed'; object: ReadonlyAccessEntry }
  | { type: 'added'; object: ReadonlyAccessEntry }
  | { type: 'modified'; object: ReadonlyAccessEntry; previous: ReadonlyAccessEntry }
  | { type: 'deleted'; object: ReadonlyAccessEntry };

/** The informer this watch restarts (ListWatchInformer); unit tests pass a fake. */
export interface AccessEntryInformer {
  on(verb: 'add' | 'delete', callback: (obj: AccessEntry) => void): void;
  on(verb: 'update', callback: (obj: AccessEntry, previous: AccessEntry) => void): void;
  on(verb: 'error', callback: (err: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  get(name: string): AccessEntry | undefined;
  list(): readonly AccessEntry[];
}

/**
 * Makes the informer. It must call `onListed` each time a list has succeeded, just before the
 * listed objects go into its cache.
 */
export type InformerFactory = (onListed: () => void) => AccessEntryInformer;

export interface WatchAccessEntriesOptions {
  /** Told of every AccessEntry that changed, and of every one listed. Must not throw. */
  onChange: (change: AccessEntryChange) => void;
  log: Logger;
  /** Watch only AccessEntries with these labels (a Kubernetes label selector), e.g. to shard. */
  labelSelector?: string;
  /** Delays between restarts of a failed watch. Defaults to 500 ms doubling up to 30 s. */
  restartBackoff?: BackoffOptions;
  /** For tests; the default is client-node's informer for this kubeconfig. */
  informerFactory?: InformerFactory;
}

const DEFAULT_RESTART_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };
/** A watch that stayed up this long failed afresh: its next restart starts at the base delay. */
const STABLE_AFTER_MS = 60_000;

export const ACCESS_ENTRIES_PATH = `/apis/${API_GROUP}/${API_VERSION}/${PLURAL}`;

export function watchAccessEntries(kc: KubeConfig, opts: WatchAccessEntriesOptions): AccessEntryWatch {
  return new RestartingWatch(opts.informerFactory ?? clientNodeInformer(kc, opts.labelSelector), opts);
}

/**
 * The informer gives up on a failed list or watch (it emits 'error' and stops), so this
 * restarts it with backoff: one restart at a time, none after stop().
 */
class RestartingWatch implements AccessEntryWatch {
  private readonly informer: AccessEntryInformer;
  private readonly onChange: (change: AccessEntryChange) => void;
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
  /** Between a list and the resync after it, which names every listed object anyway. */
  private resyncPending = false;

  constructor(factory: InformerFactory, opts: WatchAccessEntriesOptions) {
    this.onChange = opts.onChange;
    this.log = opts.log;
    this.backoff = new Backoff(opts.restartBackoff ?? DEFAULT_RESTART_BACKOFF);
    this.informer = factory(() => this.listed());
    this.informer.on('add', (obj) => this.changed({ type: 'added', object: obj }));
    this.informer.on('update', (obj, previous) => this.changed({ type: 'modified', object: obj, previous }));
    this.informer.on('delete', (obj) => this.notify({ type: 'deleted', object: obj }));
    this.informer.on('error', (err) => this.failed(err));
  }

  async start(): Promise<void> {
    if (this.stopped) throw new Error('this AccessEntry watch was stopped; create a new one to watch again');
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
      waiter.reject(new Error('the AccessEntry watch was stopped before its first list completed'));
    }
    this.stopInformer();
  }

  list(): readonly ReadonlyAccessEntry[] {
    return this.informer.list();
  }

  get(name: string): ReadonlyAccessEntry | undefined {
    return this.informer.get(name);
  }

  hasSynced(): boolean {
    return this.synced;
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
    } else if (this.errorWhileStarting !== undefined) {
      this.scheduleRestart(this.errorWhileStarting.err);
    } else if (this.consecutiveFailures > 0) {
      this.log.info({ attempt: this.consecutiveFailures }, 'AccessEntry watch restarted');
    }
  }

  private failed(err: unknown): void {
    if (this.stopped) return;
    if (this.starting) {
      this.errorWhileStarting ??= { err };
      return;
    }
    this.scheduleRestart(err);
  }

  private scheduleRestart(err: unknown): void {
    if (this.stopped || this.starting || this.restartTimer !== undefined) return;
    const now = Date.now();
    if (now - this.lastFailureAt > STABLE_AFTER_MS) this.consecutiveFailures = 0;
    this.lastFailureAt = now;
    const attempt = ++this.consecutiveFailures;
    const delayMs = this.backoff.nextDelay(attempt);
    this.log.warn({ err, attempt, delayMs }, 'AccessEntry watch failed; restarting it');
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
    for (const obj of this.informer.list()) this.notify({ type: 'listed', object: obj });
    if (this.synced) return;
    this.synced = true;
    for (const waiter of this.syncWaiters.splice(0)) waiter.resolve();
  }

  private changed(change: AccessEntryChange): void {
    if (!this.resyncPending) this.notify(change);
  }

  /** Runs inside the informer: must not throw, or the informer's own loop breaks. */
  private notify(change: AccessEntryChange): void {
    const name = change.object.metadata?.name;
    if (!name) {
      this.log.warn('ignoring an AccessEntry event for an object without metadata.name');
      return;
    }
    try {
      this.onChange(change);
    } catch (err) {
      this.log.error({ err, name }, 'onChange failed for an AccessEntry event');
    }
  }

  private stopInformer(): void {
    this.informer.stop().catch((err: unknown) => this.log.warn({ err }, 'stopping the AccessEntry informer failed'));
  }
}

function clientNodeInformer(kc: KubeConfig, labelSelector: string | undefined): InformerFactory {
  const api = kc.makeApiClient(CustomObjectsApi);
  const watch = new Watch(kc);
  return (onListed) =>
    new ListWatchInformer(
      {
        list: () => listAccessEntries(api, labelSelector),
        watch: (path, query, onEvent, onDone) => watch.watch(path, query, onEvent, onDone),
      },
      { path: ACCESS_ENTRIES_PATH, onListed, ...(labelSelector ? { labelSelector } : {}) },
    );
}

async function listAccessEntries(api: CustomObjectsApi, labelSelector: string | undefined): Promise<AccessEntryList> {
  const list = (await api.listClusterCustomObject({
    group: API_GROUP,
    version: API_VERSION,
    plural: PLURAL,
    ...(labelSelector ? { labelSelector } : {}),
  })) as unknown;
  if (typeof list !== 'object' || list === null || !Array.isArray((list as Partial<AccessEntryList>).items)) {
    throw new Error(`listing ${ACCESS_ENTRIES_PATH} returned no items array; is the AccessEntry CRD installed?`);
  }
  return list as AccessEntryList;
}
