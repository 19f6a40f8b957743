// Helpers the integration tests share, all talking to the control plane of the global setup.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  loadAllYaml,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { inject } from 'vitest';

const FIELD_MANAGER = 'eaec-integration-tests';
const DNS_LABEL_MAX = 63;
const SUFFIX_LENGTH = 8;

/** Admin KubeConfig of the shared control plane. */
export function testKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(inject('kubeconfigPath'));
  return kubeConfig;
}

/**
 * A DNS-1123 label starting with prefix and ending in a random suffix, so test files running in
 * parallel (and reruns against a namespace stuck Terminating) never collide.
 */
export function uniqueName(prefix: string): string {
  const cleaned = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, DNS_LABEL_MAX - SUFFIX_LENGTH - 1)
    .replace(/-+$/, '');
  if (cleaned === '') {
    throw new Error(`uniqueName needs a prefix with at least one letter or digit, got ${JSON.stringify(prefix)}`);
  }
  const suffix = randomBytes(SUFFIX_LENGTH).toString('hex').slice(0, SUFFIX_LENGTH);
  return `${cleaned}-${suffix}`;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (for `apply -f -`). */
  input?: string;
  /** Another kubeconfig, e.g. one holding a ServiceAccount token. Default: the admin one. */
  kubeconfigPath?: string;
  timeoutMs?: number;
}

/** Runs the cached kubectl against the shared control plane. Never throws on a non-zero exit. */
export function kubectl(args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  const kubeconfigPath = options.kubeconfigPath ?? inject('kubeconfigPath');
  return new Promise((resolve, reject) => {
    const child = spawn(inject('kubectlPath'), [`--kubeconfig=${kubeconfigPath}`, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout, stderr, code }));
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Server-side applies every document of a (multi-document) YAML text and returns the objects as
 * the server stored them.
 */
export async function applyYaml(kubeConfig: KubeConfig, yamlText: string): Promise<KubernetesObject[]> {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  const documents = (loadAllYaml(yamlText) as unknown[]).filter((doc): doc is KubernetesObject => doc != null);
  const applied: KubernetesObject[] = [];
  for (const [index, doc] of documents.entries()) {
    if (!doc.apiVersion || !doc.kind || !doc.metadata?.name) {
      throw new Error(`applyYaml: document ${index + 1} needs apiVersion, kind and metadata.name`);
    }
    applied.push(await client.patch(doc, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
  }
  return applied;
}

export interface WaitForOptions {
  /** What is being waited for, as it should read in the failure: "the Ready condition". */
  description: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Calls fn until it returns something truthy and returns that. A throw counts as "not yet". On
 * timeout it fails with the description and the last value or error seen.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, options: WaitForOptions): Promise<NonNullable<T>> {
  const { description, timeoutMs = 20_000, intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      last = `last value: ${JSON.stringify(value)}`;
    } catch (error) {
      last = `last error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}; ${last}`);
    }
    await sleep(intervalMs);
  }
}
