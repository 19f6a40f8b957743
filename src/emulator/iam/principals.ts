// IAM roles and users as records, and a table of one kind of them for every account. IAM keeps
// names unique per account whatever their case (no `Admin` beside `admin`) and finds them the
// same way; an ARN names exactly one principal, path included.

/** What roles and users have alike. */
export interface PrincipalRecord {
  accountId: string;
  /** `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME` (or `user/`), the path included. */
  arn: string;
  /** `/` or `/segments/`. */
  path: string;
  /** Whole seconds, as IAM writes it, so the state and the wire agree. */
  createDate: Date;
}

export interface IamRole extends PrincipalRecord {
  roleName: string;
  /** `AROA` + 17: a new one each time a role is created, even under a name used before. */
  roleId: string;
  /** As given (JSON); on the wire URL-encoded, as IAM sends it. */
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
}

export interface IamUser extends PrincipalRecord {
  userName: string;
  /** `AIDA` + 17: a new one each time a user is created. */
  userId: string;
}

export type IamPrincipal = IamRole | IamUser;

export function isRole(principal: IamPrincipal): principal is IamRole {
  return 'roleId' in principal;
}

/** The principal's unique id (RoleId or UserId): what EKS binds an access entry to. */
export function principalIdOf(principal: IamPrincipal): string {
  return isRole(principal) ? principal.roleId : principal.userId;
}

/** One kind of principal (roles, or users) of every account. Records go in and out as copies. */
export class PrincipalTable<T extends PrincipalRecord> {
  private readonly byAccount = new Map<string, Map<string, T>>();
  private readonly byArn = new Map<string, T>();
  private readonly nameOf: (record: T) => string;

  constructor(nameOf: (record: T) => string) {
    this.nameOf = nameOf;
  }

  has(accountId: string, name: string): boolean {
    return this.byAccount.get(accountId)?.has(name.toLowerCase()) ?? false;
  }

  add(record: T): T {
    const names = this.byAccount.get(record.accountId) ?? new Map<string, T>();
    names.set(this.nameOf(record).toLowerCase(), record);
    this.byAccount.set(record.accountId, names);
    this.byArn.set(record.arn, record);
    return copy(record);
  }

  get(accountId: string, name: string): T | undefined {
    const record = this.byAccount.get(accountId)?.get(name.toLowerCase());
    return record && copy(record);
  }

  /** The principal this exact ARN names (path included); undefined for any other. */
  find(arn: string): T | undefined {
    const record = this.byArn.get(arn);
    return record && copy(record);
  }

  /** Removes it and returns it; undefined when there was none. */
  delete(accountId: string, name: string): T | undefined {
    const names = this.byAccount.get(accountId);
    const record = names?.get(name.toLowerCase());
    if (names === undefined || record === undefined) return undefined;
    names.delete(name.toLowerCase());
    this.byArn.delete(record.arn);
    return copy(record);
  }

  /** The account's (or, without one, every account's) records in name order, case ignored: the order the List calls page through. */
  list(accountId?: string): T[] {
    const accounts = accountId === undefined ? [...this.byAccount.values()] : [this.byAccount.get(accountId) ?? new Map<string, T>()];
    const key = (record: T): string => sortKey(record, this.nameOf(record));
    return accounts.flatMap((names) => [...names.values()]).sort((a, b) => compare(key(a), key(b))).map(copy);
  }

  clear(): void {
    this.byAccount.clear();
    this.byArn.clear();
  }
}

/** The key List pages by: the account, then the name in lower case. */
export function sortKey(record: PrincipalRecord, name: string): string {
  return `${record.accountId}/${name.toLowerCase()}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function copy<T extends PrincipalRecord>(record: T): T {
  return { ...record, createDate: new Date(record.createDate) };
}
