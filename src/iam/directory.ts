// What IAM says of the principals the controller manages, read as cheaply as IAM allows: at most
// one read per principal per resync, answers cached and shared by every entry of the principal,
// and one ListRoles pass (a thousand roles a page) per account per resync instead of a GetRole per
// role once an account has many managed roles: O(accounts), not O(entries).
import { AwsCallError } from '../eks/errors.ts';
import type { AwsTarget } from '../eks/types.ts';
import { parsePrincipalArn } from './arn.ts';
import { isNoSuchEntity, type IamPrincipal, type PrincipalReader } from './principals.ts';
import { SSO_PATH_PREFIX } from './sso.ts';

/** What IAM says of one principal. */
export type PrincipalState =
  | { kind: 'found'; principal: IamPrincipal }
  /** IAM has no principal of that ARN in its account (deleted, or never made). */
  | { kind: 'not-found' }
  /** Not checked, for as long as nothing changes: a principal of another account, or IAM refuses the controller. */
  | { kind: 'unchecked'; reason: string }
  /** IAM did not answer this time (throttled, unreachable): nothing is decided on it. */
  | { kind: 'unknown'; error: unknown };

export interface Lookup {
  /** Read IAM again rather than answer from the cache (a reconcile a person asked for). */
  fresh?: boolean;
}

/** The roles Identity Center provisioned in one account, as last listed. */
export interface SsoListing {
  accountId: string;
  roles: IamPrincipal[];
  /** When IAM was asked (ms, the directory's clock). */
  listedAt: number;
}

export interface DirectoryOptions {
  reader: PrincipalReader;
  /** The AWS account a target's credentials belong to (STS, cached per credential set). */
  callerAccount(target: AwsTarget): Promise<string>;
  /** How long an answer holds: the resync period, so a principal is read once per resync. */
  ttlMs: number;
  /** Managed roles of one account from which one ListRoles pass beats a GetRole each. */
  snapshotThreshold?: number;
  now?: () => number;
}

/**
 * From this many managed roles of one account on, the account is read with ListRoles. IAM allows
 * at most 5,000 roles per account (1,000 by default), so a listing is at most 5 pages (1 by
 * default), against one GetRole per role: 10 keeps the cheaper way in both, measured in
 * BENCHMARKS.md (a thousand entries: GetRole 1,000 calls per resync, ListRoles 1 or 2).
 */
export const SNAPSHOT_THRESHOLD = 10;

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

export class PrincipalDirectory {
  readonly #options: Required<Omit<DirectoryOptions, 'snapshotThreshold'>> & { snapshotThreshold: number };
  readonly #answers = new Map<string, Cached<PrincipalState>>();
  /** Role ARNs asked about per account, with when: the count decides between GetRole and ListRoles. */
  readonly #interest = new Map<string, Map<string, number>>();
  readonly #snapshots = new Map<string, Cached<Map<string, IamPrincipal>>>();
  readonly #sso = new Map<string, Cached<SsoListing>>();
  /** Accounts where IAM refused ListRoles: GetRole only there. */
  readonly #listingDenied = new Set<string>();

  constructor(options: DirectoryOptions) {
    this.#options = { snapshotThreshold: SNAPSHOT_THRESHOLD, now: () => performance.now(), ...options };
  }

  /** What IAM says of the principal of this ARN, read with the target's credentials (those of the cluster's account). */
  async lookup(target: AwsTarget, arn: string, { fresh = false }: Lookup = {}): Promise<PrincipalState> {
    const principal = parsePrincipalArn(arn);
    if (principal === undefined) return { kind: 'unchecked', reason: `${arn} is not the ARN of an IAM role or user` };
    const accountId = await this.#options.callerAccount(target);
    if (principal.accountId !== accountId) {
      return {
        kind: 'unchecked',
        reason:
          `the principal belongs to account ${principal.accountId}, and the controller reads IAM only in the cluster's own ` +
          'account, with the credentials it reaches the cluster with',
      };
    }
    const key = `${accountId}|${arn}`;
    if (principal.kind === 'role') this.#noteInterest(accountId, arn);
    const cached = this.#answers.get(key);
    if (!fresh && cached && this.#now() - cached.at < this.#options.ttlMs) return cached.value;
    const value = this.#read(target, accountId, arn, fresh).catch((error: unknown) => unchecked(error, principal.kind));
    this.#answers.set(key, { at: this.#now(), value });
    // Kept only while asked (concurrent reconciles share it): an answer IAM did not give, and a
    // principal IAM lacks, which may be made again at any moment; a reconcile of either is rare.
    void value.then((state) => (state.kind === 'unknown' || state.kind === 'not-found') && this.#answers.get(key)?.value === value && this.#answers.delete(key));
    return value;
  }

  /**
   * The roles Identity Center provisioned in the target's account, listed at most `maxAgeMs` ago
   * (by default the resync period). Throws the IAM failure as an AwsCallError: without the list
   * there is no principal to act on.
   */
  async ssoRoles(target: AwsTarget, { maxAgeMs = this.#options.ttlMs }: { maxAgeMs?: number } = {}): Promise<SsoListing> {
    const accountId = await this.#options.callerAccount(target);
    const snapshot = this.#snapshots.get(accountId);
    if (snapshot && this.#now() - snapshot.at < Math.min(maxAgeMs, this.#options.ttlMs)) {
      const roles = [...(await snapshot.value).values()].filter((role) => (parsePrincipalArn(role.arn)?.path ?? '').startsWith(SSO_PATH_PREFIX));
      return { accountId, roles, listedAt: snapshot.at };
    }
    const cached = this.#sso.get(accountId);
    if (cached && this.#now() - cached.at < maxAgeMs) return cached.value;
    const at = this.#now();
    const value = this.#options.reader.listRoles(target, SSO_PATH_PREFIX).then((roles) => ({ accountId, roles, listedAt: at }));
    this.#sso.set(accountId, { at, value });
    value.catch(() => this.#sso.get(accountId)?.value === value && this.#sso.delete(accountId));
    return value;
  }

  async #read(target: AwsTarget, accountId: string, arn: string, fresh: boolean): Promise<PrincipalState> {
    const principal = parsePrincipalArn(arn)!;
    if (principal.kind === 'role' && !fresh && this.#wantsSnapshot(accountId)) {
      const listed = await this.#snapshot(target, accountId);
      const role = listed?.get(arn);
      // A role the listing lacks may be newer than it: GetRole tells.
      if (role) return { kind: 'found', principal: role };
    }
    const found = principal.kind === 'role' ? await this.#options.reader.getRole(target, principal.name) : await this.#options.reader.getUser(target, principal.name);
    // IAM finds names whatever their case and path; a principal of another path is another ARN.
    if (found === undefined || found.arn !== arn) return { kind: 'not-found' };
    return { kind: 'found', principal: found };
  }

  /** Every role of the account, listed once per resync; undefined when IAM refuses ListRoles there. */
  async #snapshot(target: AwsTarget, accountId: string): Promise<Map<string, IamPrincipal> | undefined> {
    const cached = this.#snapshots.get(accountId);
    if (cached && this.#now() - cached.at < this.#options.ttlMs) return cached.value;
    const at = this.#now();
    const value = this.#options.reader.listRoles(target).then((roles) => new Map(roles.map((role) => [role.arn, role])));
    this.#snapshots.set(accountId, { at, value });
    try {
      return await value;
    } catch (err) {
      if (this.#snapshots.get(accountId)?.value === value) this.#snapshots.delete(accountId);
      if (!isAccessDenied(err)) throw err;
      this.#listingDenied.add(accountId);
      return undefined;
    }
  }

  #wantsSnapshot(accountId: string): boolean {
    if (this.#listingDenied.has(accountId)) return false;
    const asked = this.#interest.get(accountId);
    if (asked === undefined) return false;
    const since = this.#now() - this.#options.ttlMs;
    for (const [arn, at] of asked) if (at < since) asked.delete(arn);
    return asked.size >= this.#options.snapshotThreshold;
  }

  #noteInterest(accountId: string, arn: string): void {
    const asked = this.#interest.get(accountId) ?? new Map<string, number>();
    asked.set(arn, this.#now());
    this.#interest.set(accountId, asked);
  }

  #now(): number {
    return this.#options.now();
  }
}

/** A failure to read: IAM refusing the controller lasts (unchecked); anything else is for this time only. */
function unchecked(error: unknown, kind: 'role' | 'user'): PrincipalState {
  if (isNoSuchEntity(error)) return { kind: 'not-found' };
  if (!isAccessDenied(error)) return { kind: 'unknown', error };
  const action = kind === 'role' ? 'iam:GetRole' : 'iam:GetUser';
  return {
    kind: 'unchecked',
    reason: `IAM refuses the controller ${action} in the cluster's account (AccessDenied): grant it as deploy/iam/controller-policy.json does`,
  };
}

export function isAccessDenied(err: unknown): boolean {
  return err instanceof AwsCallError && (err.awsName === 'AccessDenied' || err.awsName === 'AccessDeniedException');
}
