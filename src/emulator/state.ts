// The emulator's state, the in-process API behind `emulator.state`: the EKS half (EksState:
// clusters, entries, policies, tags), which account each access key belongs to, STS's sessions
// and role trust, and IAM's roles and users (`state.iam`). Pure logic: no HTTP here.
import { authenticate, type Authentication } from './authenticator.ts';
import { AccountDirectory, assertAccountId } from './core/accounts.ts';
import type { LocationOption } from './core/location.ts';
import { Clock } from './core/clock.ts';
import { present } from './core/optional.ts';
import { EksState } from './eks/eks-state.ts';
import { IamState } from './iam/iam-state.ts';
import type { AssumeRoleInput } from './sts/assume-role-input.ts';
import { RoleAssumption } from './sts/role-assumption.ts';
import { userPrincipal, type CallerPrincipal, type RoleSession } from './sts/role-sessions.ts';
import type { RoleTrust } from './sts/role-trust.ts';

export { DEFAULT_ENTRY_QUOTA } from './eks/eks-state.ts';
export type { AccessEntryChanges, CreateClusterOptions, NewAccessEntry, SeedAccessEntryInput } from './eks/eks-state.ts';

export interface EmulatorStateOptions {
  /** The default account: for unmapped access keys, unsigned requests and state calls without accountId. */
  accountId: string;
  defaultRegion: string;
  now?: () => Date;
  newId?: () => string;
  /** The not-yet-visible window for AssociateAccessPolicy after CreateAccessEntry; default 0 (off). reset() returns to it. */
  associationDelayMs?: number;
  /**
   * An access entry made for a principal IAM does not have creates that principal first, as if it
   * had been made before (real EKS accepts only principals that exist). Default false: the entry
   * is then bound to no principal.
   */
  implicitPrincipals?: boolean;
}

export class EmulatorState extends EksState {
  /** IAM's roles and users, per account. */
  readonly iam: IamState;
  private readonly accounts: AccountDirectory;
  private readonly roles: RoleAssumption;

  constructor(options: EmulatorStateOptions) {
    const defaults = { accountId: assertAccountId(options.accountId), region: options.defaultRegion };
    const clock = new Clock(options.now, options.newId);
    const iam = new IamState({ defaults, now: () => clock.now() });
    const implicit = options.implicitPrincipals ?? false;
    const principalIdOf = (arn: string): string | undefined => iam.principalId(arn) ?? (implicit ? iam.createPrincipalQuietly(arn) : undefined);
    super({ defaults, clock, principalIdOf, ...present('associationDelayMs', options.associationDelayMs) });
    this.iam = iam;
    this.accounts = new AccountDirectory(options.accountId);
    this.roles = new RoleAssumption(this.accounts, { now: () => clock.now(), roleIdOf: (roleArn) => iam.principalId(roleArn) });
  }

  /** Requests signed with this access key id act in this account; mapping a key again moves it. */
  setAccountForAccessKey(accessKeyId: string, accountId: string): void {
    this.accounts.set(accessKeyId, accountId);
  }

  /** Forgets a mapping, so the key is back in the default account; false when it was not mapped. */
  removeAccessKey(accessKeyId: string): boolean {
    return this.accounts.remove(accessKeyId);
  }

  /** The account of a caller's access key: its mapping, else the default account. */
  accountForAccessKey(accessKeyId: string | undefined): string {
    return this.accounts.accountFor(accessKeyId);
  }

  /** accessKeyId → accountId for every mapped key. */
  accessKeyAccounts(): Record<string, string> {
    return this.accounts.list();
  }

  /**
   * What EKS's authenticator would answer if the principal of this ARN signed in to the cluster
   * now: in (as whom, with which groups and policies) only through an entry bound to the id IAM has
   * under the ARN now. Throws ResourceNotFoundException for a missing cluster.
   */
  authenticate(cluster: string, principalArn: string, options: LocationOption = {}): Authentication {
    this.listAccessEntries(cluster, options);
    return authenticate(principalArn, this.getAccessEntry(cluster, principalArn, options), this.iam.principalId(principalArn));
  }

  /** The state's clock (a test's fake Date moves it): session expiry and the association window go by it. */
  now(): Date {
    return this.clock.now();
  }

  /**
   * STS AssumeRole: checks the input, the role's trust entry and the session limits, then issues
   * temporary credentials whose access key id acts in the role's account. The caller defaults to
   * the emulator's IAM user in the default account. Throws an EksError (ValidationException,
   * AccessDeniedException) that STS answers as ValidationError / AccessDenied.
   */
  assumeRole(input: AssumeRoleInput, caller: CallerPrincipal = userPrincipal(this.accountId, this.defaultRegion)): RoleSession {
    return this.roles.assume(input, caller);
  }

  /** The session an AssumeRole access key id stands for (expired ones included); undefined for other keys. */
  sessionForAccessKey(accessKeyId: string | undefined): RoleSession | undefined {
    return this.roles.sessions.find(accessKeyId);
  }

  /** Every session issued since the last reset, oldest first, expired ones included. */
  sessions(): RoleSession[] {
    return this.roles.sessions.list();
  }

  /** Ends the matching sessions now (every session without a filter); returns how many were still valid. */
  expireSessions(filter: { accessKeyId?: string; roleArn?: string } = {}): number {
    return this.roles.sessions.expire(filter, this.clock.now());
  }

  /** Sessions issued from now on last `seconds`, whatever DurationSeconds asked; undefined goes back to DurationSeconds. */
  setSessionLifetime(seconds: number | undefined): void {
    this.roles.setSessionLifetime(seconds);
  }

  sessionLifetime(): number | undefined {
    return this.roles.sessionLifetime();
  }

  /**
   * Who may assume the role (its trust policy, in short). Roles without an entry can be assumed by
   * anyone; with one, other callers and a missing or wrong ExternalId get AccessDenied.
   */
  setRoleTrust(roleArn: string, trust: RoleTrust): RoleTrust {
    return this.roles.trust.set(roleArn, trust);
  }

  /** Back to "anyone may assume it"; false when the role had no entry. */
  removeRoleTrust(roleArn: string): boolean {
    return this.roles.trust.remove(roleArn);
  }

  roleTrust(roleArn: string): RoleTrust | undefined {
    return this.roles.trust.get(roleArn);
  }

  /** roleArn → trust entry. */
  roleTrusts(): Record<string, RoleTrust> {
    return this.roles.trust.list();
  }

  /**
   * Forgets every cluster, access-key mapping, issued session, role trust entry, added access
   * policy and IAM role and user, restores the default quota, the session lifetime and the
   * association delay the emulator started with; the default account and region stay.
   */
  override reset(): void {
    super.reset();
    this.accounts.clear();
    this.roles.clear();
    this.iam.reset();
  }
}
