// What every benchmark runs against: the test control plane (real kube-apiserver + etcd), the
// AccessEntry CRD, the EKS emulator in this process, and the compiled controller.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.ts';
import { startControlPlane, type ControlPlane } from '../test/testenv/control-plane.ts';
import { installCrd, installCrds } from '../test/testenv/crd.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLUSTER = 'bench';
export const REGION = 'us-east-1';

export interface BenchEnvironment {
  plane: ControlPlane;
  emulator: RunningEmulator;
  close(): Promise<void>;
}

export async function startEnvironment(log: (line: string) => void): Promise<BenchEnvironment> {
  log('building dist/ (the controller runs compiled, as in the image)');
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
  const plane = await startControlPlane({ log });
  // BENCH_CRD installs another CRD file, to weigh what its validation rules cost the API server.
  await installCrds(plane.kubeConfig);
  // BENCH_CRD replaces the AccessEntry CRD, to weigh what its validation rules cost the API server.
  if (process.env.BENCH_CRD) await installCrd(plane.kubeConfig, process.env.BENCH_CRD);
  const emulator = await startEmulator({ implicitPrincipals: true });
  emulator.state.createCluster(CLUSTER, { authenticationMode: 'API' });
  emulator.state.setEntryQuota(100_000);
  return {
    plane,
    emulator,
    close: async () => {
      await emulator.close();
      await plane.stop();
    },
  };
}
