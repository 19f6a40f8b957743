// The AccessEntry object as the API server stores it. The spec and status shapes are generated
// from the CRD (npm run generate); only the Kubernetes envelope is written here.
import type { V1ListMeta, V1ObjectMeta } from '@kubernetes/client-node';
import type { AccessEntrySpec, AccessEntryStatus } from './v1alpha1.generated.ts';
import { API_GROUP_VERSION, KIND } from './names.ts';

export type { AccessEntrySpec, AccessEntryStatus, Condition } from './v1alpha1.generated.ts';

export interface AccessEntry {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta;
  spec: AccessEntrySpec;
  status?: AccessEntryStatus;
}

export interface AccessEntryList {
  apiVersion: string;
  kind: string;
  metadata: V1ListMeta;
  items: AccessEntry[];
}

/**
 * The key an AccessEntry is queued and cached under. The kind is cluster-scoped, so the name
 * alone identifies it.
 */
export function accessEntryKey(obj: Pick<AccessEntry, 'metadata'>): string {
  const name = obj.metadata.name;
  if (!name) throw new Error('AccessEntry has no metadata.name: it cannot be keyed before the API server names it');
  return name;
}

/** Whether a decoded object is an AccessEntry of this API version (for example from a watch). */
export function isAccessEntry(obj: unknown): obj is AccessEntry {
  if (typeof obj !== 'object' || obj === null) return false;
  const candidate = obj as Partial<AccessEntry>;
  return (
    candidate.apiVersion === API_GROUP_VERSION &&
    candidate.kind === KIND &&
    typeof candidate.metadata === 'object' &&
    typeof candidate.spec === 'object' &&
    candidate.spec !== null
  );
}
