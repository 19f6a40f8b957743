import type { EntryType } from '../api/names.ts';

/** Where an access entry lives: EKS keys entries by region, cluster and principal. */
export interface EntryRef {
  region: string;
  clusterName: string;
  principalArn: string;
}

/** What the AccessEntry resource asks EKS to hold. */
export interface DesiredEntry extends EntryRef {
  type: EntryType;
  kubernetesGroups: string[];
  /** Unset means "whatever EKS chose"; never compared against EKS's default. */
  username?: string;
  /** The user's tags plus the controller's ownership tags. */
  tags: Record<string, string>;
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
