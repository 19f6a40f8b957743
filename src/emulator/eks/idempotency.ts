// clientRequestToken bookkeeping: a retried call with the same token and the same parameters
// gets the first answer back instead of acting twice.
import { invalidParameter } from '../core/errors.ts';

/** Bounds memory in long benchmarks; real EKS also forgets tokens after a while. */
const MAX_TOKENS = 10_000;

interface Remembered {
  fingerprint: string;
  response: unknown;
}

export class TokenLedger {
  private readonly seen = new Map<string, Remembered>();

  /**
   * The response first given for this token, or undefined when the token is new.
   * A token reused with different parameters is a client bug: InvalidParameterException
   * (EKS has no IdempotentParameterMismatch error, and this is the class it uses for bad input).
   */
  replay(operation: string, token: string, fingerprint: string): unknown {
    const earlier = this.seen.get(`${operation}\n${token}`);
    if (earlier === undefined) return undefined;
    if (earlier.fingerprint !== fingerprint) {
      throw invalidParameter(
        `The clientRequestToken ${token} was already used for a ${operation} request with different parameters. ` +
          'Send a new clientRequestToken for a different request.',
      );
    }
    return earlier.response;
  }

  remember(operation: string, token: string, fingerprint: string, response: unknown): void {
    if (this.seen.size >= MAX_TOKENS) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    this.seen.set(`${operation}\n${token}`, { fingerprint, response });
  }
}

/** A stable string for "the same parameters": JSON with object keys sorted. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

/**
 * Runs `act` once per clientRequestToken: a repeat with the same parameters gets the first
 * response back (even though the entry it made now exists). Only successful calls are
 * remembered, so a call that failed can be retried with its token.
 */
export function runOnce(
  { ledger, operation, token }: { ledger: TokenLedger; operation: string; token: string | undefined },
  parameters: object,
  act: () => unknown,
): unknown {
  if (token === undefined) return act();
  const print = fingerprint(parameters);
  const earlier = ledger.replay(operation, token, print);
  if (earlier !== undefined) return earlier;
  const response = act();
  ledger.remember(operation, token, print, response);
  return response;
}
