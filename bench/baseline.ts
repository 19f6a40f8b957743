// The floor no controller can beat: the same AWS calls made by a bare SDK loop at the same
// concurrency against the same emulator.
import { CreateAccessEntryCommand, EKSClient } from '@aws-sdk/client-eks';
import type { BenchEnvironment } from './environment.ts';
import { REGION } from './environment.ts';
import { inParallel, principalOf } from './workload.ts';

/** Milliseconds to make `count` CreateAccessEntry calls, `concurrency` at a time. */
export async function sdkCreateLoop(env: BenchEnvironment, count: number, concurrency: number): Promise<number> {
  const cluster = `baseline-${count}-${concurrency}-${Date.now()}`;
  env.emulator.state.createCluster(cluster, { authenticationMode: 'API' });
  const eks = new EKSClient({ region: REGION, endpoint: env.emulator.endpoint, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const names = Array.from({ length: count }, (_, i) => `baseline-${i}`);
  const started = performance.now();
  await inParallel(names, concurrency, async (name) => {
    await eks.send(new CreateAccessEntryCommand({ clusterName: cluster, principalArn: principalOf(name), kubernetesGroups: ['team'], tags: { bench: 'baseline' } }));
  });
  const elapsed = performance.now() - started;
  eks.destroy();
  env.emulator.state.deleteCluster(cluster);
  return elapsed;
}
