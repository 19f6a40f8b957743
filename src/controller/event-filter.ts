import { RECONCILE_REQUESTED_ANNOTATION } from '../api/names.ts';
import type { AccessEntryChange } from './watch.ts';

/**
 * Whether a watch event calls for a reconcile. This is the only filter between the watch and
 * the queue, and it is the reason steady state is quiet: the controller's own status and
 * finalizer writes come back as watch events, and if they were queued they would cut every
 * backoff short and re-check EKS after every write.
 *
 * Queued: every listed, added and deleted object; and a modification that changes what the
 * controller acts on: the spec (metadata.generation), the start of deletion, the uid (deleted and
 * re-created between two events), or a new value of the reconcile-requested annotation.
 * Not queued: status-only and other metadata-only changes. Drift of those is caught by the
 * periodic resync, which every reconcile schedules.
 */
export function needsReconcile(change: AccessEntryChange): boolean {
  if (change.type !== 'modified') return true;
  const { object, previous } = change;
  return (
    object.metadata.generation !== previous.metadata.generation ||
    object.metadata.uid !== previous.metadata.uid ||
    (object.metadata.deletionTimestamp !== undefined && previous.metadata.deletionTimestamp === undefined) ||
    reconcileRequest(object) !== reconcileRequest(previous)
  );
}

/** The value of the reconcile-requested annotation, if any. */
export function reconcileRequest(resource: { metadata: { annotations?: Readonly<Record<string, string>> } }): string | undefined {
  return resource.metadata.annotations?.[RECONCILE_REQUESTED_ANNOTATION];
}
