// The IAM audit record: for every call answered, what IAM's authorizer would have seen (action,
// resource ARN, caller, request context), one JSON line each, so a test can evaluate afterwards
// every call a client made against an IAM policy, as IAM would. The shape is a contract shared
// with that test (see the README's "IAM audit record").
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Service } from '../operations.ts';

/** The environment variable naming a directory where each emulator appends to a file of its own. */
export const AUDIT_DIR_ENV = 'EKS_EMULATOR_AUDIT_DIR';

/** The resource a call is authorized on, and the request context IAM's condition keys read. */
export interface Authorization {
  /** The ARN IAM authorizes the call on; `*` for calls on no resource. */
  resourceArn: string;
  /** aws:RequestTag/*: the tags the request sets (CreateAccessEntry, CreateCluster, TagResource). */
  requestTags?: Record<string, string>;
  /** aws:TagKeys: the keys the request sets or (UntagResource) removes. */
  tagKeys?: string[];
  /** aws:ResourceTag/*: the addressed resource's tags before the call; absent when it does not exist. */
  resourceTags?: Record<string, string>;
  /** eks:principalArn */
  principalArn?: string;
  /** eks:accessEntryType: the requested type on Create (when sent), the entry's on the others. */
  accessEntryType?: string;
  /** eks:kubernetesGroups: the requested groups on Create and Update (when sent), the entry's on the others. */
  kubernetesGroups?: string[];
  /** eks:username: like kubernetesGroups. */
  username?: string;
  /** eks:clusterName, on the calls authorized on an access entry. */
  clusterName?: string;
  /** eks:policyArn (AssociateAccessPolicy, DisassociateAccessPolicy). */
  policyArn?: string;
  /** eks:accessScope and eks:namespaces (AssociateAccessPolicy). */
  accessScope?: { type: string; namespaces?: string[] };
  /** sts:RoleSessionName (AssumeRole). */
  roleSessionName?: string;
  /** sts:ExternalId (AssumeRole). */
  externalId?: string;
}

export interface AuditRecord extends Authorization {
  /** When the request arrived, ISO 8601. */
  time: string;
  service: Service;
  /** As IAM names it: `eks:CreateAccessEntry`, `sts:AssumeRole`, `iam:GetRole`. */
  action: string;
  /** The account the call acted in. */
  accountId: string;
  region: string;
  /** The caller identity ARN: the emulator's IAM user for long-term keys, the assumed-role session for AssumeRole credentials. */
  callerArn: string;
  userAgent?: string;
  /** HTTP status answered; 0 when nothing was. */
  status: number;
  /** The error name answered. */
  error?: string;
}

/** Appends one line per call, synchronously, so a test process killed midway loses nothing already answered. */
export class AuditLog {
  readonly file: string;

  /** Creates the file (and its directory) at once, so a run with no calls still leaves one. */
  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, '');
    this.file = file;
  }

  write(record: AuditRecord): void {
    appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }
}

/**
 * The file to write: the option when given, else a file of this emulator's own in the directory
 * the environment names (`<dir>/<pid>-<random>.jsonl`, so parallel emulators never share one),
 * else none (nothing is written, nothing is computed).
 */
export function auditFile(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (option !== undefined) return option;
  const dir = env[AUDIT_DIR_ENV];
  if (dir === undefined || dir === '') return undefined;
  return path.join(dir, `${process.pid}-${randomBytes(6).toString('hex')}.jsonl`);
}
