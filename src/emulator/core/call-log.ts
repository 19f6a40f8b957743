// The recent calls, one record each, so tests can see who called what with which token and what
// came back (a retried create reusing its clientRequestToken; two callers told apart by user agent).
import type { Operation } from '../operations.ts';

export const DEFAULT_CALL_LOG_LIMIT = 10_000;

export interface CallLogEntry {
  /** When the request arrived, ISO 8601. */
  time: string;
  /** The `x-amzn-requestid` answered (the SDK's `$metadata.requestId`). */
  requestId: string;
  operation: Operation;
  accountId: string;
  region: string;
  clusterName?: string;
  principalArn?: string;
  /** The policy an AssociateAccessPolicy or DisassociateAccessPolicy call was about. */
  policyArn?: string;
  clientRequestToken?: string;
  /** The role an AssumeRole call asked for. */
  roleArn?: string;
  /** The role or user an IAM call named (RoleName, UserName). */
  roleName?: string;
  userName?: string;
  /** The access key id of the SigV4 scope; absent on unsigned requests. */
  accessKeyId?: string;
  /**
   * The session the call was made under, when its access key is one AssumeRole issued:
   * `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` (also for expired or refused credentials).
   */
  assumedRole?: string;
  /** HTTP status answered; 0 when nothing was (Timeout, DropConnection, LoseResponse). */
  status: number;
  /** The error name answered (EKS name, or STS or IAM code), or that the call met even if its answer was lost. */
  error?: string;
  /** The fault kind injected, if any. */
  fault?: string;
  userAgent?: string;
  /** Time from arrival to answer (or to giving up on answering). */
  ms: number;
}

/** A bounded list: past `limit` entries the oldest are dropped. */
export class CallLog {
  private readonly limit: number;
  private entries: CallLogEntry[] = [];

  constructor(limit = DEFAULT_CALL_LOG_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`the call log limit must be a whole number ≥ 1, got ${limit}`);
    this.limit = limit;
  }

  add(entry: CallLogEntry): void {
    this.entries.push({ ...entry });
    // Trim in batches so a full log does not copy itself on every call.
    if (this.entries.length >= this.limit * 2) this.entries = this.entries.slice(-this.limit);
  }

  /** Oldest first, at most `limit`; copies. */
  list(): CallLogEntry[] {
    return this.entries.slice(-this.limit).map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.entries = [];
  }
}
