// What every benchmark runs against: the test control plane (real kube-apiserver + etcd), the
// AccessEntry CRD, the EKS emulator in this process, and the compiled controller.
import { execFile } from 'node:child_process';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.ts';
import { startControlPlane, type ControlPlane } from '../test/testenv/control-plane.ts';
import { installCrd, installCrds } from '../test/testenv/crd.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLUSTER = 'bench';
export const REGION = 'us-east-1';
/** tsc's output as it was before the bundle replaced its main.js: the baseline of the memory figures. */
export const UNBUNDLED_DIR = join(ROOT, '.cache', 'bench', 'unbundled');

export interface BenchEnvironment {
  plane: ControlPlane;
  emulator: RunningEmulator;
  close(): Promise<void>;
}

export async function startEnvironment(log: (line: string) => void): Promise<BenchEnvironment> {
  await build(log);
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

/** What `npm run build` does, with a copy of tsc's output kept before the bundle replaces dist/main.js. */
async function build(log: (line: string) => void): Promise<void> {
  const run = promisify(execFile);
  log('building dist/ as the image does (tsc, then the bundle), and the unbundled build beside it');
  await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
  await rm(UNBUNDLED_DIR, { recursive: true, force: true });
  await cp(join(ROOT, 'dist'), UNBUNDLED_DIR, { recursive: true });
  await run(join(ROOT, 'node_modules', '.bin', 'node'), [join(ROOT, 'scripts', 'bundle.ts')], { cwd: ROOT });
}
