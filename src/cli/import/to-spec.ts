// An access entry as EKS has it, as an AccessEntry that adopts it unchanged (pure): the same type,
// groups, username (only where it is not EKS's default, which an unset username keeps), policies
// with their scopes, and tags, less the controller's own.
import type { AccessEntrySpec } from '../../api/accessentry.ts';
import {
  ACCESS_POLICY_ARN_RESOURCE_PREFIX,
  ADOPTED_TAG,
  EntryTypes,
  MANAGED_BY_TAG,
  MAX_ACCESS_POLICIES,
  MAX_ACCESS_SCOPE_NAMESPACES,
  MAX_NAMESPACE_LENGTH,
  MAX_TAGS,
  OWNER_TAG,
  type EntryType,
} from '../../api/names.ts';
import { partitionOfRegion } from '../../eks/arn.ts';
import type { AssociatedPolicy, ObservedEntry } from '../../eks/types.ts';
import type { EntryManifest } from '../manifest/document.ts';
import { eksDefaultUsername, type Principal } from '../shared/principals.ts';
import { groupsProblem, usernameProblem } from '../shared/spec-rules.ts';
import { Comment, Skip, Warning, type SkipReason } from './messages.ts';
import { tagProblem } from './tag-rules.ts';

export interface ImportTarget {
  clusterName: string;
  region: string;
}

export type ImportDecision = { manifest: EntryManifest; warnings: string[] } | { skip: SkipReason };

/** The controller's own tags: on an adopted entry, all three. */
const CONTROLLER_TAGS = new Set([MANAGED_BY_TAG, OWNER_TAG, ADOPTED_TAG]);
const ROOM_FOR_TAGS = MAX_TAGS - CONTROLLER_TAGS.size;
const AUTO_NODE_POLICY = 'AmazonEKSAutoNodePolicy';

type Policy = NonNullable<AccessEntrySpec['accessPolicies']>[number];

/**
 * `policies` is undefined for the node types that take none (EKS refuses to list theirs). `node`
 * says whether node entries are imported: with deletionPolicy Retain.
 */
export function importDecision(entry: ObservedEntry, principal: Principal, policies: readonly AssociatedPolicy[] | undefined, target: ImportTarget): ImportDecision {
  const type = entryType(entry.type);
  if (type === undefined) return { skip: Skip.refusedField(`its type ${entry.type} is unknown`) };
  const tags = userTags(entry);
  if (Object.keys(tags.kept).length > ROOM_FOR_TAGS) return { skip: Skip.tooManyTags(Object.keys(tags.kept).length, ROOM_FOR_TAGS) };
  const fields = type === 'STANDARD' ? standardFields(entry, principal) : { fields: { type } };
  if ('skip' in fields) return fields;
  const accessPolicies = policies === undefined ? undefined : policiesOf(policies, type, target.region);
  if (accessPolicies !== undefined && 'skip' in accessPolicies) return accessPolicies;
  const node = type !== 'STANDARD';
  return {
    manifest: {
      key: entry.principalArn,
      principalName: principal.name,
      spec: adoptingSpec(entry, target, { ...fields.fields, ...policiesField(accessPolicies?.list, node), ...tagsField(tags.kept) }, node),
      comments: [Comment.adopted],
      ...(node ? { fieldComments: { deletionPolicy: [...Comment.nodeRetain] } } : {}),
    },
    warnings: tags.leftOut.map(([key, why]) => Warning.tagLeftOut(entry.principalArn, key, why)),
  };
}

function adoptingSpec(entry: ObservedEntry, target: ImportTarget, fields: Partial<AccessEntrySpec>, node: boolean): AccessEntrySpec {
  return {
    clusterName: target.clusterName,
    region: target.region,
    principalArn: entry.principalArn,
    ...fields,
    ...(node ? { deletionPolicy: 'Retain' as const } : {}),
    adoptExisting: true,
  };
}

/**
 * Present, the set is Git's from the adoption on (a policy granted outside Git later is removed).
 * Node types other than EC2 take none, and the CRD refuses the field on them even empty.
 */
function policiesField(list: Policy[] | undefined, node: boolean): Partial<AccessEntrySpec> {
  return list !== undefined && (!node || list.length > 0) ? { accessPolicies: list } : {};
}

function tagsField(tags: Record<string, string>): Partial<AccessEntrySpec> {
  return Object.keys(tags).length > 0 ? { tags } : {};
}

export function entryType(type: string): EntryType | undefined {
  return (EntryTypes as readonly string[]).includes(type) ? (type as EntryType) : undefined;
}

function standardFields(entry: ObservedEntry, principal: Principal): { fields: Partial<AccessEntrySpec> } | { skip: SkipReason } {
  const groups = [...new Set(entry.kubernetesGroups)];
  const groupProblem = groupsProblem(groups);
  if (groupProblem) return { skip: Skip.refusedField(groupProblem) };
  // Unset, the username stays EKS's default: write it only when someone chose another.
  const username = entry.username !== '' && entry.username !== eksDefaultUsername(principal) ? entry.username : undefined;
  const problem = username === undefined ? undefined : usernameProblem(username);
  if (problem) return { skip: Skip.refusedField(problem) };
  return { fields: { ...(groups.length > 0 ? { kubernetesGroups: groups } : {}), ...(username !== undefined ? { username } : {}) } };
}

function policiesOf(policies: readonly AssociatedPolicy[], type: EntryType, region: string): { list: Policy[] } | { skip: SkipReason } {
  if (policies.length > MAX_ACCESS_POLICIES) return { skip: Skip.tooManyPolicies(policies.length) };
  const list: Policy[] = [];
  for (const associated of policies) {
    const policy = policyOf(associated, region);
    if ('skip' in policy) return policy;
    if (type === 'EC2' && (policy.policy !== AUTO_NODE_POLICY || policy.accessScope.type !== 'cluster')) {
      return { skip: Skip.refusedField(`its EC2 (Auto Mode) entry has ${associated.policyArn}, and such an entry may hold only ${AUTO_NODE_POLICY} at cluster scope`) };
    }
    list.push(policy);
  }
  return { list };
}

const POLICY_ARN = /^arn:(aws|aws-cn|aws-us-gov):eks::aws:cluster-access-policy\/([A-Za-z0-9]+)$/;
// The CRD's rule: a namespace name, or a prefix of one ending in *.
const NAMESPACE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?|[a-z0-9][-a-z0-9]*\*)$/;

/** By name when the ARN is EKS's in the cluster's partition (the controller resolves it the same way). */
function policyOf(associated: AssociatedPolicy, region: string): Policy | { skip: SkipReason } {
  const match = POLICY_ARN.exec(associated.policyArn);
  if (!match || match[1] !== partitionOfRegion(region)) {
    return { skip: Skip.refusedField(`its policy ARN ${associated.policyArn} is not an EKS access policy of region ${region}'s partition (${ACCESS_POLICY_ARN_RESOURCE_PREFIX}NAME)`) };
  }
  const { type } = associated.accessScope;
  const namespaces = [...new Set(associated.accessScope.namespaces)];
  if (type === 'cluster') return { policy: match[2] as string, accessScope: { type } };
  const bad = namespaces.find((namespace) => namespace.length > MAX_NAMESPACE_LENGTH || !NAMESPACE.test(namespace));
  if (namespaces.length === 0 || namespaces.length > MAX_ACCESS_SCOPE_NAMESPACES || bad !== undefined) {
    return { skip: Skip.refusedField(bad !== undefined ? `its scope of ${match[2]} names ${JSON.stringify(bad)}` : `its scope of ${match[2]} lists ${namespaces.length} namespaces (1 to ${MAX_ACCESS_SCOPE_NAMESPACES} fit)`) };
  }
  return { policy: match[2] as string, accessScope: { type, namespaces } };
}

/** The entry's tags less the controller's and AWS's own; those the CRD refuses are left out, with why. */
function userTags(entry: ObservedEntry): { kept: Record<string, string>; leftOut: [string, string][] } {
  const kept: Record<string, string> = {};
  const leftOut: [string, string][] = [];
  for (const [key, value] of Object.entries(entry.tags)) {
    if (CONTROLLER_TAGS.has(key) || key.toLowerCase().startsWith('aws:')) continue;
    const problem = tagProblem(key, value);
    if (problem) leftOut.push([key, problem]);
    else kept[key] = value;
  }
  return { kept, leftOut };
}
