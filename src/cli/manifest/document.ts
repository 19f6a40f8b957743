// The AccessEntry objects a command writes, with their keys in one fixed order: what a reviewer
// reads in a pull request should not depend on how the spec was put together.
import type { AccessEntrySpec } from '../../api/accessentry.ts';
import { API_GROUP_VERSION, KIND } from '../../api/names.ts';
import { compare } from './names.ts';

/** An AccessEntry to write, before it has its name. */
export interface EntryManifest {
  /** Unique among a run's entries (the principal ARN): collisions of names are resolved by it. */
  key: string;
  /** The IAM name of the principal, the second half of the object's name. */
  principalName: string;
  spec: AccessEntrySpec;
  /** Comment lines above the document, e.g. what the reviewer should check. */
  comments?: string[];
  /** Comment lines above one field of the spec, e.g. why it is set. */
  fieldComments?: Partial<Record<SpecField, string[]>>;
}

export type SpecField = keyof AccessEntrySpec;

export interface NamedManifest extends EntryManifest {
  name: string;
}

/** The spec's keys in the order they are written: identity first, then access, then lifecycle. */
export const SPEC_FIELD_ORDER: readonly SpecField[] = [
  'clusterName',
  'region',
  'principalArn',
  'type',
  'kubernetesGroups',
  'username',
  'accessPolicies',
  'tags',
  'deletionPolicy',
  'expiresAt',
  'adoptExisting',
];

type AccessPolicy = NonNullable<AccessEntrySpec['accessPolicies']>[number];

/** The object as written: apiVersion, kind, metadata, spec, each in a fixed order. */
export function accessEntryObject(manifest: NamedManifest, labels: Record<string, string>): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: manifest.name };
  if (Object.keys(labels).length > 0) metadata.labels = sortedRecord(labels);
  return { apiVersion: API_GROUP_VERSION, kind: KIND, metadata, spec: orderedSpec(manifest.spec) };
}

function orderedSpec(spec: AccessEntrySpec): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const field of SPEC_FIELD_ORDER) {
    const value = spec[field];
    if (value !== undefined) ordered[field] = orderedValue(field, value);
  }
  return ordered;
}

function orderedValue(field: SpecField, value: NonNullable<AccessEntrySpec[SpecField]>): unknown {
  if (field === 'tags') return sortedRecord(value as Record<string, string>);
  if (field === 'kubernetesGroups') return [...(value as string[])].sort(compare);
  if (field === 'accessPolicies') return (value as AccessPolicy[]).map(orderedPolicy).sort(byPolicyName);
  return value;
}

function orderedPolicy(policy: AccessPolicy): Record<string, unknown> {
  const { type, namespaces } = policy.accessScope;
  const accessScope: Record<string, unknown> = { type };
  if (namespaces !== undefined && namespaces.length > 0) accessScope.namespaces = [...namespaces].sort(compare);
  return { ...(policy.policy !== undefined ? { policy: policy.policy } : { policyArn: policy.policyArn }), accessScope };
}

/** By the policy's name, however it is given (policy, or the end of policyArn). */
function byPolicyName(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const name = (policy: Record<string, unknown>): string => String(policy.policy ?? policy.policyArn).split('/').pop() ?? '';
  return compare(name(a), name(b));
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compare(a, b)));
}
