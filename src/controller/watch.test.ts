import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccessEntry } from '../api/accessentry.ts';
import { API_GROUP_VERSION, KIND } from '../api/names.ts';
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from '../kube/errors.ts';
import { NOT_INSTALLED_RECHECK_MS, watchAccessEntries, type AccessEntryChange, type AccessEntryInformer, type AccessEntryWatch } from './watch.ts';

type Verb = 'add' | 'update' | 'delete';

/**
 * Behaves as client-node's informer does: start() lists (reporting the list through onListed,
 * then filling the cache), and any failure is emitted as 'error' after which it stays down
 * until started again. `serverObjects` is what the next list returns.
 */
class FakeInformer implements AccessEntryInformer {
  serverObjects: AccessEntry[] = [];
  /** Errors the next start() calls meet, in order; undefined means the start works. */
  startFailures: (Error | undefined)[] = [];
  /** While set, start() waits for the test to call releaseStart(). */
  holdStart = false;
  starts = 0;
  stops = 0;
  private releaseHeld: (() => void) | undefined;
  private readonly cache = new Map<string, AccessEntry>();
  private readonly callbacks: { [V in Verb | 'error']: ((...args: never[]) => void)[] } = { add: [], update: [], delete: [], error: [] };

  constructor(private readonly onListed: () => void) {}

  on(verb: 'add' | 'delete', callback: (obj: AccessEntry) => void): void;
  on(verb: 'update', callback: (obj: AccessEntry, previous: AccessEntry) => void): void;
  on(verb: 'error', callback: (err: unknown) => void): void;
  on(verb: Verb | 'error', callback: (...args: never[]) => void): void {
    this.callbacks[verb].push(callback);
  }

  async start(): Promise<void> {
    this.starts++;
    if (this.holdStart) await new Promise<void>((resolve) => (this.releaseHeld = resolve));
    const failure = this.startFailures.shift();
    if (failure) {
      this.fail(failure);
      return;
    }
    this.onListed();
    const listed = new Set(this.serverObjects.map((obj) => obj.metadata.name));
    for (const [name, obj] of this.cache) {
      if (!listed.has(name)) this.emit('delete', obj);
    }
    for (const obj of this.serverObjects) {
      const cached = this.cache.get(obj.metadata.name!);
      if (cached === undefined) this.emit('add', obj);
      else if (cached.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emit('update', obj);
    }
  }

  stop(): Promise<void> {
    this.stops++;
    return Promise.resolve();
  }

  get(name: string): AccessEntry | undefined {
    return this.cache.get(name);
  }

  list(): AccessEntry[] {
    return [...this.cache.values()];
  }

  releaseStart(): void {
    this.holdStart = false;
    this.releaseHeld?.();
  }

  /** A watch event, as the informer delivers it: cache first, then callbacks (an update with the object it replaced). */
  emit(verb: Verb, obj: AccessEntry): void {
    const previous = this.cache.get(obj.metadata.name!);
    if (verb === 'delete') this.cache.delete(obj.metadata.name!);
    else this.cache.set(obj.metadata.name!, obj);
    for (const callback of this.callbacks[verb]) (callback as (obj: AccessEntry, previous?: AccessEntry) => void)(obj, previous);
  }

  fail(err: Error): void {
    for (const callback of this.callbacks.error) (callback as (err: unknown) => void)(err);
  }
}

function entry(name: string, resourceVersion = '1'): AccessEntry {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: KIND,
    metadata: { name, resourceVersion },
    spec: { clusterName: 'dev', principalArn: `arn:aws:iam::111122223333:role/${name}` },
  };
}

interface Harness {
  watch: AccessEntryWatch;
  informer: FakeInformer;
  changed: string[];
  changes: AccessEntryChange[];
  logs: { level: number; msg: string; err?: { message: string }; attempt?: number; delayMs?: number }[];
}

function harness(onChange?: (change: AccessEntryChange) => void): Harness {
  const changed: string[] = [];
  const changes: AccessEntryChange[] = [];
  const logs: Harness['logs'] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as Harness['logs'][number]) });
  let informer: FakeInformer | undefined;
  const watch = watchAccessEntries(new KubeConfig(), {
    onChange:
      onChange ??
      ((change) => {
        changes.push(change);
        changed.push(change.object.metadata.name!);
      }),
    log,
    restartBackoff: { baseMs: 1_000, maxMs: 8_000, jitter: 0 },
    informerFactory: (onListed) => (informer = new FakeInformer(onListed)),
  });
  return { watch, informer: informer!, changed, changes, logs };
}

const WARN = 40;

/** Runs the restart due in `ms`, and the resync that follows its list (a timer of 0, run as 1 ms). */
async function restartCompletes(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await vi.advanceTimersByTimeAsync(1);
}

async function synced(h: Harness): Promise<void> {
  const started = h.watch.start();
  await vi.advanceTimersByTimeAsync(1);
  await started;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('watchAccessEntries: sync and events', () => {
  it('start() resolves once the first list is cached, naming each listed object once', async () => {
    const h = harness();
    h.informer.serverObjects = [entry('alpha'), entry('beta')];
    expect(h.watch.hasSynced()).toBe(false);
    await synced(h);
    expect(h.watch.hasSynced()).toBe(true);
    expect(h.changed.sort()).toEqual(['alpha', 'beta']);
    expect(h.watch.get('alpha')?.spec.principalArn).toBe('arn:aws:iam::111122223333:role/alpha');
    expect(h.watch.list().map((obj) => obj.metadata.name).sort()).toEqual(['alpha', 'beta']);
  });

  it.each<Verb>(['add', 'update', 'delete'])('names the object of a %s event', async (verb) => {
    const h = harness();
    await synced(h);
    h.informer.emit(verb, entry('gamma', '7'));
    expect(h.changed).toEqual(['gamma']);
  });

  it('says how each object changed: listed, added, modified with the object it replaced, deleted', async () => {
    const h = harness();
    h.informer.serverObjects = [entry('alpha', '1')];
    await synced(h);
    h.informer.emit('add', entry('beta', '2'));
    h.informer.emit('update', entry('alpha', '3'));
    h.informer.emit('delete', entry('beta', '4'));
    expect(h.changes.map((c) => [c.type, c.object.metadata.name, c.object.metadata.resourceVersion])).toEqual([
      ['listed', 'alpha', '1'],
      ['added', 'beta', '2'],
      ['modified', 'alpha', '3'],
      ['deleted', 'beta', '4'],
    ]);
    const modified = h.changes[2];
    expect(modified?.type === 'modified' && modified.previous.metadata.resourceVersion).toBe('1');
  });

  it('hands out the cached object itself, at its latest version', async () => {
    const h = harness();
    await synced(h);
    const latest = entry('alpha', '9');
    h.informer.emit('update', latest);
    expect(h.watch.get('alpha')).toBe(latest);
  });

  it('keeps going when onChange throws, and logs it', async () => {
    const h = harness(() => {
      throw new Error('queue exploded');
    });
    await synced(h);
    expect(() => h.informer.emit('add', entry('alpha'))).not.toThrow();
    expect(h.logs.some((line) => line.err?.message === 'queue exploded')).toBe(true);
  });

  it('ignores an object without a name', async () => {
    const h = harness();
    await synced(h);
    h.informer.emit('add', { ...entry('x'), metadata: {} });
    expect(h.changed).toEqual([]);
  });

  it('start() waits through a failed first list until a restart lists', async () => {
    const h = harness();
    h.informer.startFailures = [new Error('connection refused')];
    let resolved = false;
    const started = h.watch.start().then(() => (resolved = true));
    await vi.advanceTimersByTimeAsync(999);
    expect([resolved, h.informer.starts]).toEqual([false, 1]);
    await restartCompletes(1);
    await started;
    expect(h.informer.starts).toBe(2);
  });

  it('start() rejects, saying why, when stop() comes before the first list', async () => {
    const h = harness();
    h.informer.startFailures = [new Error('forbidden')];
    const started = h.watch.start();
    h.watch.stop();
    await expect(started).rejects.toThrow(/stopped before its first list completed/);
    await expect(h.watch.start()).rejects.toThrow(/was stopped; create a new one/);
  });
});

describe('watchAccessEntries: restarts', () => {
  it('restarts a failed informer after the backoff delay and logs the error', async () => {
    const h = harness();
    await synced(h);
    h.informer.fail(new Error('watch stream reset'));
    await vi.advanceTimersByTimeAsync(999);
    expect(h.informer.starts).toBe(1);
    await restartCompletes(1);
    expect(h.informer.starts).toBe(2);
    expect(h.logs.find((line) => line.level === WARN)).toMatchObject({
      err: { message: 'watch stream reset' },
      attempt: 1,
      delayMs: 1_000,
    });

    h.changed.length = 0;
    h.informer.emit('add', entry('after-restart'));
    expect(h.changed).toContain('after-restart');
  });

  it('names every cached object again after a relist, and the deleted ones', async () => {
    const h = harness();
    h.informer.serverObjects = [entry('same'), entry('changed'), entry('gone')];
    await synced(h);
    h.informer.serverObjects = [entry('same'), entry('changed', '2'), entry('new')];
    h.changed.length = 0;
    h.informer.fail(new Error('broken'));
    await restartCompletes(1_000);
    expect(h.changed.sort()).toEqual(['changed', 'gone', 'new', 'same']);
  });

  it('starts one restart however many errors arrive while it waits', async () => {
    const h = harness();
    await synced(h);
    h.informer.fail(new Error('one'));
    h.informer.fail(new Error('two'));
    await vi.advanceTimersByTimeAsync(500);
    h.informer.fail(new Error('three'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.informer.starts).toBe(2);
  });

  it('starts one restart for errors emitted while a restart is running', async () => {
    const h = harness();
    await synced(h);
    h.informer.fail(new Error('first'));
    h.informer.holdStart = true;
    h.informer.startFailures = [new Error('list failed')];
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.informer.starts).toBe(2);

    h.informer.fail(new Error('watch failed too'));
    h.informer.releaseStart();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(h.informer.starts).toBe(3);
  });

  it('backs off further while restarts keep failing, up to the cap', async () => {
    const h = harness();
    await synced(h);
    h.informer.startFailures = Array.from({ length: 5 }, () => new Error('still down'));
    h.informer.fail(new Error('down'));
    await vi.advanceTimersByTimeAsync(60_000);
    const delays = h.logs.filter((line) => line.level === WARN).map((line) => line.delayMs);
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(h.informer.starts).toBe(7);
  });

  it('starts again from the base delay once the watch has stayed up a while', async () => {
    const h = harness();
    await synced(h);
    h.informer.startFailures = [new Error('still down')];
    h.informer.fail(new Error('down'));
    await vi.advanceTimersByTimeAsync(3_000);
    await vi.advanceTimersByTimeAsync(120_000);
    h.informer.fail(new Error('down again'));
    const delays = h.logs.filter((line) => line.level === WARN).map((line) => line.delayMs);
    expect(delays).toEqual([1_000, 2_000, 1_000]);
  });
});

describe('watchAccessEntries: stop', () => {
  it('cancels a pending restart and ignores later errors', async () => {
    const h = harness();
    await synced(h);
    h.informer.fail(new Error('broken'));
    h.watch.stop();
    expect(vi.getTimerCount()).toBe(0);
    h.informer.fail(new Error('after stop'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.informer.starts).toBe(1);
    expect(h.informer.stops).toBe(1);
  });

  it('stops an informer whose restart was running when stop() came, and restarts nothing', async () => {
    const h = harness();
    await synced(h);
    h.informer.fail(new Error('broken'));
    h.informer.holdStart = true;
    h.informer.startFailures = [new Error('list failed')];
    await vi.advanceTimersByTimeAsync(1_000);
    h.watch.stop();
    h.informer.releaseStart();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.informer.starts).toBe(2);
    expect(h.informer.stops).toBe(2);
  });
});

describe('watchAccessEntries: health', () => {
  it('says since when it has been failing, and forgets it once a restart works', async () => {
    const h = harness();
    await synced(h);
    expect(h.watch.failingSince()).toBeUndefined();
    const broken = new Error('connection refused');
    h.informer.startFailures = [broken, broken];
    h.informer.fail(broken);
    const since = h.watch.failingSince();
    expect(since?.error).toBe(broken);
    await restartCompletes(1_000);
    expect(h.watch.failingSince()).toBe(since);
    await restartCompletes(2_000);
    await restartCompletes(4_000);
    expect(h.watch.failingSince()).toBeUndefined();
  });
});

describe('watchAccessEntries: a kind the API server does not serve (CRD not installed)', () => {
  const notFound = (): KubeApiError => new KubeApiError('list accessentries', new ApiException(404, '404 page not found', '404 page not found\n', { 'audit-id': 'changes-every-time' }));

  it('counts as synced with no objects, says once which CRD to install, is no watch failure, and picks the CRD up once installed', async () => {
    const h = harness();
    h.informer.startFailures = [notFound(), notFound(), notFound()];
    await synced(h);
    expect(h.watch.hasSynced()).toBe(true);
    expect(h.watch.list()).toEqual([]);
    expect(h.watch.failingSince(), 'a restart would not install it: liveness stays up').toBeUndefined();
    const message = h.watch.notInstalled();
    expect(message).toContain('the AccessEntry CRD (accessentries.eksaccess.dev) is not installed');
    expect(message).toContain('kubectl apply --server-side -f crds/accessentries.eksaccess.dev.yaml');

    await vi.advanceTimersByTimeAsync(2 * NOT_INSTALLED_RECHECK_MS);
    expect(h.informer.starts).toBe(3);
    const warnings = h.logs.filter((l) => l.level >= WARN);
    expect(warnings.map((l) => l.msg), 'one line, not one per check, and none of the client library text').toEqual([message]);

    h.informer.serverObjects = [entry('late')];
    await restartCompletes(NOT_INSTALLED_RECHECK_MS);
    expect(h.watch.notInstalled()).toBeUndefined();
    expect(h.changed).toEqual(['late']);
    expect(h.logs.some((l) => l.msg.includes('CRD is installed now'))).toBe(true);
  });
});
