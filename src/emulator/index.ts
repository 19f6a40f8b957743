// Public API of the EKS emulator: start it in-process, then point an EKSClient (and an
// STSClient, for GetCallerIdentity and AssumeRole, and an IAMClient, for roles and users) at `endpoint`.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { assertAccountId } from './core/accounts.ts';
import { AuditLog, auditFile } from './core/audit.ts';
import { present } from './core/optional.ts';
import { CallCounter } from './core/calls.ts';
import { FaultInjector } from './faults/faults.ts';
import { createEmulatorServer } from './server.ts';
import { EmulatorState } from './state.ts';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The default account: for unmapped access keys, unsigned requests and state methods without `accountId`. Default '123456789012'. */
  accountId?: string;
  /** Region for requests without a SigV4 credential scope, and for state methods without `region`. Default 'us-east-1'. */
  defaultRegion?: string;
  /** How long idle keep-alive connections stay open. Default 120,000 (Node's own default is 5,000). */
  keepAliveTimeoutMs?: number;
  /**
   * For this long after CreateAccessEntry, AssociateAccessPolicy on the new entry answers
   * ResourceNotFoundException, as real EKS sometimes does. Default 0 (off); see state.setAssociationDelay.
   */
  associationDelayMs?: number;
  /**
   * CreateAccessEntry (and seeded entries) of a principal the emulator's IAM does not have create
   * it first, as if it had been made before: real EKS accepts only principals that exist, and a
   * controller that reads IAM then finds them. Default false.
   */
  implicitPrincipals?: boolean;
  /** The state's clock (session expiry, the association window, timestamps). Default: the real time (a fake Date moves it). */
  now?: () => Date;
  /** One info line per call when given. */
  logger?: Logger;
  /**
   * Append the IAM audit record of every call answered to this file (JSON lines). Without it, the
   * environment variable EKS_EMULATOR_AUDIT_DIR (a directory) gives each emulator a file of its
   * own there; with neither, no record is made.
   */
  auditFile?: string;
}

export interface RunningEmulator {
  /** e.g. 'http://127.0.0.1:45123' */
  endpoint: string;
  port: number;
  /** Direct read/write access, for tests, benchmarks and demos. */
  state: EmulatorState;
  faults: FaultInjector;
  calls: CallCounter;
  /** The file the IAM audit records go to, when they are written. */
  auditFile?: string;
  /** TCP connections the server has accepted since it started (admin requests included). */
  connectionsAccepted(): number;
  /** Closes the server and its open sockets, hung "Timeout" requests included. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const state = new EmulatorState({
    accountId: assertAccountId(options.accountId ?? '123456789012'),
    defaultRegion: options.defaultRegion ?? 'us-east-1',
    ...present('associationDelayMs', options.associationDelayMs),
    ...present('implicitPrincipals', options.implicitPrincipals),
    ...present('now', options.now),
  });
  const faults = new FaultInjector();
  const calls = new CallCounter();
  const file = auditFile(options.auditFile);
  const audit = file === undefined ? undefined : new AuditLog(file);
  const { server, connectionsAccepted, close } = createEmulatorServer(
    { state, faults, calls, ...present('logger', options.logger), ...present('audit', audit) },
    present('keepAliveTimeoutMs', options.keepAliveTimeoutMs),
  );
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { endpoint: `http://${urlHost}:${port}`, port, state, faults, calls, ...present('auditFile', file), connectionsAccepted, close };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export { AUDIT_DIR_ENV } from './core/audit.ts';
export type { AuditRecord, Authorization } from './core/audit.ts';
export { CallCounter } from './core/calls.ts';
export type { CallCounterOptions } from './core/calls.ts';
export { DEFAULT_CALL_LOG_LIMIT } from './core/call-log.ts';
export type { CallLogEntry } from './core/call-log.ts';
export { EmulatorState, DEFAULT_ENTRY_QUOTA } from './state.ts';
export type { AccessEntryChanges, CreateClusterOptions, SeedAccessEntryInput } from './state.ts';
export { FaultInjector, FAULT_KINDS, ERROR_FAULT_KINDS, CREDENTIAL_FAULT_KINDS, CONNECTION_FAULT_KINDS } from './faults/faults.ts';
export type { ActiveFaultRule, CredentialFaultKind, FaultKind, FaultRule } from './faults/faults.ts';
export { SIMULATED_CLOCK_SKEW_MS } from './faults/credential-faults.ts';
export { accessPolicyArn, BUILT_IN_ACCESS_POLICIES } from './eks/policies/access-policies.ts';
export type { AccessPolicy, AccessPolicyDefinition, AddAccessPolicyOptions } from './eks/policies/access-policies.ts';
export { ASSOCIATION_OPERATIONS, DEFAULT_DELAYED_OPERATIONS } from './eks/policies/association-delay.ts';
export type { AssociationDelay, AssociationOperation } from './eks/policies/association-delay.ts';
export type { RateLimit } from './faults/rate-limit.ts';
export { DEFAULT_KEEP_ALIVE_TIMEOUT_MS } from './core/keep-alive.ts';
export { STS_CALLER_NAME } from './sts/sts.ts';
export type { AssumeRoleInput } from './sts/assume-role-input.ts';
export { DEFAULT_SESSION_SECONDS, MIN_SESSION_SECONDS } from './sts/assume-role-input.ts';
export { ROLE_CHAINING_MAX_SECONDS } from './sts/role-assumption.ts';
export { MAX_SESSIONS } from './sts/role-sessions.ts';
export type { CallerPrincipal, RoleSession } from './sts/role-sessions.ts';
export { MAX_SESSION_SECONDS } from './sts/role-trust.ts';
export type { RoleTrust } from './sts/role-trust.ts';
export { EKS_OPERATIONS, IAM_OPERATIONS, OPERATIONS, STS_OPERATIONS, WRITE_OPERATIONS } from './operations.ts';
export type { EksOperation, IamOperation, Operation, Service, StsOperation } from './operations.ts';
export { IamState } from './iam/iam-state.ts';
export type { CreateRoleInput, CreateUserInput, ListPrincipalsFilter } from './iam/iam-state.ts';
export { isRole, principalIdOf } from './iam/principals.ts';
export type { IamPrincipal, IamRole, IamUser } from './iam/principals.ts';
export { AUTHENTICATION_MODES } from './eks/model.ts';
export type { AccessEntryRecord, AccessScope, AssociatedPolicyRecord, AuthenticationMode, ClusterRecord } from './eks/model.ts';
export type { Location, LocationOption, RegionOption } from './core/location.ts';
export type { Authentication } from './authenticator.ts';
