import type { AccessEntry } from '../api/accessentry.ts';

/**
 * Milliseconds until spec.expiresAt (≤ 0: expired); Infinity when the access does not expire.
 * The reconciler and the command line's `plan` both decide expiry with this.
 */
export function expiresIn(resource: AccessEntry, now: Date): number {
  const { expiresAt } = resource.spec;
  if (expiresAt === undefined) return Number.POSITIVE_INFINITY;
  const at = Date.parse(expiresAt);
  // The schema checks the format; an unparseable time never grants access.
  return Number.isNaN(at) ? 0 : at - now.getTime();
}

export function isExpired(resource: AccessEntry, now: Date): boolean {
  return expiresIn(resource, now) <= 0;
}
