// What GitOps tools judge an AccessEntry by, tried on objects the controller really wrote: the
// tools' own code (Argo CD's gopher-lua, cli-utils' kstatus) built once into a cache by
// scripts/tools/*.sh, and a real AccessEntry driven into each state such a tool must tell apart.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { AccessEntry } from '../../../src/api/accessentry.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL } from '../../../src/api/names.ts';
import { Reason } from '../../../src/api/reasons.ts';
import { uniqueName, waitFor } from '../../testenv/kube.ts';
import { CLUSTER, Harness, role } from './harness.ts';

const TOOLS_DIR = fileURLToPath(new URL('../../../scripts/tools/', import.meta.url));

/** A cold build takes minutes on a loaded 2-core machine; a cached one is instant. */
export const TOOL_BUILD_TIMEOUT_MS = 20 * 60_000;

export interface Verdict {
  status: string;
  message: string;
}

interface Output {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], input: string, onStderr?: (chunk: string) => void): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      onStderr?.(chunk);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Builds (or finds in the cache) scripts/tools/NAME and returns the binary's path. Progress shows on stderr. */
export async function buildTool(name: 'lua-health' | 'kstatus'): Promise<string> {
  const script = `${TOOLS_DIR}${name}.sh`;
  const result = await run('bash', [script], '', (chunk) => process.stderr.write(chunk));
  const path = result.stdout.trim().split('\n').at(-1);
  if (result.code !== 0 || !path) throw new Error(`${script} failed (exit ${result.code}):\n${result.stderr}`);
  return path;
}

/**
 * Runs a tool on objects (one JSON array on stdin) and returns its verdict on each. A verdict the
 * tool could not reach (a script error, an unknown status) fails here, with the tool's words.
 */
export async function judge(binary: string, args: string[], objects: readonly object[]): Promise<Verdict[]> {
  const result = await run(binary, args, JSON.stringify(objects));
  if (result.code !== 0) throw new Error(`${binary} failed (exit ${result.code}): ${result.stderr}`);
  const answers = JSON.parse(result.stdout) as (Verdict & { error?: string })[];
  return answers.map((answer, index) => {
    if (answer.error !== undefined) throw new Error(`${binary} on object ${index}: ${answer.error}`);
    return { status: answer.status, message: answer.message ?? '' };
  });
}

/** One verdict on one object. */
export async function judgeOne(binary: string, args: string[], object: object): Promise<Verdict> {
  const [verdict] = await judge(binary, args, [object]);
  if (!verdict) throw new Error(`${binary} gave no verdict`);
  return verdict;
}

/**
 * Real AccessEntries in the states a GitOps tool must tell apart, each read back from the API
 * server as the controller left it. Each scenario cleans up its faults before it returns.
 */
export class StatusScenarios {
  constructor(private readonly h: Harness) {}

  /** Synced: the entry in EKS matches the spec. */
  async ready(): Promise<AccessEntry> {
    const name = await this.#create(uniqueName('ready'));
    return this.h.waitForReady(name);
  }

  /**
   * Just applied, before any controller acted on it: labelled for no controller, as an object
   * reads in the moment between `kubectl apply` and the controller's first status write.
   */
  async unseen(): Promise<AccessEntry> {
    const api = this.h.kc.makeApiClient(CustomObjectsApi);
    const name = uniqueName('unseen');
    const target = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
    const body = {
      apiVersion: API_GROUP_VERSION,
      kind: KIND,
      metadata: { name, labels: { 'test.eksaccess.dev/run': uniqueName('no-controller') } },
      spec: { clusterName: CLUSTER, principalArn: role(name) },
    };
    await api.createClusterCustomObject({ ...target, body });
    try {
      return (await api.getClusterCustomObject({ ...target, name })) as AccessEntry;
    } finally {
      await api.deleteClusterCustomObject({ ...target, name });
    }
  }

  /** Reconciling/Progressing: the new generation is marked, its create is still on its way to EKS. */
  async reconciling(): Promise<AccessEntry> {
    this.h.emulator.faults.setLatency(1_500, 'CreateAccessEntry');
    try {
      const name = await this.#create(uniqueName('reconciling'));
      return await this.h.waitForCondition(name, 'Reconciling', { status: 'True', reason: Reason.Progressing }, 5_000);
    } finally {
      this.h.emulator.faults.setLatency(0, 'CreateAccessEntry');
    }
  }

  /** Reconciling/Throttled: EKS answers ThrottlingException, the controller backs off and retries. */
  async throttled(): Promise<AccessEntry> {
    const name = uniqueName('throttled');
    const fault = this.h.emulator.faults.add({ operation: '*', fault: 'ThrottlingException', principalArn: role(name), rate: 1 });
    try {
      await this.#create(name);
      return await this.h.waitForCondition(name, 'Reconciling', { status: 'True', reason: Reason.Throttled });
    } finally {
      this.h.emulator.faults.remove(fault);
    }
  }

  /** Stalled/AuthenticationModeConfigMap: the cluster cannot hold access entries until switched. */
  async stalledConfigMap(): Promise<AccessEntry> {
    const cluster = uniqueName('legacy');
    this.h.emulator.state.createCluster(cluster, { authenticationMode: 'CONFIG_MAP' });
    const name = uniqueName('cfgmap');
    await this.h.create(name, { clusterName: cluster, principalArn: role(name) });
    return this.h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.AuthenticationModeConfigMap });
  }

  /** Stalled/NotOwned: EKS already has an entry for the principal that nobody manages. */
  async stalledNotOwned(): Promise<AccessEntry> {
    const name = uniqueName('notowned');
    this.h.emulator.state.seedAccessEntry(CLUSTER, { principalArn: role(name) });
    await this.#create(name);
    return this.h.waitForCondition(name, 'Stalled', { status: 'True', reason: Reason.NotOwned });
  }

  /** Ready=False/Expired: spec.expiresAt has passed, the access ended as asked (not an error). */
  async expired(): Promise<AccessEntry> {
    const name = uniqueName('expired');
    await this.h.create(name, { clusterName: CLUSTER, principalArn: role(name), expiresAt: '2020-01-01T00:00:00Z' });
    return this.h.waitForCondition(name, 'Ready', { status: 'False', reason: Reason.Expired });
  }

  /** Ready for generation 1, then edited while the controller was down: the status describes an older spec. */
  async newerGeneration(): Promise<AccessEntry> {
    const name = await this.#create(uniqueName('edited'));
    await this.h.waitForReady(name);
    await this.h.stopController();
    try {
      return await this.h.patchSpec(name, { kubernetesGroups: ['edited'] });
    } finally {
      await this.h.startController();
    }
  }

  /**
   * Deleted, with the finalizer held while EKS answers the controller's delete with server
   * errors. `release` lets the deletion finish and waits until the object is gone.
   */
  async deleting(): Promise<{ object: AccessEntry; release: () => Promise<void> }> {
    const name = await this.#create(uniqueName('deleting'));
    await this.h.waitForReady(name);
    const fault = this.h.emulator.faults.add({ operation: '*', fault: 'ServerException', principalArn: role(name), rate: 1 });
    await this.h.delete(name);
    const object = await waitFor(
      async () => {
        const obj = await this.h.get(name);
        const ready = obj?.status?.conditions?.find((c) => c.type === 'Ready');
        return obj?.metadata.deletionTimestamp && ready?.reason === Reason.AwsServerError ? obj : undefined;
      },
      { description: `${name} to be held Terminating by the failing delete`, timeoutMs: 30_000 },
    );
    const release = async (): Promise<void> => {
      this.h.emulator.faults.remove(fault);
      await this.h.waitForGone(name);
    };
    return { object, release };
  }

  /** Creates an AccessEntry named `name` for this file's controller. */
  async #create(name: string): Promise<string> {
    await this.h.create(name, { clusterName: CLUSTER, principalArn: role(name), kubernetesGroups: ['viewers'] });
    return name;
  }
}
