// The AccessEntry watch against a real API server, including one whose connection breaks.
import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessEntry } from '../../src/api/accessentry.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL } from '../../src/api/names.ts';
import { watchAccessEntries, type AccessEntryChange, type AccessEntryWatch } from '../../src/controller/watch.ts';
import { LIST_PAGE_SIZE } from '../../src/kube/list-watch.ts';
import { installCrd } from '../testenv/crd.ts';
import { testKubeConfig, uniqueName, waitFor } from '../testenv/kube.ts';
import { Relay, withServer } from '../testenv/relay.ts';

const RESOURCE = { group: API_GROUP, version: API_VERSION, plural: PLURAL };

/** Records every name onChange was called with; `since(mark)` reads those after a point. */
class ChangeLog {
  private readonly names: string[] = [];
  readonly onChange = (change: AccessEntryChange): void => void this.names.push(change.object.metadata.name!);
  mark(): number {
    return this.names.length;
  }
  since(mark: number): string[] {
    return this.names.slice(mark);
  }
}

let kubeConfig: KubeConfig;
let api: CustomObjectsApi;
const created: string[] = [];

function entry(name: string): AccessEntry {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: KIND,
    metadata: { name },
    spec: { clusterName: uniqueName('watch-cluster'), principalArn: 'arn:aws:iam::123456789012:role/watchers' },
  };
}

async function create(name: string): Promise<AccessEntry> {
  const stored = (await api.createClusterCustomObject({ ...RESOURCE, body: entry(name) })) as AccessEntry;
  created.push(name);
  return stored;
}

beforeAll(async () => {
  kubeConfig = testKubeConfig();
  api = kubeConfig.makeApiClient(CustomObjectsApi);
  await installCrd(kubeConfig);
});

afterAll(async () => {
  // In batches: hundreds of deletes at once would each open a connection of their own.
  for (let i = 0; i < created.length; i += 20) {
    await Promise.allSettled(created.slice(i, i + 20).map((name) => api.deleteClusterCustomObject({ ...RESOURCE, name })));
  }
}, 120_000);

describe('AccessEntry watch on a real API server', () => {
  const changes = new ChangeLog();
  let watch: AccessEntryWatch;

  beforeAll(async () => {
    watch = watchAccessEntries(kubeConfig, { onChange: changes.onChange, log: pino({ level: 'silent' }) });
    await watch.start();
  });
  afterAll(() => watch.stop());

  it('names objects that existed before it started, and caches them', async () => {
    const name = uniqueName('watch-existing');
    await create(name);
    const late = new ChangeLog();
    const lateWatch = watchAccessEntries(kubeConfig, { onChange: late.onChange, log: pino({ level: 'silent' }) });
    try {
      await lateWatch.start();
      expect(lateWatch.hasSynced()).toBe(true);
      expect(late.since(0)).toContain(name);
      expect(lateWatch.get(name)?.spec.principalArn).toBe('arn:aws:iam::123456789012:role/watchers');
      expect(lateWatch.list().map((obj) => obj.metadata.name)).toContain(name);
    } finally {
      lateWatch.stop();
    }
  });

  it('names an object when it is created, updated and deleted, and get() follows it', async () => {
    const name = uniqueName('watch-crud');
    let mark = changes.mark();
    const stored = await create(name);
    await waitFor(() => changes.since(mark).includes(name), { description: `onChange(${name}) after create` });
    expect(watch.get(name)?.metadata.uid).toBe(stored.metadata.uid);

    mark = changes.mark();
    const updated = (await api.patchClusterCustomObject({
      ...RESOURCE,
      name,
      body: [{ op: 'add', path: '/spec/kubernetesGroups', value: ['viewers'] }],
    })) as AccessEntry;
    await waitFor(() => changes.since(mark).includes(name), { description: `onChange(${name}) after update` });
    expect(watch.get(name)?.metadata.resourceVersion).toBe(updated.metadata.resourceVersion);
    expect(watch.get(name)?.spec.kubernetesGroups).toEqual(['viewers']);

    mark = changes.mark();
    await api.deleteClusterCustomObject({ ...RESOURCE, name });
    await waitFor(() => changes.since(mark).includes(name), { description: `onChange(${name}) after delete` });
    expect(watch.get(name)).toBeUndefined();
  });
});

describe('AccessEntry watch over more objects than one list page', () => {
  const run = uniqueName('paged');
  const labels = { 'test.eksaccess.dev/run': run };
  const count = LIST_PAGE_SIZE + 20;

  beforeAll(async () => {
    const names = Array.from({ length: count }, (_, i) => `${run}-${i}`);
    for (let i = 0; i < names.length; i += 20) {
      await Promise.all(names.slice(i, i + 20).map(async (name) => {
        await api.createClusterCustomObject({ ...RESOURCE, body: { ...entry(name), metadata: { name, labels } } });
        created.push(name);
      }));
    }
  }, 120_000);

  it('gets a continue token from the API server under the name the informer reads', async () => {
    const page = (await api.listClusterCustomObject({ ...RESOURCE, labelSelector: `test.eksaccess.dev/run=${run}`, limit: 2 })) as { metadata: { continue?: string }; items: unknown[] };
    expect(page.items).toHaveLength(2);
    expect(page.metadata.continue).toEqual(expect.any(String));
  });

  it('caches every object of every page, and names each once', async () => {
    const changes = new ChangeLog();
    const paged = watchAccessEntries(kubeConfig, { labelSelector: `test.eksaccess.dev/run=${run}`, onChange: changes.onChange, log: pino({ level: 'silent' }) });
    try {
      await paged.start();
      expect(paged.list()).toHaveLength(count);
      expect(new Set(changes.since(0)).size).toBe(count);
      const last = `${run}-${count - 1}`;
      expect(paged.get(last)?.metadata).toMatchObject({ name: last, uid: expect.any(String) });
      // The selector is the API server's to apply: the cache holds no labels.
      expect(paged.get(last)?.metadata.labels).toBeUndefined();
    } finally {
      paged.stop();
    }
  });
});

describe('AccessEntry watch whose connection breaks', () => {
  const changes = new ChangeLog();
  const warnings: string[] = [];
  let relay: Relay;
  let watch: AccessEntryWatch;

  beforeAll(async () => {
    const server = kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new Error('the test kubeconfig names no server');
    relay = new Relay(new URL(server));
    const relayedConfig = withServer(kubeConfig, await relay.listen());
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    watch = watchAccessEntries(relayedConfig, {
      onChange: changes.onChange,
      log,
      restartBackoff: { baseMs: 100, maxMs: 1_000 },
    });
    await watch.start();
  });
  afterAll(async () => {
    watch.stop();
    await relay.close();
  });

  it('is restarted, catches up on what changed while it was down, and keeps delivering events', async () => {
    relay.block();
    const whileDown = uniqueName('watch-while-down');
    const mark = changes.mark();
    await create(whileDown);
    // Let restarts fail against the blocked relay before letting them through.
    await waitFor(() => warnings.length >= 2, { description: 'the watch to log failed restarts' });
    expect(warnings.join('\n')).toContain('AccessEntry watch failed; restarting it');
    relay.unblock();

    await waitFor(() => changes.since(mark).includes(whileDown), {
      description: `onChange(${whileDown}) for the object created while the watch was down`,
    });
    expect(watch.get(whileDown)?.metadata.name).toBe(whileDown);

    const afterRestart = uniqueName('watch-after-restart');
    await create(afterRestart);
    await waitFor(() => changes.since(mark).includes(afterRestart), {
      description: `onChange(${afterRestart}) after the restart`,
    });
  });

  it('is restarted again when the connection is reset mid-stream', async () => {
    const failuresBefore = warnings.length;
    relay.sever();
    await waitFor(() => warnings.length > failuresBefore, { description: 'the reset to be logged as a failure' });
    const name = uniqueName('watch-after-reset');
    const mark = changes.mark();
    await create(name);
    await waitFor(() => changes.since(mark).includes(name), { description: `onChange(${name}) after the reset` });
  });
});

// What ListWatchInformer relies on in client-node's public Watch (pinned exactly in package.json):
// if an upgrade changes any of it, these fail before the controller does.
describe("client-node's Watch, as the informer uses it", () => {
  const path = `/apis/${API_GROUP_VERSION}/${PLURAL}`;

  it('hands each event over as (type, plain JSON object), bookmarks included when asked', async () => {
    const name = uniqueName('contract');
    const listed = (await api.listClusterCustomObject({ ...RESOURCE })) as { metadata: { resourceVersion: string } };
    const events: [string, { metadata?: { name?: string; resourceVersion?: string } }][] = [];
    const request = await new Watch(kubeConfig).watch(
      path,
      { resourceVersion: listed.metadata.resourceVersion, allowWatchBookmarks: true },
      (type, object: { metadata?: { name?: string; resourceVersion?: string } }) => events.push([type, object]),
      () => undefined,
    );
    try {
      await create(name);
      const added = await waitFor(() => events.find(([type, obj]) => type === 'ADDED' && obj.metadata?.name === name), {
        description: 'the ADDED event',
      });
      expect(typeof added[1].metadata?.resourceVersion).toBe('string');
    } finally {
      request.abort();
    }
  });

  it('calls done once with no error when the server ends the watch, and once with statusCode on an HTTP error', async () => {
    const ended: unknown[] = [];
    await new Watch(kubeConfig).watch(path, { timeoutSeconds: 1 }, () => undefined, (err) => ended.push(err));
    await waitFor(() => (ended.length > 0 ? true : undefined), { description: 'the server to end the watch', timeoutMs: 10_000 });
    expect(ended).toEqual([null]);

    const refused: unknown[] = [];
    await new Watch(kubeConfig).watch(`/apis/${API_GROUP}/v0/${PLURAL}`, {}, () => undefined, (err) => refused.push(err));
    await waitFor(() => (refused.length > 0 ? true : undefined), { description: 'the refusal' });
    expect(refused).toHaveLength(1);
    expect((refused[0] as { statusCode?: number }).statusCode).toBe(404);
  });
});
