// Temporary reproduction: a PooledKubeConfig whose HTTP/2 connection is reset.
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { PooledKubeConfig } from '../../../src/kube/pooled-kubeconfig.ts';
import { startControlPlane } from '../../../test/testenv/control-plane.ts';
import { installCrd } from '../../../test/testenv/crd.ts';
import { Relay, withServer } from '../../../test/testenv/relay.ts';

const plane = await startControlPlane({ log: () => undefined });
await installCrd(plane.kubeConfig);
const relay = new Relay(new URL(plane.serverUrl));
const url = await relay.listen();
const variant = process.argv[2] ?? 'pooled';
const base = withServer(plane.kubeConfig, url);
const kc: KubeConfig = variant === 'pooled' ? PooledKubeConfig.from(base) : base;
const api = kc.makeApiClient(CustomObjectsApi);
const list = (): Promise<unknown> => api.listClusterCustomObject({ group: 'eksaccess.dev', version: 'v1alpha1', plural: 'accessentries' });
const timed = async (what: string): Promise<void> => {
  const started = performance.now();
  const outcome = await Promise.race([list().then(() => 'ok', (e: unknown) => `error ${(e as Error).message}`), sleep(10_000).then(() => 'HUNG 10 s')]);
  console.log(`${variant}: ${what}: ${outcome} after ${(performance.now() - started).toFixed(0)} ms`);
};
try {
  await timed('first list');
  console.log(`cut ${relay.sever()} connection(s)`);
  await sleep(100);
  await timed('list after the cut');
  await timed('another list');
  // a cut while a request is in flight
  const inflight = list().then(() => 'ok', (e: unknown) => `error ${(e as Error).message}`);
  console.log(`cut ${relay.sever()} connection(s) during a request`);
  console.log(`${variant}: in-flight: ${await Promise.race([inflight, sleep(10_000).then(() => 'HUNG 10 s')])}`);
  await timed('list after the in-flight cut');
} finally {
  await relay.close();
  await plane.stop();
}
process.exit(0);
