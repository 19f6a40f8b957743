// Temporary reproduction: writes in flight on a PooledKubeConfig when its connection is reset.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, Watch, type KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { PooledKubeConfig } from '../../../src/kube/pooled-kubeconfig.ts';
import { startControlPlane } from '../../../test/testenv/control-plane.ts';
import { installCrd } from '../../../test/testenv/crd.ts';
import { waitUntilServing } from './wait.ts';
import { Relay, withServer } from '../../../test/testenv/relay.ts';

const R = { group: 'eksaccess.dev', version: 'v1alpha1', plural: 'accessentries' };
const plane = await startControlPlane({ log: () => undefined });
await installCrd(plane.kubeConfig);
await waitUntilServing(plane.kubeConfig);
const admin = plane.kubeConfig.makeApiClient(CustomObjectsApi);
const names = Array.from({ length: Number(process.argv[4] ?? 20) }, (_, i) => `hang-${i}`);
for (const name of names) {
  await admin.createClusterCustomObject({ ...R, body: { apiVersion: 'eksaccess.dev/v1alpha1', kind: 'AccessEntry', metadata: { name }, spec: { clusterName: 'c', principalArn: `arn:aws:iam::123456789012:role/${name}` } } });
}
const relay = new Relay(new URL(plane.serverUrl));
const url = await relay.listen();
const variant = process.argv[2] ?? 'pooled';
const rounds = Number(process.argv[3] ?? 10);
const base = withServer(plane.kubeConfig, url);
const kc: KubeConfig = variant === 'pooled' ? PooledKubeConfig.from(base) : base;
const api = kc.makeApiClient(CustomObjectsApi);
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const patch = (name: string, i: number): Promise<unknown> =>
  api.patchClusterCustomObjectStatus({ ...R, name, body: { status: { observedGeneration: 1, username: `u-${i}-${'x'.repeat(2000)}` } } }, merge);
const outcome = (p: Promise<unknown>, ms: number): Promise<string> =>
  Promise.race([p.then(() => 'ok', (e: unknown) => `error ${(e as Error).message.split('\n')[0]}`), sleep(ms).then(() => 'HUNG')]);
try {
  let watchEnds = 0;
  const watch = (): Promise<unknown> => new Watch(kc).watch(`/apis/eksaccess.dev/v1alpha1/${R.plural}`, {}, () => undefined, () => { watchEnds++; setTimeout(() => void watch().catch(() => { watchEnds++; }), 100); });
  await watch();
  for (let round = 1; round <= rounds; round++) {
    const inflight = names.map((name, i) => patch(name, round * 100 + i));
    await sleep(Math.random() * Number(process.argv[5] ?? 20));
    const cut = relay.sever();
    const results = await Promise.all(inflight.map((p) => outcome(p, 15_000)));
    const tally = results.reduce<Record<string, number>>((t, r) => ((t[r] = (t[r] ?? 0) + 1), t), {});
    const after = await outcome(patch(names[0]!, 0), 15_000);
    console.log(`${variant} round ${round}: cut ${cut}; in flight: ${JSON.stringify(tally)}; a write after: ${after}; watch ended ${watchEnds} times so far`);
    if (after === 'HUNG') break;
  }
} finally {
  await relay.close();
  await plane.stop();
}
process.exit(0);
