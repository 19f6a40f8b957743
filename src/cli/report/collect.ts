// report's reading: for each cluster, every access entry with its policies and owner. Reads only
// (ListAccessEntries, DescribeAccessEntry, ListAssociatedAccessPolicies, STS). A cluster it cannot
// reach is reported, and the others are still listed.
import { MANAGED_BY_TAG, OWNER_TAG } from '../../api/names.ts';
import { takesPolicies } from '../../controller/desired.ts';
import { placeOfAccessEntry } from '../../eks/arn.ts';
import type { ClusterRef, ObservedEntry } from '../../eks/types.ts';
import type { EksReads } from '../shared/aws.ts';
import { explainAwsFailure } from '../shared/aws-errors.ts';
import { mapConcurrently } from '../shared/concurrency.ts';
import { entryType } from '../import/to-spec.ts';
import { parsePrincipalArn, principalKey } from '../shared/principals.ts';
import type { ManagedBy, ReportedCluster, ReportedEntry } from './model.ts';

/** A cluster to read, and how it is reached. */
export interface ReportTarget extends ClusterRef {
  /** The ClusterAccess naming it; none: the current credentials and --region. */
  clusterAccess?: string;
}

export interface CollectDeps {
  eks: EksReads;
  controllerId: string;
  /** Only this principal's entries (by account, kind and name: a path is no different principal). */
  principal?: string;
}

const CONCURRENCY = 4;

export async function collectCluster(target: ReportTarget, deps: CollectDeps): Promise<{ cluster: ReportedCluster; entries: ReportedEntry[] }> {
  const cluster: ReportedCluster = { cluster: target.clusterName, region: target.region, ...(target.clusterAccess ? { clusterAccess: target.clusterAccess } : {}) };
  try {
    const account = await deps.eks.callerAccount(target);
    const arns = (await deps.eks.listEntries(target)).filter((arn) => matches(arn, deps.principal)).sort();
    const entries = await mapConcurrently(arns, CONCURRENCY, async (principalArn) => {
      const observed = await deps.eks.describe({ ...target, principalArn });
      return observed ? await entryOf(target, observed, deps) : undefined;
    });
    return { cluster: { ...cluster, account }, entries: entries.filter((entry): entry is ReportedEntry => entry !== undefined) };
  } catch (err) {
    const explained = explainAwsFailure(err);
    return { cluster: { ...cluster, error: explained instanceof Error ? explained.message : String(explained) }, entries: [] };
  }
}

async function entryOf(target: ReportTarget, observed: ObservedEntry, deps: CollectDeps): Promise<ReportedEntry> {
  const type = entryType(observed.type);
  // EKS refuses to list the policies of the node types that take none.
  const policies = type === undefined || takesPolicies(type) ? await deps.eks.listAssociatedPolicies({ ...target, principalArn: observed.principalArn }) : null;
  return {
    cluster: target.clusterName,
    region: target.region,
    account: placeOfAccessEntry(observed.accessEntryArn)?.accountId ?? '',
    principalArn: observed.principalArn,
    type: observed.type,
    groups: [...observed.kubernetesGroups].sort(),
    username: observed.username,
    policies: policies?.map(({ policyArn, accessScope }) => ({ policyArn, accessScope })) ?? null,
    ...owner(observed, deps.controllerId),
  };
}

function owner(observed: ObservedEntry, controllerId: string): { managedBy: ManagedBy; controllerId?: string; accessEntry?: string } {
  const managedBy = observed.tags[MANAGED_BY_TAG];
  const accessEntry = observed.tags[OWNER_TAG];
  if (managedBy === undefined) return { managedBy: 'nobody' };
  return { managedBy: managedBy === controllerId ? 'this-controller' : 'other-controller', controllerId: managedBy, ...(accessEntry !== undefined ? { accessEntry } : {}) };
}

function matches(arn: string, principal: string | undefined): boolean {
  if (principal === undefined) return true;
  if (arn === principal) return true;
  const a = parsePrincipalArn(arn);
  const b = parsePrincipalArn(principal);
  return a !== undefined && b !== undefined && principalKey(a) === principalKey(b);
}
