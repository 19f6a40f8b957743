// What one reconcile decided about its resource: the single type every reconcile returns and the
// work queue schedules by. Failures are results too; only a bug throws.

export type ReconcileResult =
  /** Nothing left to do until the resource changes (it is gone, or its finalizer was released). */
  | { kind: 'done' }
  /**
   * In sync: look again after `delayMs`, to catch drift made outside Git. `due`: at that moment,
   * not spread out with the other resyncs (an expiry is due at its time).
   */
  | { kind: 'requeueAfter'; delayMs: number; due?: true }
  /** A failure retrying may fix soon (throttling, outages): again after the key's backoff. */
  | { kind: 'retry'; error: unknown }
  /** A failure that needs a change from a person: again only after `retryAfterMs`, in case the world changed. */
  | { kind: 'stalled'; retryAfterMs: number };

export const DONE: ReconcileResult = { kind: 'done' };

export const requeueAfter = (delayMs: number): ReconcileResult => ({ kind: 'requeueAfter', delayMs });

/** Look again exactly after `delayMs`: something is due then. */
export const dueAfter = (delayMs: number): ReconcileResult => ({ kind: 'requeueAfter', delayMs, due: true });
