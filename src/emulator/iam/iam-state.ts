// IAM's roles and users, per account: `emulator.state.iam`. The API's operations and the admin
// API both come here, so the same rules hold however a principal is made. Every principal gets a
// fresh unique id and its creation date, as in IAM: a role deleted and made again under the same
// ARN is another principal, which is what EKS's access entries notice (they bind to the id).
import { assertAccountId } from '../core/accounts.ts';
import { GLOBAL_REGION, parsePrincipalArn, partitionForRegion, principalArn } from '../core/arn.ts';
import { resourceInUse, resourceNotFound } from '../core/errors.ts';
import { randomWord } from '../core/ids.ts';
import type { Location, LocationOption } from '../core/location.ts';
import { assertNoProblems } from '../core/member-constraints.ts';
import { present } from '../core/optional.ts';
import { PrincipalTable, principalIdOf, type IamPrincipal, type IamRole, type IamUser, type PrincipalRecord } from './principals.ts';
import { checkRole, DEFAULT_MAX_SESSION_SECONDS, nameProblems, pathPrefixProblems, pathProblems } from './rules.ts';

export interface CreateRoleInput {
  roleName: string;
  /** Default `/`. */
  path?: string;
  /** JSON. Required on the wire; here it defaults to a trust policy that lets the role's own account assume it. */
  assumeRolePolicyDocument?: string;
  description?: string;
  /** 3600–43200 seconds; default 3600. */
  maxSessionDuration?: number;
}

export interface CreateUserInput {
  userName: string;
  /** Default `/`. */
  path?: string;
}

/** Which principals to list: an account's (every account's without one), under a path prefix. */
export interface ListPrincipalsFilter {
  accountId?: string;
  pathPrefix?: string;
}

export interface IamStateOptions {
  /** The default account and region (whose partition new ARNs are in). */
  defaults: Location;
  now: () => Date;
}

export class IamState {
  private readonly roles = new PrincipalTable<IamRole>((role) => role.roleName);
  private readonly users = new PrincipalTable<IamUser>((user) => user.userName);
  private readonly defaults: Location;
  private readonly now: () => Date;
  /** When this IAM began: the creation date of the emulator's own user. */
  private readonly startedAt: Date;

  constructor(options: IamStateOptions) {
    this.defaults = options.defaults;
    this.now = options.now;
    this.startedAt = this.wholeSecondsNow();
  }

  /** CreateRole: throws ValidationException (IAM's ValidationError), MalformedPolicyDocumentException, or ResourceInUseException (EntityAlreadyExists). */
  createRole(input: CreateRoleInput, location: LocationOption = {}): IamRole {
    const where = this.locate(location);
    const path = input.path ?? '/';
    const document = input.assumeRolePolicyDocument ?? accountTrustPolicy(where);
    checkRole(input.roleName, path, { ...input, assumeRolePolicyDocument: document });
    if (this.roles.has(where.accountId, input.roleName)) throw resourceInUse(`Role with name ${input.roleName} already exists.`);
    return this.roles.add({
      ...this.newPrincipal(where, { kind: 'role', path, name: input.roleName }),
      roleName: input.roleName,
      roleId: `AROA${randomWord(17)}`,
      assumeRolePolicyDocument: document,
      ...present('description', input.description),
      maxSessionDuration: input.maxSessionDuration ?? DEFAULT_MAX_SESSION_SECONDS,
    });
  }

  /** CreateUser: throws ValidationException or ResourceInUseException (EntityAlreadyExists). */
  createUser(input: CreateUserInput, location: LocationOption = {}): IamUser {
    const where = this.locate(location);
    const path = input.path ?? '/';
    assertNoProblems([...nameProblems('userName', input.userName), ...pathProblems(path)]);
    if (this.users.has(where.accountId, input.userName)) throw resourceInUse(`User with name ${input.userName} already exists.`);
    return this.users.add({ ...this.newPrincipal(where, { kind: 'user', path, name: input.userName }), userName: input.userName, userId: `AIDA${randomWord(17)}` });
  }

  /** Makes the role or user this ARN names (path and name), in its account and partition. */
  createPrincipal(arn: string): IamPrincipal {
    const principal = parsePrincipalArn(arn);
    if (principal === undefined) throw new Error(`'${arn}' is not an IAM role or user ARN like arn:aws:iam::123456789012:role/PATH/NAME`);
    const location = { accountId: principal.accountId, region: GLOBAL_REGION[principal.partition] };
    if (principal.kind === 'role') return this.createRole({ roleName: principal.name, path: principal.path }, location);
    return this.createUser({ userName: principal.name, path: principal.path }, location);
  }

  /** Like createPrincipal, for an ARN IAM may not take (a name too long): its id, or undefined. */
  createPrincipalQuietly(arn: string): string | undefined {
    try {
      return principalIdOf(this.createPrincipal(arn));
    } catch {
      return undefined;
    }
  }

  /** The role by name, whatever its case, in the account (default: the default account). */
  getRole(roleName: string, location: LocationOption = {}): IamRole | undefined {
    return this.roles.get(this.locate(location).accountId, roleName);
  }

  getUser(userName: string, location: LocationOption = {}): IamUser | undefined {
    return this.users.get(this.locate(location).accountId, userName);
  }

  /** Like getRole; missing, it is IAM's NoSuchEntity (ResourceNotFoundException here). */
  requireRole(roleName: string, location: LocationOption = {}): IamRole {
    const role = this.getRole(roleName, location);
    if (role === undefined) throw resourceNotFound(`The role with name ${roleName} cannot be found.`);
    return role;
  }

  requireUser(userName: string, location: LocationOption = {}): IamUser {
    const user = this.getUser(userName, location);
    if (user === undefined) throw resourceNotFound(`The user with name ${userName} cannot be found.`);
    return user;
  }

  /** The deleted role; undefined when there was none. */
  deleteRole(roleName: string, location: LocationOption = {}): IamRole | undefined {
    return this.roles.delete(this.locate(location).accountId, roleName);
  }

  deleteUser(userName: string, location: LocationOption = {}): IamUser | undefined {
    return this.users.delete(this.locate(location).accountId, userName);
  }

  /** In name order (case ignored); every account's without `accountId`. */
  listRoles(filter: ListPrincipalsFilter = {}): IamRole[] {
    return this.roles.list(filter.accountId).filter(underPrefix(filter.pathPrefix));
  }

  listUsers(filter: ListPrincipalsFilter = {}): IamUser[] {
    return this.users.list(filter.accountId).filter(underPrefix(filter.pathPrefix));
  }

  /** The role or user this exact ARN names (path included), as it exists now; undefined when IAM has none. */
  principal(arn: string): IamPrincipal | undefined {
    return this.roles.find(arn) ?? this.users.find(arn);
  }

  /** Its unique id (RoleId / UserId), as it exists now: what EKS binds an access entry to. */
  principalId(arn: string): string | undefined {
    const principal = this.principal(arn);
    return principal && principalIdOf(principal);
  }

  /**
   * The IAM user every caller with long-term keys appears as (STS's `user/emulator`), for GetUser
   * without a name; IAM's table does not hold it, so it cannot be deleted or listed.
   */
  emulatorUser(caller: { accountId: string; arn: string; userId: string }): IamUser {
    const name = caller.arn.slice(caller.arn.lastIndexOf('/') + 1);
    return { accountId: caller.accountId, arn: caller.arn, path: '/', createDate: new Date(this.startedAt), userName: name, userId: caller.userId };
  }

  /** Forgets every role and user. */
  reset(): void {
    this.roles.clear();
    this.users.clear();
  }

  private locate(location: LocationOption): Location {
    const accountId = location.accountId === undefined ? this.defaults.accountId : assertAccountId(location.accountId);
    return { accountId, region: location.region ?? this.defaults.region };
  }

  /** What every new principal has: its account, ARN, path and creation date. */
  private newPrincipal(where: Location, { kind, path, name }: { kind: 'role' | 'user'; path: string; name: string }): PrincipalRecord {
    const arn = principalArn({ partition: partitionForRegion(where.region), accountId: where.accountId, kind, path, name });
    return { accountId: where.accountId, arn, path, createDate: this.wholeSecondsNow() };
  }

  private wholeSecondsNow(): Date {
    return new Date(Math.floor(this.now().getTime() / 1000) * 1000);
  }
}

function underPrefix(prefix: string | undefined): (principal: IamPrincipal) => boolean {
  if (prefix !== undefined) assertNoProblems(pathPrefixProblems(prefix));
  return (principal) => prefix === undefined || principal.path.startsWith(prefix);
}

/** The trust policy a role made without one gets: its own account may assume it. */
function accountTrustPolicy({ accountId, region }: Location): string {
  const root = `arn:${partitionForRegion(region)}:iam::${accountId}:root`;
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: root }, Action: 'sts:AssumeRole' }] });
}
