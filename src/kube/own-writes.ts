import { isDeepStrictEqual } from 'node:util';
import type { AccessEntry } from '../api/accessentry.ts';
import { trimForCache } from './list-watch.ts';

/** What is compared of a cached object; the watch cache hands out read-only objects. */
interface Readable {
  readonly metadata: {
    readonly name?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly generation?: number;
    readonly finalizers?: readonly string[];
  };
  readonly status?: unknown;
}

/**
 * The objects as the controller's own last writes left them, kept until the watch cache has
 * caught up. Without it a reconcile that runs again soon after a write (a spec edit arrived
 * meanwhile) would start from the cache's older copy: no entry ARN yet, fewer managed tag keys.
 * It would repeat a create, emit Created twice, or forget a tag it had set. Holds at most one
 * object per resource, and only until the cache shows that write: in steady state, none.
 */
export class OwnWrites {
  readonly #written = new Map<string, AccessEntry>();

  /** Remembers what the API server answered to a write of ours. */
  remember(written: AccessEntry): void {
    const name = written.metadata.name;
    if (!name) return;
    trimForCache(written);
    this.#written.set(name, written);
  }

  /** The watch delivered `cached`: once it shows our last write, that copy is no longer needed. */
  seen(cached: Readable): void {
    const name = cached.metadata.name ?? '';
    const written = this.#written.get(name);
    if (written !== undefined && caughtUp(cached, written)) this.#written.delete(name);
  }

  /**
   * Told of every watch event. An object that leaves the watch (deleted, or out of this shard's
   * selector) or (re)appears in it starts from what the API server shows: a write of ours from a
   * reconcile still in flight when it left is older than anything it shows when it comes back.
   */
  watched(type: 'listed' | 'added' | 'modified' | 'deleted', object: Readable): void {
    if (type === 'added' || type === 'deleted') this.forget(object.metadata.name ?? '');
    else this.seen(object);
  }

  forget(name: string): void {
    this.#written.delete(name);
  }

  /** A private copy of the freshest object known: the cached one, unless our last write is newer. */
  freshest(cached: Readable): AccessEntry {
    const name = cached.metadata.name ?? '';
    const written = this.#written.get(name);
    if (written === undefined || caughtUp(cached, written)) {
      this.#written.delete(name);
      return structuredClone(cached) as unknown as AccessEntry;
    }
    return structuredClone(written);
  }

  get size(): number {
    return this.#written.size;
  }
}

/**
 * Whether the cached copy already includes our last write (or something later). Only this
 * controller writes status and its finalizer, so a cached copy with the status and finalizers
 * we wrote has seen the write; a newer generation means a later spec edit, which the API server
 * applied after it.
 */
function caughtUp(cached: Readable, written: AccessEntry): boolean {
  if (cached.metadata.uid !== written.metadata.uid) return true;
  if (cached.metadata.resourceVersion === written.metadata.resourceVersion) return true;
  // Since Kubernetes 1.35 resource versions of one resource compare as integers (KEP-5504): a
  // newer copy is caught up even if someone else wrote its status since ours.
  const order = compareResourceVersions(cached.metadata.resourceVersion, written.metadata.resourceVersion);
  if (order !== undefined) return order >= 0;
  if ((cached.metadata.generation ?? 0) > (written.metadata.generation ?? 0)) return true;
  return isDeepStrictEqual(cached.status, written.status) && isDeepStrictEqual(cached.metadata.finalizers ?? [], written.metadata.finalizers ?? []);
}

/**
 * -1, 0 or 1 as `a` is older than, the same as or newer than `b`; undefined when either is not
 * the positive integer without leading zeros that KEP-5504 promises (an older API server, say).
 */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number | undefined {
  const valid = (rv: string | undefined): rv is string => rv !== undefined && /^[1-9][0-9]*$/.test(rv);
  if (!valid(a) || !valid(b)) return undefined;
  if (a.length !== b.length) return Math.sign(a.length - b.length);
  return a === b ? 0 : a < b ? -1 : 1;
}
