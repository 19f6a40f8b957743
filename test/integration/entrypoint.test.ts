// The shipped entry point, run as a process with the shipped RBAC and nothing more.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL } from '../../src/api/names.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { installCrds } from '../testenv/crd.ts';
import { kubectl, testKubeConfig, uniqueName, waitFor } from '../testenv/kube.ts';
import { freePorts } from '../testenv/ports.ts';
import { CLUSTER, role } from './support/harness.ts';
import { serviceAccountKubeconfig } from './support/service-account.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const NAMESPACE = 'eks-access-entry-controller';
const kc = testKubeConfig();
const label = uniqueName('entrypoint');
let emulator: RunningEmulator;
let workDir: string;
let saKubeconfig: string;

const WITH_CREDENTIALS = { HOME: process.env.HOME, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

/** Endpoints off unless a test asks for them: files run in parallel, and ports are shared. */
const NO_ENDPOINTS = ['--metrics-bind-address', '0', '--health-probe-bind-address', '0'];

function runController(
  args: string[],
  env: NodeJS.ProcessEnv = WITH_CREDENTIALS,
): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const child = spawn(TSX, ['src/main.ts', ...NO_ENDPOINTS, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

beforeAll(async () => {
  await installCrds(kc);
  emulator = await startEmulator({ implicitPrincipals: true });
  emulator.state.createCluster(CLUSTER, { authenticationMode: 'API_AND_CONFIG_MAP' });
  workDir = await mkdtemp(join(tmpdir(), 'eaec-entrypoint-'));
  const manifests = ['namespace', 'serviceaccount', 'rbac'].map((f) => ['-f', join(ROOT, `deploy/controller/${f}.yaml`)]).flat();
  const applied = await kubectl(['apply', '--server-side', ...manifests]);
  expect(applied.code, applied.stderr).toBe(0);
  saKubeconfig = join(workDir, 'controller.kubeconfig');
  await serviceAccountKubeconfig(kc, NAMESPACE, 'eks-access-entry-controller', saKubeconfig);
});

async function createLabelled(name: string, run: string): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: API_GROUP, version: API_VERSION, plural: PLURAL,
    body: { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name, labels: { 'test.eksaccess.dev/run': run } }, spec: { clusterName: CLUSTER, principalArn: role(name) } },
  });
}

afterAll(async () => {
  await emulator?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('eks-access-entry-controller entry point', () => {
  it('reconciles with only the shipped RBAC, logs JSON with request ids, records events, serves metrics and probes, and exits cleanly on SIGTERM', async () => {
    const [metricsPort, probePort] = (await freePorts(2)) as [number, number];
    const controller = runController([
      '--kubeconfig', saKubeconfig, '--region', 'us-east-1', '--aws-endpoint', emulator.endpoint,
      '--selector', `test.eksaccess.dev/run=${label}`, '--log-level', 'debug',
      '--metrics-bind-address', `127.0.0.1:${metricsPort}`, '--health-probe-bind-address', `127.0.0.1:${probePort}`,
    ]);
    try {
      const name = uniqueName('cli');
      await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
        group: API_GROUP, version: API_VERSION, plural: PLURAL,
        body: { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name, labels: { 'test.eksaccess.dev/run': label } }, spec: { clusterName: CLUSTER, principalArn: role(name) } },
      });
      const wait = await kubectl(['wait', '--for=condition=Ready', `accessentry/${name}`, '--timeout=60s']);
      expect(wait.code, `${wait.stderr}\n${controller.output()}`).toBe(0);

      const lines = controller.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.some((l) => l.accessEntry === name && typeof l.awsRequestId === 'string')).toBe(true);
      // No --controller-id: the id is derived from kube-system (readable with the shipped RBAC) and logged.
      const started = lines.find((l) => l.msg === 'controller started');
      expect(started?.controllerId).toMatch(/^eks-access-entry-controller-[0-9a-f]{12}$/);

      const events = await waitFor(async () => {
        const list = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: 'default', fieldSelector: `involvedObject.name=${name}` });
        return list.items.find((e) => e.reason === 'Created');
      }, { description: 'a Created event', timeoutMs: 10_000 });
      expect(events.message).toContain('arn:aws:eks:');

      const ready = await fetch(`http://127.0.0.1:${probePort}/readyz`);
      expect(ready.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${probePort}/healthz`)).status).toBe(200);
      const exposition = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(exposition).toMatch(/^controller_runtime_reconcile_total\{controller="accessentry",result="requeue_after"\} [1-9]/m);
      expect(exposition).toMatch(/^eks_access_entry_aws_api_calls_total\{.*operation="CreateAccessEntry".*\} [1-9]/m);
      expect(exposition).toMatch(/^eks_access_entry_resources\{.*condition="Ready".*\} [1-9]/m);
    } finally {
      controller.child.kill('SIGTERM');
    }
    expect(await controller.exited).toBe(0);
    expect(controller.output()).toContain('stopped');
  });

  it('without any AWS credentials stalls the resource with a message naming the fix, instead of retrying forever', async () => {
    const noCredentials = { HOME: workDir, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: join(workDir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'none') };
    const controller = runController(
      ['--kubeconfig', saKubeconfig, '--region', 'us-east-1', '--aws-endpoint', emulator.endpoint, '--selector', `test.eksaccess.dev/run=${label}-nocreds`],
      noCredentials,
    );
    try {
      const name = uniqueName('nocreds');
      await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
        group: API_GROUP, version: API_VERSION, plural: PLURAL,
        body: { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name, labels: { 'test.eksaccess.dev/run': `${label}-nocreds` } }, spec: { clusterName: CLUSTER, principalArn: role(name) } },
      });
      const wait = await kubectl(['wait', '--for=jsonpath={.status.conditions[?(@.type=="Stalled")].reason}=InvalidAwsCredentials', `accessentry/${name}`, '--timeout=60s']);
      expect(wait.code, `${wait.stderr}\n${controller.output()}`).toBe(0);
      const message = await kubectl(['get', `accessentry/${name}`, '-o', 'jsonpath={.status.conditions[?(@.type=="Stalled")].message}']);
      expect(message.stdout).toContain('found no AWS credentials');
      expect(message.stdout).toContain('IRSA');
      expect(emulator.calls.log().filter((call) => call.principalArn === role(name))).toEqual([]);
    } finally {
      controller.child.kill('SIGTERM');
    }
    expect(await controller.exited).toBe(0);
  });

  it("with EKS pointed at the emulator the SDK's way and STS left at AWS, says that STS cannot be reached and which settings point it", async () => {
    const run = `${label}-sts`;
    // AWS_ENDPOINT_URL_EKS points EKS only: STS stays at sts.us-east-1.amazonaws.com, unreachable here.
    const controller = runController(['--kubeconfig', saKubeconfig, '--region', 'us-east-1', '--selector', `test.eksaccess.dev/run=${run}`], {
      ...WITH_CREDENTIALS,
      AWS_ENDPOINT_URL_EKS: emulator.endpoint,
    });
    try {
      const name = uniqueName('sts-at-aws');
      await createLabelled(name, run);
      const wait = await kubectl(['wait', '--for=jsonpath={.status.conditions[?(@.type=="Ready")].status}=False', `accessentry/${name}`, '--timeout=60s']);
      expect(wait.code, `${wait.stderr}\n${controller.output()}`).toBe(0);
      const message = await kubectl(['get', `accessentry/${name}`, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].message}']);
      for (const fragment of ['STS could not be reached', 'GetCallerIdentity', 'AWS_ENDPOINT_URL_STS', '--sts-endpoint']) expect(message.stdout).toContain(fragment);
      // The request budget is per account: nothing went to EKS for an account it could not name.
      expect(emulator.calls.log().filter((call) => call.principalArn === role(name))).toEqual([]);
    } finally {
      controller.child.kill('SIGTERM');
    }
    expect(await controller.exited).toBe(0);
  });

  it("honours AWS_ENDPOINT_URL_EKS and AWS_ENDPOINT_URL_STS, the SDK's own settings, without flags", async () => {
    const run = `${label}-sdk-env`;
    const controller = runController(['--kubeconfig', saKubeconfig, '--region', 'us-east-1', '--selector', `test.eksaccess.dev/run=${run}`], {
      ...WITH_CREDENTIALS,
      AWS_ENDPOINT_URL_EKS: emulator.endpoint,
      AWS_ENDPOINT_URL_STS: emulator.endpoint,
    });
    try {
      const name = uniqueName('sdk-env');
      await createLabelled(name, run);
      const wait = await kubectl(['wait', '--for=condition=Ready', `accessentry/${name}`, '--timeout=60s']);
      expect(wait.code, `${wait.stderr}\n${controller.output()}`).toBe(0);
      expect(emulator.calls.log().some((call) => call.operation === 'GetCallerIdentity')).toBe(true);
    } finally {
      controller.child.kill('SIGTERM');
    }
    expect(await controller.exited).toBe(0);
  });

  it('ends within its shutdown timeout on SIGTERM, even with an AWS call that never answers', async () => {
    const name = uniqueName('hung');
    emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'Timeout', principalArn: role(name) });
    const creates = emulator.calls.count('CreateAccessEntry');
    const controller = runController([
      '--kubeconfig', saKubeconfig, '--region', 'us-east-1', '--aws-endpoint', emulator.endpoint,
      '--selector', `test.eksaccess.dev/run=${label}-hung`, '--shutdown-timeout', '2s',
    ]);
    await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
      group: API_GROUP, version: API_VERSION, plural: PLURAL,
      body: { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name, labels: { 'test.eksaccess.dev/run': `${label}-hung` } }, spec: { clusterName: CLUSTER, principalArn: role(name) } },
    });
    // Counted on arrival: the create is in flight, and the emulator will never answer it.
    await waitFor(() => (emulator.calls.count('CreateAccessEntry') > creates ? true : undefined), { description: 'the create to reach the emulator', timeoutMs: 30_000 });
    const signalled = Date.now();
    controller.child.kill('SIGTERM');
    await controller.exited;
    expect(Date.now() - signalled).toBeLessThan(6_000);
    expect(controller.output()).toContain('shutdown timed out');
  });

  it('answers --help and rejects a bad flag with a message saying what to fix', async () => {
    const help = runController(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain('--aws-endpoint');
    const bad = runController(['--region', 'us-east-1', '--resync', 'often']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('--resync often is not a duration');
  });
});
