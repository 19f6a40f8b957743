// What `report` found, in the shape `-o json` prints and the other renderings read.
import type { AccessScope } from '../../eks/types.ts';

export const REPORT_FORMAT_VERSION = 1;

export type ManagedBy = 'this-controller' | 'other-controller' | 'nobody';

export interface ReportedPolicy {
  policyArn: string;
  accessScope: AccessScope;
}

export interface ReportedEntry {
  cluster: string;
  region: string;
  account: string;
  principalArn: string;
  type: string;
  groups: string[];
  username: string;
  /** Null for node entries, whose policies EKS does not list (EC2_LINUX, EC2_WINDOWS, ...). */
  policies: ReportedPolicy[] | null;
  /** Whether this installation's controller manages it, another installation does, or nobody (by hand, by EKS, by another tool). */
  managedBy: ManagedBy;
  /** The managing controller's id, when one manages it. */
  controllerId?: string;
  /** The AccessEntry that owns it, as its tag names it. */
  accessEntry?: string;
}

export interface ReportedCluster {
  cluster: string;
  region: string;
  account?: string;
  /** The ClusterAccess it was reached through; none: the current credentials. */
  clusterAccess?: string;
  error?: string;
}

export interface AccessReport {
  formatVersion: typeof REPORT_FORMAT_VERSION;
  controllerId: string;
  clusters: ReportedCluster[];
  entries: ReportedEntry[];
}
