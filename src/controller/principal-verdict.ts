// Whether an existing entry is still bound to the principal IAM has under its ARN: a pure
// judgement, part of planning (plan.ts). EKS binds an entry to the principal's unique id when it is
// created; a role deleted and created again under the same ARN has a new id, and the old entry lets
// nobody in.
import type { AccessEntry } from '../api/accessentry.ts';
import { Reason } from '../api/reasons.ts';
import type { ObservedEntry } from '../eks/types.ts';
import type { PrincipalState } from '../iam/directory.ts';
import type { IamPrincipal } from '../iam/principals.ts';
import type { Failure } from './failures.ts';

export type Verdict =
  /** Bound to the principal IAM has (or IAM cannot tell): `principalId` is the id to record, when known. */
  | { kind: 'bound'; principalId?: string }
  /** IAM has no principal of this ARN. */
  | { kind: 'gone' }
  /** The principal was made again after the entry: `boundTo` is the id the entry has, when recorded. */
  | { kind: 'recreated'; principal: IamPrincipal; boundTo?: string };

/**
 * Recorded id first: another id now means another principal. Without a recorded id (an entry
 * adopted, or created before ids were recorded), a principal created after the entry cannot be
 * the one EKS bound it to.
 */
export function principalVerdict(state: PrincipalState, recordedId: string | undefined, observed: ObservedEntry): Verdict {
  switch (state.kind) {
    case 'unchecked':
    case 'unknown':
      return { kind: 'bound' };
    case 'not-found':
      return { kind: 'gone' };
    case 'found': {
      const { principal } = state;
      if (recordedId !== undefined) return recordedId === principal.id ? { kind: 'bound', principalId: principal.id } : { kind: 'recreated', principal, boundTo: recordedId };
      const predates = observed.createdAt !== undefined && principal.createDate.getTime() > observed.createdAt.getTime();
      return predates ? { kind: 'recreated', principal } : { kind: 'bound', principalId: principal.id };
    }
  }
}

/** Stalled: a principal that no longer exists is not fixed by deleting its entry; people decide. */
export function principalGone(observed: ObservedEntry): Failure {
  return {
    retryable: false,
    reason: Reason.PrincipalNotFound,
    message:
      `IAM has no principal ${observed.principalArn} any more (deleted, or never made): the access entry lets nobody in, and ` +
      'is left as it is. Create the principal again (the entry is then re-created for it, unless spec.onPrincipalRecreated ' +
      'is Report), or delete this AccessEntry',
  };
}

/** What Report says: nothing was changed, and what the person can do. */
export function principalRecreatedReport(resource: AccessEntry, observed: ObservedEntry, verdict: Extract<Verdict, { kind: 'recreated' }>): Failure {
  return {
    retryable: false,
    reason: Reason.PrincipalRecreated,
    message:
      `${recreatedWhat(observed, verdict)}: EKS refuses every login of the new principal. spec.onPrincipalRecreated is ` +
      `${resource.spec.onPrincipalRecreated ?? 'Report'}, so nothing was changed: set it to Heal to have the entry re-created ` +
      'with the same groups, username, tags and policies, or re-create it yourself',
  };
}

/** The sentence that says what happened to the principal, for the report and the heal's Event. */
export function recreatedWhat(observed: ObservedEntry, { principal, boundTo }: { principal: IamPrincipal; boundTo?: string | undefined }): string {
  const before = boundTo === undefined ? `the entry (created ${observed.createdAt?.toISOString() ?? 'earlier'}) predates it` : `EKS bound the entry to id ${boundTo}`;
  return `${observed.principalArn} was deleted and created again (IAM's id is now ${principal.id}, created ${principal.createDate.toISOString()}; ${before})`;
}
