import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccessEntry } from '../api/accessentry.ts';
import { LIST_PAGE_SIZE, ListWatchInformer, type ListPage, type ListWatchSource, type ObjectList } from './list-watch.ts';

function entry(name: string, resourceVersion: string): AccessEntry {
  return {
    apiVersion: 'eksaccess.dev/v1alpha1',
    kind: 'AccessEntry',
    metadata: { name, resourceVersion, managedFields: [{ manager: 'kubectl', operation: 'Apply' }] },
    spec: { clusterName: 'demo', principalArn: `arn:aws:iam::123456789012:role/${name}` },
  };
}

interface OpenWatch {
  query: Record<string, string | boolean>;
  send(type: string, object: unknown): void;
  end(err: unknown): void;
  aborted: boolean;
}

/** The API server as the informer sees it: each list returns `objects`, each watch is recorded. */
class FakeSource implements ListWatchSource<AccessEntry> {
  objects: AccessEntry[] = [];
  listVersion = '10';
  lists = 0;
  listFailure: Error | undefined;
  readonly watches: OpenWatch[] = [];

  readonly pages: ListPage[] = [];
  /** Answers a list with this continue token with 410, as the API server does once the snapshot is compacted. */
  expiredToken: string | undefined;

  /** Pages by offset: the continue token is the index of the next object. */
  list(page: ListPage): Promise<ObjectList<AccessEntry>> {
    this.lists++;
    this.pages.push(page);
    if (this.listFailure) return Promise.reject(this.listFailure);
    if (page.continue !== undefined && page.continue === this.expiredToken) return Promise.reject(Object.assign(new Error('Expired'), { code: 410 }));
    const from = Number(page.continue ?? 0);
    const to = page.limit === undefined ? this.objects.length : Math.min(from + page.limit, this.objects.length);
    return Promise.resolve({
      metadata: { resourceVersion: this.listVersion, ...(to < this.objects.length ? { continue: String(to) } : {}) },
      items: structuredClone(this.objects.slice(from, to)),
    });
  }

  watch(
    _path: string,
    query: Record<string, string | boolean>,
    onEvent: (type: string, object: unknown) => void,
    onDone: (err: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    const open: OpenWatch = {
      query,
      send: (type, object) => onEvent(type, structuredClone(object)),
      end: (err) => onDone(err),
      get aborted() {
        return controller.signal.aborted;
      },
    };
    this.watches.push(open);
    return Promise.resolve(controller);
  }

  get last(): OpenWatch {
    return this.watches.at(-1)!;
  }
}

interface Recorded {
  informer: ListWatchInformer<AccessEntry>;
  source: FakeSource;
  events: string[];
  errors: unknown[];
  listed: number;
}

function informer(objects: AccessEntry[] = []): Recorded {
  const source = new FakeSource();
  source.objects = objects;
  const recorded: Recorded = { source, events: [], errors: [], listed: 0, informer: undefined as unknown as ListWatchInformer<AccessEntry> };
  recorded.informer = new ListWatchInformer<AccessEntry>(source, { path: '/apis/eksaccess.dev/v1alpha1/accessentries', labelSelector: 'team=a', onListed: () => recorded.listed++ });
  recorded.informer.on('add', (obj) => recorded.events.push(`add ${obj.metadata.name} ${obj.metadata.resourceVersion}`));
  recorded.informer.on('update', (obj, previous) =>
    recorded.events.push(`update ${obj.metadata.name} ${previous.metadata.resourceVersion}->${obj.metadata.resourceVersion}`),
  );
  recorded.informer.on('delete', (obj) => recorded.events.push(`delete ${obj.metadata.name}`));
  recorded.informer.on('error', (err) => recorded.errors.push(err));
  return recorded;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ListWatchInformer', () => {
  it('lists, then watches from the list resourceVersion with bookmarks and the label selector', async () => {
    const r = informer([entry('a', '5')]);
    await r.informer.start();
    expect(r.listed).toBe(1);
    expect(r.events).toEqual(['add a 5']);
    expect(r.source.last.query).toEqual({ resourceVersion: '10', allowWatchBookmarks: true, labelSelector: 'team=a' });
  });

  it('keeps only the annotations the controller reads: its own', async () => {
    const annotated = entry('a', '5');
    annotated.metadata.annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(annotated),
      'eksaccess.dev/reconcile-requested-at': 'now',
    };
    const r = informer([annotated]);
    await r.informer.start();
    expect(r.informer.get('a')?.metadata.annotations).toEqual({ 'eksaccess.dev/reconcile-requested-at': 'now' });
    r.source.last.send('MODIFIED', { ...entry('a', '6'), metadata: { ...entry('a', '6').metadata, annotations: { 'argocd.argoproj.io/sync-wave': '1' } } });
    expect(r.informer.get('a')?.metadata.annotations).toBeUndefined();
  });

  it('drops labels and the creation time, which no reader looks at (the API server applies the selector)', async () => {
    const labelled = entry('a', '5');
    labelled.metadata.labels = { team: 'a', 'kustomize.toolkit.fluxcd.io/name': 'access' };
    labelled.metadata.creationTimestamp = new Date();
    const r = informer([labelled]);
    await r.informer.start();
    expect(r.informer.get('a')?.metadata).toEqual({ name: 'a', resourceVersion: '5' });
  });

  it('keeps the cache by name, hands updates the object they replace, and drops managedFields', async () => {
    const r = informer([entry('a', '5')]);
    await r.informer.start();
    r.source.last.send('MODIFIED', entry('a', '11'));
    r.source.last.send('ADDED', entry('b', '12'));
    r.source.last.send('MODIFIED', entry('b', '12'));
    r.source.last.send('DELETED', entry('a', '13'));
    expect(r.events).toEqual(['add a 5', 'update a 5->11', 'add b 12', 'delete a']);
    expect(r.informer.list().map((obj) => obj.metadata.name)).toEqual(['b']);
    expect(r.informer.get('b')?.metadata.managedFields).toBeUndefined();
  });

  it('reopens a watch that went quiet from the last resourceVersion it saw, without listing again', async () => {
    const r = informer();
    await r.informer.start();
    r.source.last.send('ADDED', entry('a', '20'));
    r.source.last.send('BOOKMARK', { metadata: { resourceVersion: '25' } });
    r.source.last.end(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(r.source.watches).toHaveLength(2);
    expect(r.source.last.query.resourceVersion).toBe('25');
    expect(r.source.lists).toBe(1);
    expect(r.errors).toEqual([]);
  });

  it('reopens a watch the server ended after a while, from where it was', async () => {
    const r = informer();
    await r.informer.start();
    r.source.last.send('ADDED', entry('a', '30'));
    await vi.advanceTimersByTimeAsync(5_000);
    r.source.last.end(null);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.source.last.query.resourceVersion).toBe('30');
    expect(r.source.lists).toBe(1);
  });

  it.each([
    ['an ERROR event with 410 Gone', (w: OpenWatch) => (w.send('ERROR', { kind: 'Status', code: 410 }), w.end(null))],
    ['a watch refused with 410', (w: OpenWatch) => w.end(Object.assign(new Error('Gone'), { statusCode: 410 }))],
  ])('relists after %s, reporting what vanished meanwhile as deleted', async (_label, expire) => {
    const r = informer([entry('a', '5'), entry('b', '6')]);
    await r.informer.start();
    r.source.objects = [entry('b', '40'), entry('c', '41')];
    r.source.listVersion = '42';
    expire(r.source.last);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.source.lists).toBe(2);
    expect(r.events.slice(2)).toEqual(['delete a', 'update b 6->40', 'add c 41']);
    expect(r.source.last.query.resourceVersion).toBe('42');
    expect(r.errors).toEqual([]);
  });

  it('emits a failed watch as an error and stays down, leaving restarts to its caller', async () => {
    const r = informer();
    await r.informer.start();
    const broken = new Error('socket hang up');
    r.source.last.end(broken);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(r.errors).toEqual([broken]);
    expect(r.source.watches).toHaveLength(1);
  });

  it('treats a watch the server closes as soon as it opens as a failure, not a loop', async () => {
    const r = informer();
    await r.informer.start();
    r.source.last.end(null);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(r.errors).toHaveLength(1);
    expect(r.source.watches).toHaveLength(1);
  });

  it('lists in pages of 500 and caches every page, each trimmed', async () => {
    const objects = Array.from({ length: 2 * LIST_PAGE_SIZE + 1 }, (_, i) => entry(`e${i}`, String(i + 1)));
    const r = informer(objects);
    await r.informer.start();
    expect(r.source.pages).toEqual([{ limit: 500 }, { limit: 500, continue: '500' }, { limit: 500, continue: '1000' }]);
    expect(r.informer.list()).toHaveLength(1001);
    expect(r.informer.list().some((obj) => obj.metadata.managedFields)).toBe(false);
    expect(r.source.last.query.resourceVersion).toBe('10');
  });

  it('starts the list over in one piece when its snapshot expired between pages', async () => {
    const objects = Array.from({ length: LIST_PAGE_SIZE + 10 }, (_, i) => entry(`e${i}`, String(i + 1)));
    const r = informer(objects);
    r.source.expiredToken = '500';
    await r.informer.start();
    expect(r.source.pages).toEqual([{ limit: 500 }, { limit: 500, continue: '500' }, {}]);
    expect(r.errors).toEqual([]);
    expect(r.informer.list()).toHaveLength(510);
    expect(r.events.filter((event) => event.startsWith('add'))).toHaveLength(510);
  });

  it('emits a failed list as an error without touching the cache', async () => {
    const r = informer();
    r.source.listFailure = new Error('forbidden');
    await r.informer.start();
    expect(r.errors).toEqual([r.source.listFailure]);
    expect(r.listed).toBe(0);
    expect(r.source.watches).toHaveLength(0);
  });

  it('after stop() aborts its watch and ignores anything that still arrives', async () => {
    const r = informer();
    await r.informer.start();
    const open = r.source.last;
    await r.informer.stop();
    expect(open.aborted).toBe(true);
    open.send('ADDED', entry('late', '50'));
    open.end(new Error('aborted'));
    expect(r.events).toEqual([]);
    expect(r.errors).toEqual([]);
  });
});
