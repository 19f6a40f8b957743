// The test control plane is a real, secured Kubernetes API: right version, persistent objects,
// authentication and RBAC enforced. And a crashed run's leftovers are cleaned by the next one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, KubeConfig, type User } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_SCRIPT } from '../testenv/binaries.ts';
import { applyYaml, kubectl, testKubeConfig, uniqueName, waitFor } from '../testenv/kube.ts';
import { OWNER_FILE, WORK_DIR_PREFIX, cleanStaleWorkDirs, ownRecord, type OwnerRecord } from '../testenv/stale.ts';

/** The same kubeconfig cluster (server and CA) with other credentials. */
function kubeConfigAs(user: User): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser(testKubeConfig().getCurrentCluster()!, user);
  return kubeConfig;
}

async function statusOf(request: Promise<unknown>): Promise<number> {
  try {
    await request;
    return 200;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

describe('the test control plane', () => {
  it('serves the Kubernetes version build.sh stamped, to kubectl of the same version', async () => {
    const script = await readFile(BUILD_SCRIPT, 'utf8');
    const expected = /K8S_VERSION="\$\{K8S_VERSION:-(v[0-9.]+)\}"/.exec(script)?.[1];
    expect(expected).toMatch(/^v1\.\d+\.\d+$/);

    const result = await kubectl(['version', '--output=json']);
    expect(result.stderr).toBe('');
    const versions = JSON.parse(result.stdout) as Record<'clientVersion' | 'serverVersion', { gitVersion: string }>;
    expect(versions.serverVersion.gitVersion).toBe(expected);
    expect(versions.clientVersion.gitVersion).toBe(expected);
  });

  it('stores a namespace and reads it back', async () => {
    const core = testKubeConfig().makeApiClient(CoreV1Api);
    const name = uniqueName('cp-namespace');
    await core.createNamespace({ body: { metadata: { name, labels: { purpose: 'testenv' } } } });
    const read = await core.readNamespace({ name });
    expect(read.metadata?.labels).toMatchObject({ purpose: 'testenv' });
    expect(read.metadata?.uid).toBeTruthy();
  });

  it('refuses a client without credentials', async () => {
    const anonymous = kubeConfigAs({ name: 'anonymous' }).makeApiClient(CoreV1Api);
    expect([401, 403]).toContain(await statusOf(anonymous.listNamespace()));
  });

  it('authenticates ServiceAccount tokens and authorizes them with RBAC only', async () => {
    const admin = testKubeConfig();
    const core = admin.makeApiClient(CoreV1Api);
    const namespace = uniqueName('cp-rbac');
    const name = 'reader';
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
    const tokenRequest = await core.createNamespacedServiceAccountToken({
      namespace,
      name,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const asServiceAccount = kubeConfigAs({ name, token: tokenRequest.status!.token }).makeApiClient(CoreV1Api);

    const denial = await asServiceAccount.listNamespacedSecret({ namespace }).catch((error: unknown) => error);
    expect(denial).toBeInstanceOf(ApiException);
    expect((denial as ApiException<string>).code).toBe(403);
    // Authenticated as itself, not as anonymous: the token was accepted, the request refused.
    expect(String((denial as ApiException<string>).body)).toContain(`system:serviceaccount:${namespace}:${name}`);

    await applyYaml(
      admin,
      `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: read-secrets, namespace: ${namespace} }
rules: [{ apiGroups: [''], resources: [secrets], verbs: [list] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: read-secrets, namespace: ${namespace} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-secrets }
subjects: [{ kind: ServiceAccount, name: ${name}, namespace: ${namespace} }]
`,
    );
    await waitFor(async () => (await statusOf(asServiceAccount.listNamespacedSecret({ namespace }))) === 200, {
      description: 'the RoleBinding to let the ServiceAccount list secrets',
      timeoutMs: 10_000,
    });
  });
});

describe('cleaning up after a crashed run', () => {
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const child of started) child.kill('SIGKILL');
  });

  /** A long-running process whose command line names file, as etcd's names its data dir. */
  async function leftoverProcess(file: string): Promise<ChildProcess> {
    await writeFile(file, '');
    const child = spawn('tail', ['-f', file], { stdio: 'ignore' });
    started.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    return child;
  }

  const isRunning = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

  async function workDir(root: string, suffix: string, owner: OwnerRecord | null): Promise<string> {
    const dir = join(root, `${WORK_DIR_PREFIX}${suffix}`);
    await mkdir(dir);
    if (owner !== null) await writeFile(join(dir, OWNER_FILE), JSON.stringify(owner));
    return dir;
  }

  it('kills what a dead owner left behind and removes its directory, and nothing else', async () => {
    const root = await mkdtemp(join(tmpdir(), 'eaec-stale-test-'));
    try {
      const deadPid = spawnSync('true').pid;
      const dead = await workDir(root, 'dead', null);
      const leftover = await leftoverProcess(join(dead, 'etcd.log'));
      // A recorded pid now used by an unrelated process (its command line does not name the dir).
      const unrelated = await leftoverProcess(join(root, 'unrelated.log'));
      await writeFile(
        join(dead, OWNER_FILE),
        JSON.stringify({
          ownerPid: deadPid,
          ownerStartTime: null,
          children: [{ name: 'etcd', pid: leftover.pid! }, { name: 'kube-apiserver', pid: unrelated.pid! }],
        } satisfies OwnerRecord),
      );
      const alive = await workDir(root, 'alive', ownRecord([]));
      const aliveChild = await leftoverProcess(join(alive, 'etcd.log'));
      await writeFile(join(alive, OWNER_FILE), JSON.stringify(ownRecord([{ name: 'etcd', pid: aliveChild.pid! }])));
      const unownedFresh = await workDir(root, 'starting', null);
      const unownedOld = await workDir(root, 'ancient', null);
      const anHourAgo = new Date(Date.now() - 3_600_000);
      await utimes(unownedOld, anHourAgo, anHourAgo);

      const removed = await cleanStaleWorkDirs(root, () => {});

      expect(removed.sort()).toEqual([unownedOld, dead].sort());
      await waitFor(() => !isRunning(leftover), { description: 'the leftover process to be killed', timeoutMs: 5_000 });
      expect(isRunning(unrelated)).toBe(true);
      expect(isRunning(aliveChild)).toBe(true);
      for (const kept of [alive, unownedFresh]) expect((await stat(kept)).isDirectory()).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('shared test helpers', () => {
  const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

  it.each([
    ['cp-namespace', /^cp-namespace-[0-9a-f]{8}$/],
    ['Access_Entry Test', /^access-entry-test-[0-9a-f]{8}$/],
    ['-x-', /^x-[0-9a-f]{8}$/],
    ['a'.repeat(100), /^a{54}-[0-9a-f]{8}$/],
  ])('uniqueName(%j) is a fresh DNS-1123 label', (prefix, shape) => {
    const first = uniqueName(prefix);
    expect(first).toMatch(shape);
    expect(first).toMatch(DNS_1123_LABEL);
    expect(first.length).toBeLessThanOrEqual(63);
    expect(uniqueName(prefix)).not.toBe(first);
  });

  it.each(['', '___', '!!'])('uniqueName(%j) says the prefix is unusable', (prefix) => {
    expect(() => uniqueName(prefix)).toThrow(/needs a prefix with at least one letter or digit/);
  });

  it('waitFor returns the first truthy value and reports the last one on timeout', async () => {
    let calls = 0;
    const thirdCall = waitFor(() => (++calls >= 3 ? `done after ${calls}` : ''), {
      description: 'three calls',
      intervalMs: 1,
    });
    await expect(thirdCall).resolves.toBe('done after 3');

    const never = waitFor(() => ({ ready: false }).ready, { description: 'the thing', timeoutMs: 50, intervalMs: 5 });
    await expect(never).rejects.toThrow(/timed out after 50 ms waiting for the thing; last value: false/);
  });
});
