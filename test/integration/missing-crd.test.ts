// An upgrade that forgot crds/ leaves the ClusterAccess CRD missing. The controller must say so,
// in one clear line and in /readyz, keep reconciling the AccessEntries that need no ClusterAccess,
// and pick the CRD up once it is installed, without a restart. CRDs are cluster-wide and the shared
// control plane has them all, so this file runs on a control plane of its own.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  API_GROUP,
  API_GROUP_VERSION,
  API_VERSION,
  CLUSTER_ACCESS_CRD_NAME,
  CLUSTER_ACCESS_KIND,
  CLUSTER_ACCESS_PLURAL,
  KIND,
  PLURAL,
} from '../../src/api/names.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { startControlPlane, type ControlPlane } from '../testenv/control-plane.ts';
import { CRD_FILE, installCrd } from '../testenv/crd.ts';
import { kubectl, uniqueName, waitFor } from '../testenv/kube.ts';
import { freePorts } from '../testenv/ports.ts';
import { ACCOUNT, CLUSTER, role } from './support/harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE = `${ROOT}node_modules/.bin/node`;
const CLUSTER_ACCESS_CRD_FILE = `${ROOT}crds/${CLUSTER_ACCESS_CRD_NAME}.yaml`;
const OTHER_ACCOUNT = '444444444444';
const OTHER_REGION = 'eu-west-1';

let plane: ControlPlane;
let emulator: RunningEmulator;
let controller: { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } | undefined;

beforeAll(async () => {
  plane = await startControlPlane();
  // Only the AccessEntry CRD, as after an upgrade that did not apply crds/.
  await installCrd(plane.kubeConfig, CRD_FILE);
  emulator = await startEmulator({ implicitPrincipals: true });
  emulator.state.createCluster(CLUSTER, { authenticationMode: 'API' });
});

afterEach((context) => {
  if (context.task.result?.state === 'fail') console.log(controller?.output());
});

afterAll(async () => {
  controller?.child.kill('SIGKILL');
  await emulator?.close();
  await plane?.stop();
});

function startController(probePort: number): NonNullable<typeof controller> {
  const child = spawn(
    NODE,
    [
      '--import', 'tsx', 'src/main.ts', '--kubeconfig', plane.kubeconfigPath, '--region', 'us-east-1', '--aws-endpoint', emulator.endpoint,
      '--metrics-bind-address', '0', '--health-probe-bind-address', `127.0.0.1:${probePort}`, '--stalled-retry', '1s',
    ],
    { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } },
  );
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { child, output: () => text, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function readyz(port: number): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: response.status, body: await response.text() };
}

async function createEntry(kc: KubeConfig, name: string, spec: Record<string, unknown>): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: API_GROUP, version: API_VERSION, plural: PLURAL,
    body: { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name }, spec },
  });
}

async function waitReady(name: string): Promise<void> {
  const wait = await kubectl(['wait', '--for=condition=Ready', `accessentry/${name}`, '--timeout=60s'], { kubeconfigPath: plane.kubeconfigPath, timeoutMs: 70_000 });
  expect(wait.code, `${wait.stderr}\n${controller?.output() ?? ''}`).toBe(0);
}

describe('the ClusterAccess CRD missing', () => {
  it('is said once with the command that installs it, keeps /readyz not ready, reconciles what needs no ClusterAccess, and is picked up once installed', async () => {
    const [probePort] = (await freePorts(1)) as [number];
    controller = startController(probePort);
    const missing = `the ${CLUSTER_ACCESS_KIND} CRD (${CLUSTER_ACCESS_CRD_NAME}) is not installed: install it with kubectl apply --server-side -f crds/${CLUSTER_ACCESS_CRD_NAME}.yaml`;
    await waitFor(() => (controller!.output().includes(missing) ? true : undefined), { description: 'the missing-CRD line', timeoutMs: 60_000 });
    const notReady = await waitFor(async () => {
      const probe = await readyz(probePort).catch(() => undefined);
      return probe?.status === 500 ? probe : undefined;
    }, { description: '/readyz to answer' });
    expect(notReady.body).toContain(missing);

    // An AccessEntry whose cluster no ClusterAccess could name is reconciled meanwhile.
    const local = uniqueName('local');
    await createEntry(plane.kubeConfig, local, { clusterName: CLUSTER, principalArn: role(local) });
    await waitReady(local);
    expect(emulator.state.getAccessEntry(CLUSTER, role(local))).toBeDefined();
    expect(controller.output(), 'none of the client library text').not.toContain('page not found');
    expect(controller.output().split(missing).length - 1, 'one line').toBe(1);

    // Installing the CRD later takes effect without a restart.
    await installCrd(plane.kubeConfig, CLUSTER_ACCESS_CRD_FILE);
    await waitFor(async () => ((await readyz(probePort)).status === 200 ? true : undefined), { description: '/readyz to be ready once the CRD is installed', timeoutMs: 60_000 });
    expect(controller.output()).toContain(`the ${CLUSTER_ACCESS_KIND} CRD is installed now`);
    const roleArn = `arn:aws:iam::${OTHER_ACCOUNT}:role/eks-access-entry-controller`;
    emulator.state.setRoleTrust(roleArn, { allowedCallers: [ACCOUNT] });
    const remoteCluster = uniqueName('remote');
    emulator.state.createCluster(remoteCluster, { region: OTHER_REGION, accountId: OTHER_ACCOUNT, authenticationMode: 'API' });
    await plane.kubeConfig.makeApiClient(CustomObjectsApi).createClusterCustomObject({
      group: API_GROUP, version: API_VERSION, plural: CLUSTER_ACCESS_PLURAL,
      body: { apiVersion: API_GROUP_VERSION, kind: CLUSTER_ACCESS_KIND, metadata: { name: remoteCluster }, spec: { clusterName: remoteCluster, region: OTHER_REGION, roleArn } },
    });
    const remote = uniqueName('remote-entry');
    const principal = `arn:aws:iam::${OTHER_ACCOUNT}:role/${remote}`;
    await createEntry(plane.kubeConfig, remote, { clusterName: remoteCluster, principalArn: principal });
    await waitReady(remote);
    expect(emulator.state.getAccessEntry(remoteCluster, principal, { region: OTHER_REGION, accountId: OTHER_ACCOUNT })).toBeDefined();
  });
});
