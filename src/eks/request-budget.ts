import type { FinalizeHandler, FinalizeHandlerArguments, FinalizeRequestMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';
import type { RateLimiters, TokenBucket } from './rate-limiter.ts';

/** The account-and-region budgets, and where the time spent waiting for them is reported. */
export interface RequestBudget {
  limiters: RateLimiters;
  /** Seconds one request waited for its token (0 when it had one at once). */
  waited(seconds: number): void;
}

export function isThrottle(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ThrottlingException' || err.name === 'TooManyRequestsException');
}

/**
 * Puts every request a client sends through its bucket: each attempt, retries included, since
 * EKS counts each against the account's quota. It sits inside the SDK's retry middleware for
 * that reason, and so that a throttle the SDK then retries successfully still slows every
 * worker down (outside it, only a call whose every attempt was throttled would have).
 */
export function addRequestBudget(stack: MiddlewareStack<object, MetadataBearer>, bucket: TokenBucket, waited: (seconds: number) => void): void {
  const middleware: FinalizeRequestMiddleware<object, MetadataBearer> =
    (next: FinalizeHandler<object, MetadataBearer>) =>
    async (args: FinalizeHandlerArguments<object>) => {
      waited((await bucket.acquire()) / 1000);
      try {
        return await next(args);
      } catch (err) {
        if (isThrottle(err)) bucket.throttled();
        throw err;
      }
    };
  stack.addRelativeTo(middleware, { name: 'eksAccessEntryRequestBudget', relation: 'after', toMiddleware: 'retryMiddleware', override: true });
}
