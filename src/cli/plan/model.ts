// What `plan` found, in the stable shape `-o json` prints and the text and markdown renderings read.
import type { AccessScope } from '../../eks/types.ts';

export const PLAN_FORMAT_VERSION = 1;

/** What the controller would do about one AccessEntry (or, with --prune, one it would no longer have). */
export const PlanActions = ['create', 'update', 'adopt', 'delete', 'none', 'blocked'] as const;
export type PlanAction = (typeof PlanActions)[number];

/** Actions that change EKS: a plan holding one has changes pending (exit 2). */
export const CHANGING_ACTIONS: ReadonlySet<PlanAction> = new Set(['create', 'update', 'adopt', 'delete']);

/** The reasons plan itself gives a blocked resource, beside the controller's (NotOwned, RegionMismatch, ...). */
export const PlanReason = {
  /** The API server would refuse the document (its schema or CEL rules). */
  Invalid: 'Invalid',
  /** clusterName, principalArn, type or region differ from the live object's: it must be replaced. */
  ImmutableFieldChanged: 'ImmutableFieldChanged',
  /** Another document declares the same principal on the same cluster. */
  DuplicatePrincipal: 'DuplicatePrincipal',
  /** The entry's AccessEntry no longer exists: nothing will delete or change it. */
  Orphaned: 'Orphaned',
  /** spec.expiresAt has passed. */
  Expired: 'Expired',
} as const;

/**
 * One change to one field. `effect` marks what widens or narrows access, so a reviewer sees it:
 * a group, policy or wider scope granted, or one taken away.
 */
export interface PlannedChange {
  field: 'entry' | 'type' | 'kubernetesGroups' | 'username' | 'tags' | 'accessPolicies';
  action: 'add' | 'remove' | 'change' | 'handBack';
  /** The group, tag key or policy ARN the change is about. */
  item?: string;
  before?: string | AccessScope;
  after?: string | AccessScope;
  effect?: 'grant' | 'revoke';
}

export interface ResourcePlan {
  name: string;
  /** Where it was declared: `path (document N)`; none for one only the management cluster or EKS knows (--prune). */
  source?: string;
  cluster: string;
  region?: string;
  accountId?: string;
  principalArn: string;
  type?: string;
  action: PlanAction;
  /** Why it is blocked (the controller's condition reason, or plan's own), or a note's kind for the others. */
  reason?: string;
  message?: string;
  changes: PlannedChange[];
  /** The EKS writes the controller would make for it, in order. */
  calls: string[];
  /** The API server's (or the offline validator's) words for an invalid document; warnings for a valid one. */
  issues?: string[];
}

/** A document or resource plan could not judge, and why: the plan as a whole is an error (exit 1). */
export interface PlanError {
  subject: string;
  message: string;
}

export interface PlanReport {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  controllerId: string;
  /** How ownership and placement were judged: the management cluster's objects, or only the files and current credentials. */
  managementCluster: { reachable: boolean; context?: string; note?: string };
  validation: 'offline' | 'server-dry-run';
  prune: boolean;
  summary: Record<PlanAction, number> & { invalid: number };
  resources: ResourcePlan[];
  skipped: { total: number; byKind: Record<string, number> };
  notes: string[];
  errors: PlanError[];
}
