// The AccessEntry as the controller will see it once a document is applied (pure): the document's
// spec and labels, the live object's identity and status (what the controller remembers), and the
// generation the API server will give it.
import { isDeepStrictEqual } from 'node:util';
import type { AccessEntry } from '../../api/accessentry.ts';

export function asApplied(stored: AccessEntry, live: AccessEntry | undefined): AccessEntry {
  const { status: _dropped, ...object } = stored;
  if (!live) return { ...object, metadata: { ...stored.metadata, generation: 1 } };
  // The API server moves the generation only when the spec changes.
  const generation = (live.metadata.generation ?? 1) + (isDeepStrictEqual(live.spec, stored.spec) ? 0 : 1);
  return {
    ...object,
    metadata: {
      ...stored.metadata,
      generation,
      ...(live.metadata.uid !== undefined ? { uid: live.metadata.uid } : {}),
      ...(live.metadata.finalizers !== undefined ? { finalizers: live.metadata.finalizers } : {}),
      ...(live.metadata.creationTimestamp !== undefined ? { creationTimestamp: live.metadata.creationTimestamp } : {}),
    },
    ...(live.status !== undefined ? { status: live.status } : {}),
  };
}

/** The fields that identify an entry, which the CRD refuses to change: the object must be replaced. */
export function immutableChanges(live: AccessEntry, spec: unknown): string[] {
  const next = (typeof spec === 'object' && spec !== null ? spec : {}) as Record<string, unknown>;
  const changed: string[] = [];
  if (next.clusterName !== live.spec.clusterName) changed.push(`spec.clusterName (${live.spec.clusterName} → ${shown(next.clusterName)})`);
  if (next.principalArn !== live.spec.principalArn) changed.push(`spec.principalArn (${live.spec.principalArn} → ${shown(next.principalArn)})`);
  const liveType = live.spec.type ?? 'STANDARD';
  const nextType = next.type ?? 'STANDARD';
  if (nextType !== liveType) changed.push(`spec.type (${liveType} → ${shown(nextType)})`);
  if (live.spec.region !== undefined && next.region !== live.spec.region) {
    changed.push(`spec.region (${live.spec.region} → ${next.region === undefined ? 'unset' : shown(next.region)})`);
  }
  return changed;
}

/** A value from a document as a person reads it: a string as it is, anything else as JSON. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'unset');
}
