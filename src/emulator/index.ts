// Public API of the EKS emulator: start it in-process, then point an EKSClient at `endpoint`.
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { CallCounter } from './calls.ts';
import { FaultInjector } from './faults.ts';
import { createEmulatorServer } from './server.ts';
import { EmulatorState } from './state.ts';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default '123456789012'. */
  accountId?: string;
  /** Region for requests without a SigV4 credential scope, and for state methods without `region`. Default 'us-east-1'. */
  defaultRegion?: string;
  /** One info line per EKS call when given. */
  logger?: Logger;
}

export interface RunningEmulator {
  /** e.g. 'http://127.0.0.1:45123' */
  endpoint: string;
  port: number;
  /** Direct read/write access, for tests, benchmarks and demos. */
  state: EmulatorState;
  faults: FaultInjector;
  calls: CallCounter;
  /** Closes the server and its open sockets, hung "Timeout" requests included. */
  close(): Promise<void>;
}

const ACCOUNT_ID = /^\d{12}$/;

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const accountId = options.accountId ?? '123456789012';
  if (!ACCOUNT_ID.test(accountId)) throw new Error(`accountId must be 12 digits, got '${accountId}'`);
  const host = options.host ?? '127.0.0.1';
  const state = new EmulatorState({ accountId, defaultRegion: options.defaultRegion ?? 'us-east-1' });
  const faults = new FaultInjector();
  const calls = new CallCounter();
  const { server, close } = createEmulatorServer({ state, faults, calls, ...(options.logger ? { logger: options.logger } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { endpoint: `http://${urlHost}:${port}`, port, state, faults, calls, close };
}

export { CallCounter } from './calls.ts';
export { EmulatorState, DEFAULT_ENTRY_QUOTA } from './state.ts';
export type { AccessEntryChanges, CreateClusterOptions, SeedAccessEntryInput } from './state.ts';
export { FaultInjector, FAULT_KINDS } from './faults.ts';
export type { ActiveFaultRule, FaultKind, FaultRule } from './faults.ts';
export type { RateLimit } from './rate-limit.ts';
export { EKS_OPERATIONS, WRITE_OPERATIONS } from './operations.ts';
export type { EksOperation } from './operations.ts';
export { AUTHENTICATION_MODES } from './model.ts';
export type { AccessEntryRecord, AccessScope, AssociatedPolicyRecord, AuthenticationMode, ClusterRecord, RegionOption } from './model.ts';
