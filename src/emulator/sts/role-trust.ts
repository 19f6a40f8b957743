// Who may assume a role: the emulator's stand-in for a role's trust policy. A role without an
// entry trusts everybody (the emulator has no IAM to ask); a role with one answers AccessDenied to
// callers it does not list and to a missing or wrong ExternalId, as STS does (one answer for both,
// so a caller cannot tell which condition failed).
import { parseRoleArn } from '../core/arn.ts';
import type { CallerPrincipal } from './role-sessions.ts';

export interface RoleTrust {
  /** The sts:ExternalId the caller must send; absent, any (or none) is accepted. */
  externalId?: string;
  /**
   * Who may assume the role: 12-digit account ids, `arn:PARTITION:iam::ACCOUNT:root`, principal
   * ARNs (an IAM role ARN also admits that role's sessions), or `*`. Absent: everybody.
   */
  allowedCallers?: string[];
  /** The role's MaxSessionDuration in seconds, 3600–43200; absent, 43200. */
  maxSessionDuration?: number;
}

export const MAX_SESSION_SECONDS = 43_200;
const MIN_MAX_SESSION_SECONDS = 3_600;
/** The characters STS allows in an ExternalId (2 to 1224 of them). */
export const EXTERNAL_ID_CHARACTERS = /^[\w+=,.@:/-]*$/;
const ACCOUNT_ID = /^\d{12}$/;
const ROOT = /^arn:[^:]+:iam::(\d{12}):root$/;

export class RoleTrustTable {
  private readonly byRole = new Map<string, RoleTrust>();

  /** Replaces the role's entry; throws an Error naming the field to fix. */
  set(roleArn: string, trust: unknown): RoleTrust {
    if (parseRoleArn(roleArn) === undefined) throw new Error(`roleArn must be an IAM role ARN like arn:aws:iam::123456789012:role/NAME, got '${roleArn}'`);
    const checked = parseRoleTrust(trust);
    this.byRole.set(roleArn, checked);
    return copyTrust(checked);
  }

  get(roleArn: string): RoleTrust | undefined {
    const trust = this.byRole.get(roleArn);
    return trust === undefined ? undefined : copyTrust(trust);
  }

  remove(roleArn: string): boolean {
    return this.byRole.delete(roleArn);
  }

  /** roleArn → trust. */
  list(): Record<string, RoleTrust> {
    return Object.fromEntries([...this.byRole].map(([roleArn, trust]) => [roleArn, copyTrust(trust)]));
  }

  clear(): void {
    this.byRole.clear();
  }
}

/** True when the trust entry (if any) lets this caller, with this ExternalId, assume the role. */
export function trustAdmits(trust: RoleTrust | undefined, caller: CallerPrincipal, externalId: string | undefined): boolean {
  if (trust === undefined) return true;
  if (trust.externalId !== undefined && trust.externalId !== externalId) return false;
  return trust.allowedCallers === undefined || trust.allowedCallers.some((allowed) => callerIs(allowed, caller));
}

function callerIs(allowed: string, caller: CallerPrincipal): boolean {
  if (allowed === '*' || allowed === caller.accountId || allowed === caller.arn) return true;
  if (caller.session !== undefined && allowed === caller.session.roleArn) return true;
  return ROOT.exec(allowed)?.[1] === caller.accountId;
}

const TRUST_FIELDS = new Set(['externalId', 'allowedCallers', 'maxSessionDuration']);

/** Checks a trust entry from code, the admin API or the CLI; unknown fields are refused so a typo is not silently ignored. */
export function parseRoleTrust(value: unknown): RoleTrust {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('a role trust entry must be an object like {"externalId": "abc", "allowedCallers": ["123456789012"]}');
  }
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).find((field) => !TRUST_FIELDS.has(field));
  if (unknown !== undefined) throw new Error(`a role trust entry has only externalId, allowedCallers and maxSessionDuration, got '${unknown}'`);
  const { externalId, allowedCallers, maxSessionDuration } = fields;
  return {
    ...(externalId === undefined ? {} : { externalId: checkExternalId(externalId) }),
    ...(allowedCallers === undefined ? {} : { allowedCallers: checkCallers(allowedCallers) }),
    ...(maxSessionDuration === undefined ? {} : { maxSessionDuration: checkMaxSessionDuration(maxSessionDuration) }),
  };
}

function checkExternalId(value: unknown): string {
  if (typeof value !== 'string' || value.length < 2 || value.length > 1224 || !EXTERNAL_ID_CHARACTERS.test(value)) {
    throw new Error(`externalId must be 2 to 1224 characters of letters, digits and +=,.@:/-_, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkCallers(value: unknown): string[] {
  const valid = (item: unknown): boolean => typeof item === 'string' && (item === '*' || ACCOUNT_ID.test(item) || item.startsWith('arn:'));
  if (!Array.isArray(value) || !value.every(valid)) {
    throw new Error(`allowedCallers must be a list of 12-digit account ids, principal ARNs or '*', got ${JSON.stringify(value)}`);
  }
  return [...(value as string[])];
}

function checkMaxSessionDuration(value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < MIN_MAX_SESSION_SECONDS || (value as number) > MAX_SESSION_SECONDS) {
    throw new Error(`maxSessionDuration must be a whole number of seconds from ${MIN_MAX_SESSION_SECONDS} to ${MAX_SESSION_SECONDS}, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

function copyTrust(trust: RoleTrust): RoleTrust {
  return { ...trust, ...(trust.allowedCallers === undefined ? {} : { allowedCallers: [...trust.allowedCallers] }) };
}
