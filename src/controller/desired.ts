import type { AccessEntry } from '../api/accessentry.ts';
import { MANAGED_BY_TAG, OWNER_TAG, type EntryType } from '../api/names.ts';
import { accessPolicyArn } from '../eks/arn.ts';
import type { AwsTarget, DesiredEntry, DesiredPolicy } from '../eks/types.ts';

export interface Identity {
  /** Region used when the resource names none. */
  defaultRegion: string;
  /** This controller's id, written in the managed-by tag of every entry it manages. */
  controllerId: string;
  /** Reach every cluster through a ClusterAccess, never with the controller's own credentials by default. */
  requireClusterAccess?: boolean;
}

/**
 * The entry the resource asks for, in the region (and with the credentials) it is reconciled in,
 * for `principalArn`: spec.principalArn, or the role spec.principal resolves to (principal.ts).
 */
export function desiredEntry(resource: AccessEntry, target: AwsTarget, controllerId: string, principalArn: string): DesiredEntry {
  const { spec } = resource;
  const type: EntryType = spec.type ?? 'STANDARD';
  const { region } = target;
  return {
    region,
    ...(target.credentials ? { credentials: target.credentials } : {}),
    clusterName: spec.clusterName,
    principalArn,
    type,
    kubernetesGroups: type === 'STANDARD' ? [...new Set(spec.kubernetesGroups ?? [])].sort() : [],
    ...(type === 'STANDARD' && spec.username !== undefined ? { username: spec.username } : {}),
    tags: { ...spec.tags, ...ownershipTags(resource.metadata.name ?? '', controllerId) },
    // Of node types only EC2 (Auto Mode) takes policies, the one its nodes need (the CRD says
    // which); omitted means "not managed here".
    ...(takesPolicies(type) && spec.accessPolicies !== undefined ? { accessPolicies: spec.accessPolicies.map((item) => resolvePolicy(item, region)) } : {}),
  };
}

/** EC2_LINUX and EC2_WINDOWS entries even fail ListAssociatedAccessPolicies: never ask. */
export function takesPolicies(type: EntryType): boolean {
  return type === 'STANDARD' || type === 'EC2';
}

type DeclaredPolicy = NonNullable<AccessEntry['spec']['accessPolicies']>[number];

/** A short name means the policy of that name in the partition of the region the entry lives in. */
function resolvePolicy(item: DeclaredPolicy, region: string): DesiredPolicy {
  const { type } = item.accessScope;
  return {
    policyArn: item.policyArn ?? accessPolicyArn(region, item.policy ?? ''),
    accessScope: { type, namespaces: type === 'namespace' ? [...new Set(item.accessScope.namespaces ?? [])].sort() : [] },
  };
}

export function ownershipTags(resourceName: string, controllerId: string): Record<string, string> {
  return { [MANAGED_BY_TAG]: controllerId, [OWNER_TAG]: resourceName };
}
