// The EKS records the emulator keeps and hands out (always as copies).
import type { EntryType } from '../../api/names.ts';

export const AUTHENTICATION_MODES = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API'] as const;
export type AuthenticationMode = (typeof AUTHENTICATION_MODES)[number];

export const ACCESS_SCOPE_TYPES = ['cluster', 'namespace'] as const;
export type AccessScopeType = (typeof ACCESS_SCOPE_TYPES)[number];

export interface AccessScope {
  type: AccessScopeType;
  namespaces: string[];
}

export interface AssociatedPolicyRecord {
  policyArn: string;
  accessScope: AccessScope;
  associatedAt: Date;
  modifiedAt: Date;
}

export interface AccessEntryRecord {
  accountId: string;
  region: string;
  clusterName: string;
  principalArn: string;
  type: EntryType;
  kubernetesGroups: string[];
  username: string;
  accessEntryArn: string;
  /**
   * The unique id (RoleId / UserId) of the principal IAM had under principalArn when the entry was
   * made: what EKS binds the entry to. Absent when the emulator's IAM did not know the principal.
   */
  principalId?: string;
  createdAt: Date;
  modifiedAt: Date;
  tags: Record<string, string>;
  associatedPolicies: AssociatedPolicyRecord[];
}

export interface ClusterRecord {
  name: string;
  region: string;
  accountId: string;
  arn: string;
  authenticationMode: AuthenticationMode;
  bootstrapClusterCreatorAdminPermissions: boolean;
  createdAt: Date;
  tags: Record<string, string>;
  roleArn?: string;
  version: string;
}

export function copyPolicy(policy: AssociatedPolicyRecord): AssociatedPolicyRecord {
  return {
    policyArn: policy.policyArn,
    accessScope: { type: policy.accessScope.type, namespaces: [...policy.accessScope.namespaces] },
    associatedAt: new Date(policy.associatedAt),
    modifiedAt: new Date(policy.modifiedAt),
  };
}

export function copyCluster(cluster: ClusterRecord): ClusterRecord {
  return { ...cluster, createdAt: new Date(cluster.createdAt), tags: { ...cluster.tags } };
}
