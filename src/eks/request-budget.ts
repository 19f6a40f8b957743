import type {
  FinalizeHandler,
  FinalizeHandlerArguments,
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
  MetadataBearer,
  MiddlewareStack,
} from '@smithy/types';
import type { AwsService } from './errors.ts';
import type { RateLimiters, TokenBucket } from './rate-limiter.ts';
import type { AwsTarget } from './types.ts';
import { isReadOnly, NotLeaderError, type WriteFence } from './write-fence.ts';

/** The account-and-region budgets, and what is reported of every attempt. */
export interface RequestBudget {
  /** One bucket per account and region (EKS's quotas are per account and region, whatever the role). */
  limiters: RateLimiters;
  /** One bucket per account for IAM, a global service whose quotas are per account and low; none: IAM unlimited. */
  iamLimiters?: RateLimiters;
  /** The account a target's credentials belong to: asked of STS once per credential set, then cached. */
  accountOf(target: AwsTarget): Promise<string>;
  /** Seconds one attempt waited for its token (0 when it had one at once); only with a budget. */
  waited(seconds: number): void;
  /** An attempt was answered with a throttle, whether or not the SDK then retried it. */
  throttled(service: AwsService): void;
}

export function isThrottle(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ThrottlingException' || err.name === 'TooManyRequestsException');
}

/** What every attempt of one client passes through. */
export interface AttemptGates {
  service: AwsService;
  /**
   * The bucket of the account and region the client's requests count against, or undefined
   * without a limit. Asked on every attempt: the first may wait for the account to be known.
   */
  bucket?: () => Promise<TokenBucket | undefined>;
  budget: Pick<RequestBudget, 'waited' | 'throttled'>;
  /** Writes go only while it is open; reads always. None: always open. */
  fence?: WriteFence;
}

/**
 * Puts every request a client sends through its bucket, if there is one, and every write
 * through the fence: each attempt, retries included. Both sit inside the SDK's retry middleware,
 * so the SDK's own retries cannot go around them; a throttle the SDK then retries successfully
 * still slows every worker down and is counted (outside it, only a call whose every attempt was
 * throttled would have been).
 *
 * The fence is checked after signing (which may first assume a role, a call of its own) and after
 * the wait for a token, as the last step before the request leaves: leadership that lapsed
 * during either wait stops the write.
 */
export function addRequestBudget(stack: MiddlewareStack<object, MetadataBearer>, gates: AttemptGates): void {
  stack.addRelativeTo(budgetMiddleware(gates), { name: 'eksAccessEntryRequestBudget', relation: 'after', toMiddleware: 'retryMiddleware', override: true });
  const { fence } = gates;
  if (fence) {
    stack.addRelativeTo(fenceMiddleware(fence), { name: 'eksAccessEntryWriteFence', relation: 'after', toMiddleware: 'httpSigningMiddleware', override: true });
  }
}

function budgetMiddleware({ service, bucket, budget }: AttemptGates): FinalizeRequestMiddleware<object, MetadataBearer> {
  return (next: FinalizeHandler<object, MetadataBearer>) => async (args: FinalizeHandlerArguments<object>) => {
    const tokens = await bucket?.();
    if (tokens) budget.waited((await tokens.acquire()) / 1000);
    try {
      return await next(args);
    } catch (err) {
      if (isThrottle(err)) {
        tokens?.throttled();
        budget.throttled(service);
      }
      throw err;
    }
  };
}

function fenceMiddleware(fence: WriteFence): FinalizeRequestMiddleware<object, MetadataBearer> {
  return (next: FinalizeHandler<object, MetadataBearer>, context: HandlerExecutionContext) => (args: FinalizeHandlerArguments<object>) => {
    const closed = isReadOnly(context.commandName) ? undefined : fence.closedBecause();
    if (closed !== undefined) return Promise.reject(new NotLeaderError(`${operationOf(context.commandName)} not sent: ${closed}`));
    return next(args);
  };
}

function operationOf(commandName: string | undefined): string {
  return (commandName ?? 'the request').replace(/Command$/, '');
}
