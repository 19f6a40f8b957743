import type { FinalizeHandler, FinalizeHandlerArguments, FinalizeRequestMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';
import type { AwsService } from './errors.ts';
import type { RateLimiters, TokenBucket } from './rate-limiter.ts';

/** The account-and-region budgets, and what is reported of every attempt. */
export interface RequestBudget {
  limiters: RateLimiters;
  /** Seconds one attempt waited for its token (0 when it had one at once); only with a budget. */
  waited(seconds: number): void;
  /** An attempt was answered with a throttle, whether or not the SDK then retried it. */
  throttled(service: AwsService): void;
}

export function isThrottle(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ThrottlingException' || err.name === 'TooManyRequestsException');
}

/**
 * Puts every request a client sends through its bucket, if there is one: each attempt, retries
 * included, since EKS counts each against the account's quota. It sits inside the SDK's retry
 * middleware for that reason, and so that a throttle the SDK then retries successfully still
 * slows every worker down and is counted (outside it, only a call whose every attempt was
 * throttled would have been).
 */
export function addRequestBudget(
  stack: MiddlewareStack<object, MetadataBearer>,
  service: AwsService,
  bucket: TokenBucket | undefined,
  budget: Pick<RequestBudget, 'waited' | 'throttled'>,
): void {
  const middleware: FinalizeRequestMiddleware<object, MetadataBearer> =
    (next: FinalizeHandler<object, MetadataBearer>) =>
    async (args: FinalizeHandlerArguments<object>) => {
      if (bucket) budget.waited((await bucket.acquire()) / 1000);
      try {
        return await next(args);
      } catch (err) {
        if (isThrottle(err)) {
          bucket?.throttled();
          budget.throttled(service);
        }
        throw err;
      }
    };
  stack.addRelativeTo(middleware, { name: 'eksAccessEntryRequestBudget', relation: 'after', toMiddleware: 'retryMiddleware', override: true });
}
