import type { AccessEntry } from '../api/accessentry.ts';
import { MANAGED_BY_TAG, OWNER_TAG, type EntryType } from '../api/names.ts';
import { accessPolicyArn } from '../eks/arn.ts';
import type { AwsTarget, DesiredEntry, DesiredPolicy } from '../eks/types.ts';

export interface Identity {
  /** Region used when the resource names none. */
  defaultRegion: string;
  /** This controller's id, written in the managed-by tag of every entry it manages. */
  controllerId: string;
}

/** The entry the resource asks for, in the region (and with the credentials) it is reconciled in. */
export function desiredEntry(resource: AccessEntry, target: AwsTarget, controllerId: string): DesiredEntry {
  const { spec } = resource;
  const type: EntryType = spec.type ?? 'STANDARD';
  const { region } = target;
  return {
    region,
    ...(target.credentials ? { credentials: target.credentials } : {}),
    clusterName: spec.clusterName,
    principalArn: spec.principalArn,
    type,
    kubernetesGroups: type === 'STANDARD' ? [...new Set(spec.kubernetesGroups ?? [])].sort() : [],
    ...(type === 'STANDARD' && spec.username !== undefined ? { username: spec.username } : {}),
    tags: { ...spec.tags, ...ownershipTags(resource.metadata.name ?? '', controllerId) },
    // Node types take no policies (the CRD refuses them); omitted means "not managed here".
    ...(type === 'STANDARD' && spec.accessPolicies !== undefined ? { accessPolicies: spec.accessPolicies.map((item) => resolvePolicy(item, region)) } : {}),
  };
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
