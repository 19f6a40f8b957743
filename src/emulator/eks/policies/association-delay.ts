// The not-yet-visible window after CreateAccessEntry. Users of real EKS report that an
// AssociateAccessPolicy made right after the create can answer ResourceNotFoundException
// ("The specified principalArn could not be found. ...") for a while; the Terraform AWS
// provider retries exactly that error on create. This rule reproduces it, off by default.
import type { EksOperation } from '../../operations.ts';

export const ASSOCIATION_OPERATIONS = [
  'AssociateAccessPolicy',
  'DisassociateAccessPolicy',
  'ListAssociatedAccessPolicies',
] as const satisfies readonly EksOperation[];

export type AssociationOperation = (typeof ASSOCIATION_OPERATIONS)[number];

/** The reports are about AssociateAccessPolicy only; the other two can be chosen. */
export const DEFAULT_DELAYED_OPERATIONS: readonly AssociationOperation[] = ['AssociateAccessPolicy'];

export interface AssociationDelay {
  /** How long after an entry's createdAt the chosen operations cannot see it; 0 turns it off. */
  ms: number;
  operations: AssociationOperation[];
}

/** What EKS answers (404) when an association call does not find the entry, new or missing. */
export const ENTRY_NOT_FOUND_FOR_ASSOCIATION =
  "The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.";

export function isAssociationOperation(value: unknown): value is AssociationOperation {
  return typeof value === 'string' && (ASSOCIATION_OPERATIONS as readonly string[]).includes(value);
}

/** Checks a delay from code or the admin API's JSON; throws an Error naming what to fix. */
export function checkAssociationDelay(ms: unknown, operations: unknown = DEFAULT_DELAYED_OPERATIONS): AssociationDelay {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0) {
    throw new Error(`The association delay must be a whole number of milliseconds ≥ 0, got ${JSON.stringify(ms)}.`);
  }
  if (!Array.isArray(operations) || !operations.every(isAssociationOperation)) {
    throw new Error(`The delayed operations must be a list drawn from ${ASSOCIATION_OPERATIONS.join(', ')}, got ${JSON.stringify(operations)}.`);
  }
  return { ms, operations: [...new Set(operations)] };
}

/** True while `operation` must not see an entry created at `createdAt`. */
export function hiddenFromAssociation(delay: AssociationDelay, operation: AssociationOperation, createdAt: Date, now: Date): boolean {
  return delay.ms > 0 && delay.operations.includes(operation) && now.getTime() - createdAt.getTime() < delay.ms;
}
