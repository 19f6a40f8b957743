/**
 * The AWS account each credential set belongs to, asked of STS once per set and remembered for
 * the life of the process (credentials do not move between accounts while it runs). A failed
 * lookup is not remembered, so the next reconcile asks again.
 */
export class CallerAccounts {
  readonly #accounts = new Map<string, Promise<string>>();

  accountOf(credentialSet: string, lookup: () => Promise<string>): Promise<string> {
    let account = this.#accounts.get(credentialSet);
    if (!account) {
      account = lookup();
      this.#accounts.set(credentialSet, account);
      account.catch(() => this.#accounts.delete(credentialSet));
    }
    return account;
  }
}
