// Temporary reproduction: a watch and concurrent requests on a PooledKubeConfig, then a reset.
import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { PooledKubeConfig } from '../../../src/kube/pooled-kubeconfig.ts';
import { startControlPlane } from '../../../test/testenv/control-plane.ts';
import { installCrd } from '../../../test/testenv/crd.ts';
import { waitUntilServing } from './wait.ts';
import { Relay, withServer } from '../../../test/testenv/relay.ts';

const plane = await startControlPlane({ log: () => undefined });
await installCrd(plane.kubeConfig);
await waitUntilServing(plane.kubeConfig);
const relay = new Relay(new URL(plane.serverUrl));
const url = await relay.listen();
const variant = process.argv[2] ?? 'pooled';
const base = withServer(plane.kubeConfig, url);
const kc: KubeConfig = variant === 'pooled' ? PooledKubeConfig.from(base) : base;
const api = kc.makeApiClient(CustomObjectsApi);
const list = (): Promise<unknown> => api.listClusterCustomObject({ group: 'eksaccess.dev', version: 'v1alpha1', plural: 'accessentries' });
const outcome = (p: Promise<unknown>, ms = 10_000): Promise<string> =>
  Promise.race([p.then(() => 'ok', (e: unknown) => `error ${(e as Error).message.split('\n')[0]}`), sleep(ms).then(() => `HUNG ${ms} ms`)]);
try {
  let watchEnded = 'not ended';
  await new Watch(kc).watch('/apis/eksaccess.dev/v1alpha1/accessentries', {}, () => undefined, (err) => (watchEnded = `ended: ${String(err)}`));
  await sleep(500);
  const burst = Array.from({ length: Number(process.argv[3] ?? 8) }, () => list());
  await sleep(5);
  console.log(`cut ${relay.sever()} connection(s) with a watch and 8 requests open`);
  const results = await Promise.all(burst.map((p) => outcome(p)));
  console.log(`${variant}: the 8 in flight: ${results.join(' | ')}`);
  await sleep(5_000);
  console.log(`${variant}: watch 5 s after the cut: ${watchEnded}`);
  console.log(`${variant}: list after: ${await outcome(list())}`);
  console.log(`${variant}: connections through the relay now: ${relay.sever()}`);
} finally {
  await relay.close();
  await plane.stop();
}
process.exit(0);
