import type { V1ObjectMeta } from '@kubernetes/client-node';
import { API_GROUP } from '../api/names.ts';
import { SharedStrings, shareRepeatedStrings } from './shared-strings.ts';

/** What the informer needs of an object: its metadata. */
export interface CachedObject {
  metadata: V1ObjectMeta;
}

/** A list's metadata as the API server sends it (client-node's V1ListMeta names `continue` `_continue`, for its own deserializer). */
export interface ListMetadata {
  resourceVersion?: string;
  continue?: string;
}

export interface ObjectList<T extends CachedObject> {
  metadata: ListMetadata;
  items: T[];
}

/** One page of a list: at most `limit` objects, from `continue` (the token of the page before) on. No limit: all at once. */
export interface ListPage {
  limit?: number;
  continue?: string;
}

/** The two API calls an informer needs. `watch` has the signature of client-node's public Watch.watch. */
export interface ListWatchSource<T extends CachedObject> {
  list(page: ListPage): Promise<ObjectList<T>>;
  watch(
    path: string,
    query: Record<string, string | boolean>,
    onEvent: (type: string, object: unknown) => void,
    onDone: (err: unknown) => void,
  ): Promise<AbortController>;
}

export interface ListWatchOptions {
  /** The collection, e.g. /apis/eksaccess.dev/v1alpha1/accessentries. */
  path: string;
  labelSelector?: string;
  /** Told each time a list has succeeded, just before the listed objects go into the cache. */
  onListed: () => void;
}

type Handlers<T> = {
  add: ((obj: T) => void)[];
  update: ((obj: T, previous: T) => void)[];
  delete: ((obj: T) => void)[];
  error: ((err: unknown) => void)[];
};

/** A watch that ends this soon after it opened, with no error, is the server refusing it: not a timeout. */
const MIN_HEALTHY_WATCH_MS = 1_000;

/** client-go's reflector pages its lists by 500 too. */
export const LIST_PAGE_SIZE = 500;

/**
 * List, then watch from the list's resourceVersion, keeping a cache of the objects by name. It
 * is written here rather than taken from client-node, whose informer gives update callbacks no
 * previous object and can only be stopped safely by subclassing its internals.
 *
 * - A watch the server ends (its timeout) or that goes quiet past client-node's inactivity
 *   timeout is reopened from the last resourceVersion seen; bookmarks keep that fresh.
 * - 410 Gone (the resourceVersion was compacted away) relists, reporting objects that vanished
 *   meanwhile as deleted.
 * - Any other failure is emitted as 'error' and the informer stays down until start() again: the
 *   caller owns restarts and their backoff.
 * - Cached objects are trimmed (see trimForCache): the controller never reads managedFields,
 *   labels or other tools' annotations, and with kubectl's last-applied-configuration they are
 *   most of an object's size. At ten thousand objects that is tens of MiB. The string values
 *   objects repeat (the finalizer, condition messages, tag keys) are held once (SharedStrings).
 */
export class ListWatchInformer<T extends CachedObject> {
  readonly #cache = new Map<string, T>();
  readonly #strings = new SharedStrings();
  readonly #handlers: Handlers<T> = { add: [], update: [], delete: [], error: [] };
  #resourceVersion = '';
  /** Bumped by every start, re-watch and stop: callbacks of an older session are ignored. */
  #session = 0;
  #request: AbortController | undefined;
  #stopped = false;
  #gone = false;

  constructor(
    private readonly source: ListWatchSource<T>,
    private readonly options: ListWatchOptions,
  ) {}

  on(verb: 'add' | 'delete', callback: (obj: T) => void): void;
  on(verb: 'update', callback: (obj: T, previous: T) => void): void;
  on(verb: 'error', callback: (err: unknown) => void): void;
  on(verb: keyof Handlers<T>, callback: (...args: never[]) => void): void {
    (this.#handlers[verb] as unknown[]).push(callback);
  }

  get(name: string): T | undefined {
    return this.#cache.get(name);
  }

  list(): T[] {
    return [...this.#cache.values()];
  }

  /** Lists and opens the watch; resolves once the watch is open, or once a failure was emitted. */
  async start(): Promise<void> {
    this.#stopped = false;
    const session = this.#newSession();
    let list: { items: T[]; resourceVersion: string };
    try {
      list = await this.#listAll(session);
    } catch (err) {
      this.#failed(session, err);
      return;
    }
    if (!this.#current(session)) return;
    this.options.onListed();
    this.#replaceAll(list.items);
    this.#resourceVersion = list.resourceVersion;
    await this.#watch(session);
  }

  /**
   * Lists in pages, so neither the API server nor this process ever holds one response of every
   * object: at ten thousand objects that response is tens of MiB of JSON, and the heap it grows
   * stays in the process's RSS. Each page is trimmed before the next is asked for. The pages
   * are of one snapshot (the first page's resourceVersion); if that snapshot was compacted away
   * before the last page (410 on a continue token), the list starts over in one piece.
   */
  async #listAll(session: number): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let token: string | undefined;
    for (;;) {
      let page: ObjectList<T>;
      try {
        page = await this.source.list({ limit: LIST_PAGE_SIZE, ...(token === undefined ? {} : { continue: token }) });
      } catch (err) {
        if (token === undefined || statusCode(err) !== 410) throw err;
        page = await this.source.list({});
        items.length = 0;
      }
      for (const item of page.items) trimForCache(item);
      items.push(...page.items);
      token = page.metadata.continue || undefined;
      if (token === undefined || !this.#current(session)) return { items, resourceVersion: page.metadata.resourceVersion ?? '' };
    }
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.#newSession();
    return Promise.resolve();
  }

  async #watch(session: number): Promise<void> {
    const query: Record<string, string | boolean> = { resourceVersion: this.#resourceVersion, allowWatchBookmarks: true };
    if (this.options.labelSelector) query.labelSelector = this.options.labelSelector;
    const openedAt = Date.now();
    try {
      const request = await this.source.watch(
        this.options.path,
        query,
        (type, object) => this.#event(session, type, object),
        (err) => this.#ended(session, err, openedAt),
      );
      if (this.#current(session)) this.#request = request;
      else request.abort();
    } catch (err) {
      this.#failed(session, err);
    }
  }

  #event(session: number, type: string, object: unknown): void {
    if (!this.#current(session) || !isObject(object)) return;
    if (type === 'ERROR') {
      // The stream ends right after; #ended relists.
      if ((object as { code?: unknown }).code === 410) this.#gone = true;
      return;
    }
    const obj = object as unknown as T;
    if (type === 'ADDED' || type === 'MODIFIED') this.#put(obj);
    else if (type === 'DELETED') this.#remove(obj);
    this.#resourceVersion = obj.metadata?.resourceVersion ?? this.#resourceVersion;
  }

  #ended(session: number, err: unknown, openedAt: number): void {
    if (!this.#current(session)) return;
    this.#request = undefined;
    if (this.#gone || statusCode(err) === 410) {
      this.#gone = false;
      void this.start();
    } else if (isTimeout(err) || (err == null && Date.now() - openedAt >= MIN_HEALTHY_WATCH_MS)) {
      void this.#watch(this.#newSession());
    } else {
      this.#failed(session, err ?? new Error(`the API server closed the watch of ${this.options.path} as soon as it opened`));
    }
  }

  #replaceAll(items: T[]): void {
    const listed = new Set(items.map((item) => item.metadata.name));
    for (const [name, cached] of this.#cache) {
      if (!listed.has(name)) this.#remove(cached);
    }
    for (const item of items) this.#put(item);
  }

  #put(obj: T): void {
    const name = obj.metadata?.name;
    if (!name) return;
    trimForCache(obj);
    const previous = this.#cache.get(name);
    if (previous && previous.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    shareRepeatedStrings(obj, this.#strings);
    this.#cache.set(name, obj);
    if (previous === undefined) this.#handlers.add.forEach((handler) => handler(obj));
    else this.#handlers.update.forEach((handler) => handler(obj, previous));
  }

  #remove(obj: T): void {
    const name = obj.metadata?.name;
    if (!name || !this.#cache.delete(name)) return;
    this.#handlers.delete.forEach((handler) => handler(obj));
  }

  #failed(session: number, err: unknown): void {
    if (this.#current(session)) this.#handlers.error.forEach((handler) => handler(err));
  }

  #newSession(): number {
    this.#request?.abort();
    this.#request = undefined;
    return ++this.#session;
  }

  #current(session: number): boolean {
    return session === this.#session && !this.#stopped;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function statusCode(err: unknown): number | undefined {
  if (!isObject(err)) return undefined;
  const code = err.statusCode ?? err.code;
  return typeof code === 'number' ? code : undefined;
}

/** client-node ends a watch that stayed silent for 30 s with a TimeoutError: quiet, not broken. */
function isTimeout(err: unknown): boolean {
  return isObject(err) && err.name === 'TimeoutError';
}

/** Annotations the controller reads: its own (the reconcile request), and no one else's. */
const KEPT_ANNOTATION_PREFIX = `${API_GROUP}/`;

/**
 * Drops what the controller never reads from an object before it is cached: the API server
 * applies label selectors itself, and no reader looks at labels, the creation time, managedFields
 * or annotations other than the controller's own.
 */
export function trimForCache(obj: CachedObject): void {
  delete obj.metadata.managedFields;
  delete obj.metadata.labels;
  delete obj.metadata.creationTimestamp;
  const annotations = obj.metadata.annotations;
  if (annotations === undefined) return;
  const kept = Object.entries(annotations).filter(([key]) => key.startsWith(KEPT_ANNOTATION_PREFIX));
  if (kept.length === 0) delete obj.metadata.annotations;
  else obj.metadata.annotations = Object.fromEntries(kept);
}
