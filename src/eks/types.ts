import type { EntryType } from '../api/names.ts';

/** Credentials other than the controller's own: an IAM role to assume (from a ClusterAccess). */
export interface Credentials {
  roleArn: string;
  externalId?: string;
}

/** Which AWS identity and region a call goes to. */
export interface AwsTarget {
  region: string;
  /** Unset: the controller's own credentials. */
  credentials?: Credentials;
}

/** An EKS cluster, in the region (and with the credentials) it is reached with. */
export interface ClusterRef extends AwsTarget {
  clusterName: string;
}

/** Where an access entry lives: EKS keys entries by region, cluster and principal. */
export interface EntryRef extends ClusterRef {
  principalArn: string;
}

/** Where an access policy applies: the whole cluster, or some namespaces (sorted, none for cluster). */
export interface AccessScope {
  type: 'cluster' | 'namespace';
  namespaces: string[];
}

/** An access policy as the spec declares it, with its ARN resolved. */
export interface DesiredPolicy {
  policyArn: string;
  accessScope: AccessScope;
}

/** An access policy associated with an entry, as EKS reports it. */
export interface AssociatedPolicy extends DesiredPolicy {
  associatedAt?: Date;
  modifiedAt?: Date;
}

/** What the AccessEntry resource asks EKS to hold. */
export interface DesiredEntry extends EntryRef {
  type: EntryType;
  kubernetesGroups: string[];
  /** Unset means "whatever EKS chose"; never compared against EKS's default. */
  username?: string;
  /** The user's tags plus the controller's ownership tags. */
  tags: Record<string, string>;
  /** The whole set of associations to hold; undefined when the spec leaves them unmanaged. */
  accessPolicies?: DesiredPolicy[];
}

/** What EKS reports for an entry. */
export interface ObservedEntry {
  accessEntryArn: string;
  principalArn: string;
  type: string;
  kubernetesGroups: string[];
  username: string;
  tags: Record<string, string>;
  createdAt?: Date;
  modifiedAt?: Date;
}

/**
 * An UpdateAccessEntry call. It replaces both fields, so groups are always complete; a username
 * left out goes back to EKS's default.
 */
export interface EntryUpdate {
  kubernetesGroups: string[];
  username?: string;
}
