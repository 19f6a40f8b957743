// What plan's end-to-end tests read from the emulator's call log, and how they keep the README's
// pull-request comment stable across runs.
import type { CallLogEntry } from '../../../src/emulator/core/call-log.ts';
import { WRITE_OPERATIONS, type Operation } from '../../../src/emulator/operations.ts';

/** The operations plan and report may call: those of deploy/iam/plan-readonly-policy.json, and STS. */
export const PLAN_READ_OPERATIONS: ReadonlySet<Operation> = new Set<Operation>([
  'DescribeCluster',
  'ListAccessEntries',
  'DescribeAccessEntry',
  'ListAssociatedAccessPolicies',
  'ListAccessPolicies',
  'GetCallerIdentity',
  'AssumeRole',
  // IAM, as the controller reads it: principal ids and the roles of permission sets.
  'GetRole',
  'GetUser',
  'ListRoles',
]);

/**
 * The EKS writes that succeeded, by the principal they were for, in order. Tag calls name an entry
 * ARN, not a principal: with one reconcile at a time, each follows a call of its own entry.
 */
export function attributeWrites(log: readonly CallLogEntry[]): Map<string, string[]> {
  const made = new Map<string, string[]>();
  let current: string | undefined;
  for (const call of log) {
    current = call.principalArn ?? current;
    if (!WRITE_OPERATIONS.has(call.operation) || call.status < 200 || call.status >= 300 || current === undefined) continue;
    made.set(current, [...(made.get(current) ?? []), call.operation]);
  }
  return made;
}

/** The comment with what differs from run to run (the random suffix of names, the derived controller id) made stable. */
export function normaliseComment(markdown: string, controllerId: string): string {
  return markdown
    .replaceAll(controllerId, 'eks-access-entry-controller-0123456789ab')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '0ec8a1b2-5f31-4c2e-9d7a-0123456789ab')
    .replace(/-[0-9a-f]{8}(?![0-9a-z-])/g, '');
}
