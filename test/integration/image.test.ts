// The image, as far as it can be checked without a container engine: the Dockerfile's build
// steps on a temporary copy (scripts/image-smoke.ts), then the built dist/main.js with production
// dependencies only, as the image's numeric user, without capabilities, on a read-only root file
// system, with the shipped RBAC, reconciling an AccessEntry against the EKS emulator.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL } from '../../src/api/names.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { installCrds } from '../testenv/crd.ts';
import { kubectl, testKubeConfig, uniqueName, waitFor } from '../testenv/kube.ts';
import { assembleImage, entrypoint, finalUser, readableFile, ROOT, runImage, type ImageProcess, type ImageTree } from '../../scripts/image-smoke.ts';
import { CLUSTER, role } from './support/harness.ts';
import { serviceAccountKubeconfig } from './support/service-account.ts';

const NAMESPACE = 'eks-access-entry-controller';
const kc = testKubeConfig();
const label = uniqueName('image');
let emulator: RunningEmulator;
let tree: ImageTree;
let kubeconfigPath: string;
let image: ImageProcess | undefined;

beforeAll(async () => {
  await installCrds(kc);
  emulator = await startEmulator({ implicitPrincipals: true });
  emulator.state.createCluster(CLUSTER, { authenticationMode: 'API' });
  const manifests = ['namespace', 'serviceaccount', 'rbac'].flatMap((f) => ['-f', join(ROOT, `deploy/controller/${f}.yaml`)]);
  const applied = await kubectl(['apply', '--server-side', ...manifests]);
  expect(applied.code, applied.stderr).toBe(0);
  // npm ci --omit=dev and tsc: about 15 s, more on a loaded machine.
  tree = await assembleImage((line) => process.stderr.write(`[image] ${line}\n`));
  const sa = await serviceAccountKubeconfig(kc, NAMESPACE, 'eks-access-entry-controller', join(tree.root, 'sa.kubeconfig'));
  kubeconfigPath = await readableFile(tree, 'controller.kubeconfig', sa.exportConfig());
}, 300_000);

afterAll(async () => {
  image?.child.kill('SIGKILL');
  await emulator?.close();
  // The tree is read-only by design; root removes it all the same.
  if (tree) await rm(tree.root, { recursive: true, force: true });
});

/** The script the image's ENTRYPOINT runs, relative to its WORKDIR. */
const finalEntry = (image: ImageTree): string => entrypoint(image.dockerfile).at(-1)!;

/** Runs the workspace's node with `args` in `cwd`; resolves with its exit code and output. */
function runNode(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/node'), args, { cwd, env: { PATH: process.env.PATH } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Every package directory under node_modules, scoped ones as @scope/name. */
async function installedPackages(nodeModules: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(nodeModules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) names.push(...(await readdir(join(nodeModules, entry))).map((name) => `${entry}/${name}`));
    else names.push(entry);
  }
  return names;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('the image tree the Dockerfile builds', () => {
  it('holds production dependencies only, and no test code', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const installed = await installedPackages(join(tree.app, 'node_modules'));
    for (const dependency of Object.keys(pkg.dependencies)) expect(installed).toContain(dependency);
    // A devDependency may be there only because a production package needs it too (@types/node
    // is a dependency of @kubernetes/client-node); typescript, vitest, tsx, eslint and the node
    // binary of development must not be.
    const neededInProduction = new Set(Object.keys(pkg.dependencies));
    for (const name of installed) {
      const manifest = JSON.parse(await readFile(join(tree.app, 'node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      for (const dependency of Object.keys(manifest.dependencies ?? {})) neededInProduction.add(dependency);
    }
    const devOnly = Object.keys(pkg.devDependencies).filter((name) => !neededInProduction.has(name));
    expect(devOnly).toEqual(expect.arrayContaining(['typescript', 'vitest', 'tsx', 'eslint', 'node']));
    expect(installed.filter((name) => devOnly.includes(name))).toEqual([]);
    const dist = await filesUnder(join(tree.app, 'dist'));
    expect(dist).toContain('main.js');
    expect(dist.filter((file) => /\.test\.|(^|\/)test(-support)?[./]|emulator/.test(file))).toEqual([]);
    expect((await readdir(tree.app)).sort()).toEqual(['dist', 'node_modules', 'package.json']);
  });

  it('runs one bundle: its entry point starts on its own, with no node_modules to load packages from', async () => {
    // ES module imports are resolved before any code runs: a package left out of the bundle would
    // fail --help with ERR_MODULE_NOT_FOUND.
    const alone = await mkdtemp(join(tmpdir(), 'eaec-bundle-'));
    try {
      await cp(join(tree.app, finalEntry(tree)), join(alone, 'main.mjs'));
      const help = await runNode([join(alone, 'main.mjs'), '--help'], alone);
      expect(help.code, help.output).toBe(0);
      expect(help.output).toContain('--kubeconfig');
    } finally {
      await rm(alone, { recursive: true, force: true });
    }
  });

  it('is read-only, even for its owner', async () => {
    const { mode } = await stat(join(tree.app, 'dist/main.js'));
    expect(mode & 0o222).toBe(0);
    expect((await stat(tree.app)).mode & 0o222).toBe(0);
  });
});

describe('the image, run as the image runs it', () => {
  it('reconciles an AccessEntry to Ready as uid 65532, without capabilities, on a read-only root, leading by a Lease as deployed, and stops cleanly on SIGTERM', async () => {
    const { uid, gid } = finalUser(tree.dockerfile);
    expect(uid).toBe(65532);
    const lease = uniqueName('image-lease');
    image = runImage(
      tree,
      [
        '--kubeconfig', kubeconfigPath, '--region', 'us-east-1', '--aws-endpoint', emulator.endpoint,
        '--selector', `test.eksaccess.dev/run=${label}`, '--metrics-bind-address', '0', '--health-probe-bind-address', '0',
        '--leader-elect', '--leader-election-namespace', NAMESPACE, '--leader-election-id', lease,
      ],
      { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true' },
    );
    const running = image;
    try {
      const started = await waitFor(() => (running.output().includes('"controller started"') ? true : undefined), {
        description: 'the controller to start',
        timeoutMs: 60_000,
      }).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${running.output()}`);
      });
      expect(started).toBe(true);

      // Who the process is, as the kernel sees it.
      const status = await readFile(`/proc/${running.child.pid}/status`, 'utf8');
      expect(status).toMatch(new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, 'm'));
      expect(status).toMatch(new RegExp(`^Gid:\\s+${gid}\\s+${gid}\\s+${gid}\\s+${gid}$`, 'm'));
      expect(status).toMatch(/^CapEff:\s+0+$/m);
      expect(status).toMatch(/^CapBnd:\s+0+$/m);
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
      const mounts = await readFile(`/proc/${running.child.pid}/mounts`, 'utf8');
      expect(mounts.split('\n').find((line) => line.split(' ')[1] === '/')).toMatch(/\sro[,\s]/);

      const name = uniqueName('image');
      await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
        group: API_GROUP, version: API_VERSION, plural: PLURAL,
        body: { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name, labels: { 'test.eksaccess.dev/run': label } }, spec: { clusterName: CLUSTER, principalArn: role(name) } },
      });
      const wait = await kubectl(['wait', '--for=condition=Ready', `accessentry/${name}`, '--timeout=60s']);
      expect(wait.code, `${wait.stderr}\n${running.output()}`).toBe(0);
      expect(emulator.state.getAccessEntry(CLUSTER, role(name))?.tags?.['eksaccess.dev/managed-by']).toMatch(/^eks-access-entry-controller-[0-9a-f]{12}$/);

      // The bundle keeps only the Kubernetes models its calls name: the Lease it leads by, its
      // times among them, is written as the API server expects and read back.
      const held = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: NAMESPACE, name: lease });
      expect(held.spec?.holderIdentity).toBeTruthy();
      expect(Date.parse(String(held.spec?.renewTime))).toBeGreaterThan(Date.now() - 60_000);

      await kubectl(['delete', `accessentry/${name}`, '--timeout=30s']);
      expect(emulator.state.getAccessEntry(CLUSTER, role(name))).toBeUndefined();
    } finally {
      running.child.kill('SIGTERM');
    }
    expect(await running.exited, running.output()).toBe(0);
    // Nothing went wrong that the log would show: no write refused by the read-only root, no crash.
    expect(running.output()).not.toMatch(/EROFS|EACCES|"level":(50|60)/);
  });
});
