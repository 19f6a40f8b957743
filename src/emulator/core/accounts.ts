// Which AWS account a caller is in. Real credentials belong to one account and see only its
// clusters; here the access key id of the SigV4 scope picks the account, and keys nobody
// mapped (and unsigned requests) belong to the emulator's default account.

const ACCOUNT_ID = /^\d{12}$/;

/** Throws an Error naming `what` unless the value is a 12-digit account id. */
export function assertAccountId(value: string, what = 'accountId'): string {
  if (!ACCOUNT_ID.test(value)) throw new Error(`${what} must be 12 digits, got '${value}'`);
  return value;
}

export class AccountDirectory {
  readonly defaultAccountId: string;
  private readonly byAccessKey = new Map<string, string>();

  constructor(defaultAccountId: string) {
    this.defaultAccountId = assertAccountId(defaultAccountId);
  }

  /** Maps an access key id to an account; mapping it again moves it. */
  set(accessKeyId: string, accountId: string): void {
    if (accessKeyId === '' || /[\s/]/.test(accessKeyId)) throw new Error(`accessKeyId must be a non-empty word without '/' or spaces, got '${accessKeyId}'`);
    this.byAccessKey.set(accessKeyId, assertAccountId(accountId));
  }

  remove(accessKeyId: string): boolean {
    return this.byAccessKey.delete(accessKeyId);
  }

  accountFor(accessKeyId: string | undefined): string {
    return (accessKeyId === undefined ? undefined : this.byAccessKey.get(accessKeyId)) ?? this.defaultAccountId;
  }

  /** accessKeyId → accountId, for the admin API. */
  list(): Record<string, string> {
    return Object.fromEntries(this.byAccessKey);
  }

  clear(): void {
    this.byAccessKey.clear();
  }
}
