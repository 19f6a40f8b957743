import type { AccessEntryStatus } from '../api/accessentry.ts';
import { Reason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import { AwsCallError } from '../eks/errors.ts';
import { policyName } from '../eks/policy-diff.ts';
import type { EntryRef } from '../eks/types.ts';
import { classifyFailure, withPrincipalGrace, type Failure } from './failures.ts';
import type { ReconcileResult } from './result.ts';

/** A failure decided before any call could fail: an entry that is not ours, a wrong account. */
export class ExplainedFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

export interface ExplainContext {
  /** The status of the resource the failure is about: its Reconciling condition times the principal grace. */
  status: AccessEntryStatus | undefined;
  ref: EntryRef;
  /** Only reads are called, to explain: DescribeCluster, ListAccessPolicies. */
  gateway: Pick<AccessEntryGateway, 'authenticationMode' | 'availablePolicies'>;
  now: Date;
  principalGraceMs: number;
}

/**
 * What a failure means for the resource. An InvalidRequestException is explained by the
 * cluster's authentication mode, looked up once here; InvalidParameterException on create gets
 * the grace of a principal IAM has not yet propagated.
 */
export async function explainFailure(err: unknown, context: ExplainContext): Promise<Failure> {
  if (err instanceof ExplainedFailure) return err.failure;
  const unknownPolicy = await unknownPolicyOf(err, context);
  if (unknownPolicy) return unknownPolicy;
  let mode: string | undefined;
  if (err instanceof AwsCallError && err.awsName === 'InvalidRequestException') {
    mode = await context.gateway.authenticationMode(context.ref).catch(() => undefined);
  }
  const failure = classifyFailure(err, context.ref, mode);
  if (!(err instanceof AwsCallError && err.operation === 'CreateAccessEntry')) return failure;
  return withPrincipalGrace(failure, context.status, context.now, context.principalGraceMs);
}

/** Association calls answer "not found" for a policy EKS does not offer (and, for a while, for a new entry). */
const POLICY_REFUSALS = new Set(['ResourceNotFoundException', 'InvalidParameterException']);

/**
 * An association refused because the policy does not exist, told apart from a new entry EKS does
 * not see yet by EKS's own catalogue (ListAccessPolicies), never by the error's text.
 */
async function unknownPolicyOf(err: unknown, context: ExplainContext): Promise<Failure | undefined> {
  if (!(err instanceof AwsCallError) || err.policyArn === undefined || !POLICY_REFUSALS.has(err.awsName)) return undefined;
  const available = await context.gateway.availablePolicies(context.ref).catch(() => undefined);
  if (available === undefined || available.includes(err.policyArn)) return undefined;
  const names = available.map(policyName).sort().join(', ');
  return {
    retryable: false,
    reason: Reason.UnknownAccessPolicy,
    message:
      `${err.policyArn} is not an access policy EKS offers in ${context.ref.region}: fix spec.accessPolicies ` +
      `(a short name resolves in the partition of the region). Available: ${names}`,
    awsError: err.awsName,
  };
}

/** The one place a failure becomes a scheduling decision. */
export function resultFor(failure: Failure, stalledRetryMs: number): ReconcileResult {
  return failure.retryable ? { kind: 'retry', error: failure.message } : { kind: 'stalled', retryAfterMs: stalledRetryMs };
}

export function eventMessage(failure: Failure): string {
  return failure.awsError ? `${failure.awsError}: ${failure.message}` : failure.message;
}
