// A real kube-apiserver backed by a real etcd, on free loopback ports in a fresh temporary
// directory, for integration tests and the local demo ("envtest" without controller-runtime).
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ensureBinaries } from './binaries.ts';
import { createCertificates, type Certificates } from './certs.ts';
import { installExitGuard } from './exit-guard.ts';
import { apiserverArgs, etcdArgs } from './flags.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { freePorts } from './ports.ts';
import { startProcess, type ManagedProcess } from './process.ts';
import { ProcessFailedError, probe, waitUntilReady } from './readiness.ts';
import { WORK_DIR_PREFIX, cleanStaleWorkDirs, ownRecord, writeOwnerRecord } from './stale.ts';

export { ensureBinaries } from './binaries.ts';

export interface ControlPlane {
  /** Admin kubeconfig file (client certificate CN=admin, O=system:masters). */
  kubeconfigPath: string;
  /** Loaded from kubeconfigPath. */
  kubeConfig: KubeConfig;
  /** https://127.0.0.1:PORT */
  serverUrl: string;
  /** Where kube-apiserver, etcd and kubectl live. */
  binDir: string;
  kubectlPath: string;
  /** Kills both processes (SIGTERM, then SIGKILL after a grace) and removes the work directory. Idempotent. */
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  log?: (line: string) => void;
  /** Directory in which the `eaec-testenv-*` work directory is made (default: the OS temp dir). */
  workDir?: string;
}

const ETCD_READY_TIMEOUT_MS = 30_000;
// A loaded CI machine can take most of a minute to run every post-start hook.
const APISERVER_READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const START_ATTEMPTS = 3;

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const root = options.workDir ?? tmpdir();
  await cleanStaleWorkDirs(root, log);
  const binDir = await ensureBinaries(log);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startInFreshDir(binDir, root, log);
    } catch (error) {
      if (!(error instanceof ProcessFailedError && error.portWasTaken) || attempt === START_ATTEMPTS) throw error;
      log('a port was taken by another process while starting; trying again on new ports');
    }
  }
}

async function startInFreshDir(binDir: string, root: string, log: (line: string) => void): Promise<ControlPlane> {
  const workDir = await mkdtemp(join(root, WORK_DIR_PREFIX));
  const processes: ManagedProcess[] = [];
  await writeOwnerRecord(workDir, ownRecord([]));
  const guard = installExitGuard(() => {
    for (const child of processes) child.killNow();
    rmSync(workDir, { recursive: true, force: true });
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      guard.remove();
      // Newest first: an apiserver whose etcd is already gone hangs until it is killed, while
      // one stopped first exits in about a second.
      for (const child of [...processes].reverse()) await child.stop(STOP_GRACE_MS);
      await rm(workDir, { recursive: true, force: true, maxRetries: 3 });
    })());

  const launch = async (name: string, args: string[]): Promise<ManagedProcess> => {
    const child = await startProcess(name, join(binDir, name), args, { logFile: join(workDir, `${name}.log`) });
    processes.push(child);
    await writeOwnerRecord(workDir, ownRecord(processes.map(({ name, pid }) => ({ name, pid }))));
    return child;
  };

  try {
    const [etcdClient, etcdPeer, apiserverPort] = (await freePorts(3)) as [number, number, number];
    const certs = await createCertificates(join(workDir, 'pki'));
    log(`starting etcd and kube-apiserver in ${workDir}`);

    const etcd = await launch('etcd', etcdArgs(workDir, { client: etcdClient, peer: etcdPeer }));
    await waitUntilReady(etcd, () => probe(`http://127.0.0.1:${etcdClient}/health`), ETCD_READY_TIMEOUT_MS);

    const serverUrl = `https://127.0.0.1:${apiserverPort}`;
    const apiserver = await launch('kube-apiserver', apiserverArgs(workDir, apiserverPort, etcdClient, certs));
    const adminTls = await adminTlsOptions(certs);
    await waitUntilReady(apiserver, () => probe(`${serverUrl}/readyz`, adminTls), APISERVER_READY_TIMEOUT_MS);

    const kubeconfigPath = join(workDir, 'kubeconfig');
    await writeKubeconfig(kubeconfigPath, serverUrl, certs.caCert, {
      clientCertFile: certs.adminCert,
      clientKeyFile: certs.adminKey,
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    return { kubeconfigPath, kubeConfig, serverUrl, binDir, kubectlPath: join(binDir, 'kubectl'), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function adminTlsOptions(certs: Certificates): Promise<{ ca: Buffer; cert: Buffer; key: Buffer }> {
  const [ca, cert, key] = await Promise.all([readFile(certs.caCert), readFile(certs.adminCert), readFile(certs.adminKey)]);
  return { ca, cert, key };
}
