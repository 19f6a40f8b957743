/**
 * Who may send an EKS write now. With leader election only the leader may, and only while its
 * leadership is current (its last renewal was sent less than the renew deadline ago): another
 * replica can take the Lease over once that deadline has passed, and two writers would undo each
 * other's work. Checked once per attempt, just before the request goes out (request-budget.ts).
 */
export interface WriteFence {
  /** Why no write may be sent now, or undefined when one may. */
  closedBecause(): string | undefined;
}

/** One replica, no leader election: every write may go. */
export const OPEN_FENCE: WriteFence = { closedBecause: () => undefined };

/** The name the failure classification knows this refusal by. */
export const NOT_LEADER_ERROR = 'NotLeaderError';

/**
 * A write the fence kept back. Not retried by the SDK (it carries no retryable trait, no HTTP
 * status and no transient code), so the attempt ends at once; the work queue retries later,
 * by which time this replica has either renewed its leadership or exited.
 */
export class NotLeaderError extends Error {
  override readonly name = NOT_LEADER_ERROR;
}

/**
 * AWS names its read-only operations Describe…, List… and Get…; anything else changes state.
 * Deciding by that convention rather than by a list of known writes keeps the fence closed for
 * an operation added later and forgotten here.
 */
export function isReadOnly(commandName: string | undefined): boolean {
  return commandName !== undefined && /^(Describe|List|Get)[A-Z]/.test(commandName);
}
