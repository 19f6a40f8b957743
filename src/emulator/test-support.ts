// Shared setup for the emulator's tests: an emulator per test file, real SDK clients against it.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { EKSClient, type EKSClientConfig } from '@aws-sdk/client-eks';
import { IAMClient, type IAMClientConfig } from '@aws-sdk/client-iam';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from './index.ts';

export const ACCOUNT = '123456789012';
export const role = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const user = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;
export const policy = (name: string): string => `arn:aws:eks::aws:cluster-access-policy/${name}`;
/** SDK credentials with this access key id (the secret is never checked). */
export const credentials = (accessKeyId: string): { accessKeyId: string; secretAccessKey: string } => ({ accessKeyId, secretAccessKey: 'any-secret' });

/** An admin API answer: the status and the JSON body. */
export interface AdminReply {
  status: number;
  json: Record<string, unknown>;
}

/** Calls the admin API the way every caller must: JSON content type on every write, body or not. */
export async function adminCall(endpoint: string, method: string, path: string, body?: unknown): Promise<AdminReply> {
  const response = await fetch(`${endpoint}/_emulator${path}`, {
    method,
    ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' } }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

export interface TestBed {
  emulator: RunningEmulator;
  /** `adminCall` on this emulator: `admin('PUT', '/latency', { ms: 200 })`. */
  admin(method: string, path: string, body?: unknown): Promise<AdminReply>;
  /** A client with retries off (maxAttempts 1), so a fault is seen exactly once. */
  client(overrides?: Partial<EKSClientConfig>): EKSClient;
  /** An STS client on the same endpoint, retries off too. */
  sts(overrides?: Partial<STSClientConfig>): STSClient;
  /** An IAM client on the same endpoint (IAM is signed for us-east-1), retries off too. */
  iam(overrides?: Partial<IAMClientConfig>): IAMClient;
  /** Resets the emulator and creates `demo` (API_AND_CONFIG_MAP) in us-east-1. */
  fresh(): void;
  close(): Promise<void>;
}

export async function startTestBed(options: EmulatorOptions = {}): Promise<TestBed> {
  const emulator = await startEmulator({ accountId: ACCOUNT, ...options });
  const clients: { destroy(): void }[] = [];
  const defaults = { endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 };
  return {
    emulator,
    admin: (method, path, body) => adminCall(emulator.endpoint, method, path, body),
    client(overrides = {}) {
      const client = new EKSClient({ ...defaults, ...overrides });
      clients.push(client);
      return client;
    },
    sts(overrides = {}) {
      const client = new STSClient({ ...defaults, ...overrides });
      clients.push(client);
      return client;
    },
    iam(overrides = {}) {
      const client = new IAMClient({ ...defaults, ...overrides });
      clients.push(client);
      return client;
    },
    fresh() {
      emulator.state.reset();
      emulator.faults.reset();
      emulator.calls.reset();
      emulator.state.createCluster('demo', { authenticationMode: 'API_AND_CONFIG_MAP' });
    },
    async close() {
      for (const client of clients) client.destroy();
      await emulator.close();
    },
  };
}

/** The test bed and its client, set once the file's beforeAll has run. */
export interface TestBedHandle {
  bed: TestBed;
  eks: EKSClient;
}

/**
 * Starts one emulator for the calling test file, gives every test a fresh one (cluster `demo`),
 * and closes it after the file. Register further beforeEach hooks after calling this.
 */
export function useTestBed(options: EmulatorOptions = {}): TestBedHandle {
  const handle = {} as TestBedHandle;
  beforeAll(async () => {
    handle.bed = await startTestBed(options);
    handle.eks = handle.bed.client();
  });
  afterAll(() => handle.bed.close());
  beforeEach(() => handle.bed.fresh());
  return handle;
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; requestId?: string } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
