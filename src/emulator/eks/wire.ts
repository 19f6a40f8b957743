// Records in the JSON shapes the SDK deserializes. Timestamps are epoch seconds (numbers),
// the REST-JSON default the SDK expects.
import type { AccessEntryRecord, AssociatedPolicyRecord, ClusterRecord } from './model.ts';

export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

export function wireAccessEntry(entry: AccessEntryRecord): Record<string, unknown> {
  return {
    clusterName: entry.clusterName,
    principalArn: entry.principalArn,
    kubernetesGroups: entry.kubernetesGroups,
    accessEntryArn: entry.accessEntryArn,
    createdAt: epochSeconds(entry.createdAt),
    modifiedAt: epochSeconds(entry.modifiedAt),
    tags: entry.tags,
    username: entry.username,
    type: entry.type,
  };
}

export function wireAssociatedPolicy(policy: AssociatedPolicyRecord): Record<string, unknown> {
  return {
    policyArn: policy.policyArn,
    accessScope: { type: policy.accessScope.type, namespaces: policy.accessScope.namespaces },
    associatedAt: epochSeconds(policy.associatedAt),
    modifiedAt: epochSeconds(policy.modifiedAt),
  };
}

export function wireCluster(cluster: ClusterRecord, status: 'ACTIVE' | 'DELETING' = 'ACTIVE'): Record<string, unknown> {
  return {
    name: cluster.name,
    arn: cluster.arn,
    createdAt: epochSeconds(cluster.createdAt),
    version: cluster.version,
    endpoint: `https://${cluster.name}.emulated.${cluster.region}.eks.amazonaws.com`,
    ...(cluster.roleArn === undefined ? {} : { roleArn: cluster.roleArn }),
    status,
    platformVersion: 'eks.1',
    accessConfig: {
      authenticationMode: cluster.authenticationMode,
      bootstrapClusterCreatorAdminPermissions: cluster.bootstrapClusterCreatorAdminPermissions,
    },
    tags: cluster.tags,
  };
}
