// The temporary credentials AssumeRole has issued, by access key id, so a later call signed with
// one of them can be told apart: which role and session it acts as, and whether it has expired.
import { createHash, randomBytes } from 'node:crypto';
import { partitionForRegion, type RoleArn } from '../core/arn.ts';
import { ID_ALPHABET, randomWord } from '../core/ids.ts';

/** One issued set of temporary credentials and the session they stand for. */
export interface RoleSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Whole seconds, as STS writes it, so the SDK and the emulator agree to the second. */
  expiration: Date;
  issuedAt: Date;
  /** The IAM role ARN that was assumed, path included. */
  roleArn: string;
  /** The role's account: calls signed with this key act in it. */
  accountId: string;
  sessionName: string;
  /** `arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION`, what GetCallerIdentity answers. */
  arn: string;
  /** `AROA…:SESSION`. */
  assumedRoleId: string;
  /** The ARN of the caller that assumed the role. */
  assumedBy: string;
}

/** Who is calling, as STS sees it: the account, the ARN, and the session when the key is a temporary one. */
export interface CallerPrincipal {
  accountId: string;
  arn: string;
  userId: string;
  session?: RoleSession;
}

/** The IAM user every caller with long-term (not AssumeRole) credentials appears as; only its account changes. */
export const STS_CALLER_NAME = 'emulator';

/** A caller with long-term credentials: the emulator's IAM user in the account, in the region's partition. */
export function userPrincipal(accountId: string, region: string): CallerPrincipal {
  return { accountId, arn: `arn:${partitionForRegion(region)}:iam::${accountId}:user/${STS_CALLER_NAME}`, userId: `AIDAEMULATOR${accountId}` };
}

export interface NewSession {
  role: RoleArn;
  /** The role's unique id, when IAM has the role. */
  roleId?: string;
  sessionName: string;
  lifetimeSeconds: number;
  assumedBy: string;
}

/** Enough for any soak run; past it the oldest sessions are forgotten (and their keys with them). */
export const MAX_SESSIONS = 100_000;


export class SessionDirectory {
  private readonly byAccessKey = new Map<string, RoleSession>();
  private readonly limit: number;

  constructor(limit = MAX_SESSIONS) {
    this.limit = limit;
  }

  /** Issues new credentials; returns the session and the access keys forgotten to stay within the limit. */
  issue(input: NewSession, now: Date): { session: RoleSession; evicted: string[] } {
    const issuedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const session: RoleSession = {
      accessKeyId: `ASIA${randomWord(16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(120).toString('base64'),
      expiration: new Date(issuedAt.getTime() + input.lifetimeSeconds * 1000),
      issuedAt,
      roleArn: input.role.arn,
      accountId: input.role.accountId,
      sessionName: input.sessionName,
      arn: assumedRoleArn(input.role, input.sessionName),
      assumedRoleId: `${input.roleId ?? roleId(input.role.arn)}:${input.sessionName}`,
      assumedBy: input.assumedBy,
    };
    this.byAccessKey.set(session.accessKeyId, session);
    return { session: copy(session), evicted: this.evictOldest() };
  }

  find(accessKeyId: string | undefined): RoleSession | undefined {
    const session = accessKeyId === undefined ? undefined : this.byAccessKey.get(accessKeyId);
    return session === undefined ? undefined : copy(session);
  }

  /** Oldest first. */
  list(): RoleSession[] {
    return [...this.byAccessKey.values()].map(copy);
  }

  /** Ends the matching sessions now (all without a filter); returns how many were still valid. */
  expire(filter: { accessKeyId?: string; roleArn?: string }, now: Date): number {
    let ended = 0;
    for (const session of this.byAccessKey.values()) {
      // A filter field left out matches every session.
      const matches = (filter.accessKeyId ?? session.accessKeyId) === session.accessKeyId && (filter.roleArn ?? session.roleArn) === session.roleArn;
      if (!matches || session.expiration.getTime() <= now.getTime()) continue;
      session.expiration = new Date(now.getTime());
      ended += 1;
    }
    return ended;
  }

  clear(): void {
    this.byAccessKey.clear();
  }

  private evictOldest(): string[] {
    const evicted: string[] = [];
    for (const accessKeyId of this.byAccessKey.keys()) {
      if (this.byAccessKey.size <= this.limit) break;
      this.byAccessKey.delete(accessKeyId);
      evicted.push(accessKeyId);
    }
    return evicted;
  }
}

/** For a role IAM does not have: a unique id (`AROA` + 17), stable per role ARN as a real role's is for its life. */
function roleId(roleArn: string): string {
  const digest = createHash('sha256').update(roleArn).digest();
  return `AROA${[...digest.subarray(0, 17)].map((byte) => ID_ALPHABET[byte % 32]).join('')}`;
}

function copy(session: RoleSession): RoleSession {
  return { ...session, expiration: new Date(session.expiration), issuedAt: new Date(session.issuedAt) };
}

/** `arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION`: the role's path is not part of it. */
function assumedRoleArn(role: RoleArn, sessionName: string): string {
  return `arn:${role.partition}:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`;
}
