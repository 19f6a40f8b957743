// --prune: the files are the whole desired set for the clusters they name. An AccessEntry of those
// clusters that no file declares is deleted (as GitOps prunes it), and its finalizer then deletes
// or hands back its entry; entries this controller owns in EKS for an AccessEntry no file declares
// are found by listing each cluster where its ClusterAccesses (or the default region) reach it.
import type { AccessEntry } from '../../api/accessentry.ts';
import { ADOPTED_TAG, API_GROUP_VERSION, KIND, MANAGED_BY_TAG, OWNER_TAG } from '../../api/names.ts';
import type { ClusterDirectory } from '../../controller/cluster-directory.ts';
import { placeOfAccessEntry } from '../../eks/arn.ts';
import type { ClusterRef } from '../../eks/types.ts';
import type { EksReads } from '../shared/aws.ts';
import { explainAwsFailure } from '../shared/aws-errors.ts';
import { mapConcurrently } from '../shared/concurrency.ts';
import { Message } from './messages.ts';
import { PlanReason, type PlanError } from './model.ts';
import { planDeletion, type PlanDeps, type PlanReads, type Planned } from './resource-plan.ts';

export interface PruneInput {
  /** The AccessEntries the files declare (valid or not), by name, with what they declare. */
  declared: ReadonlyMap<string, { cluster: string; principalArn: string; region?: string }>;
  live: ReadonlyMap<string, AccessEntry>;
  /** Whether `live` is the management cluster's (else it is empty and not known). */
  reachable: boolean;
  clusters: Pick<ClusterDirectory, 'routesFor'>;
  defaultRegion: string;
  eks: PlanReads & Pick<EksReads, 'listEntries'>;
  deps: PlanDeps;
}

const CONCURRENCY = 4;
const NO_ENTRIES = new Set(['ResourceNotFoundException', 'InvalidRequestException']);

export async function planPrune(input: PruneInput): Promise<Planned[]> {
  const clusters = new Set([...input.declared.values()].map((item) => item.cluster));
  const pruned = [...input.live.values()].filter(
    (resource) => clusters.has(resource.spec.clusterName) && !input.declared.has(resource.metadata.name ?? '') && !resource.metadata.deletionTimestamp,
  );
  const deletions = await mapConcurrently(pruned, CONCURRENCY, (resource) => planDeletion(resource, undefined, input.deps));
  const found = await mapConcurrently(targets(clusters, input), CONCURRENCY, (target) => ownedUndeclared(target, input));
  return [...deletions, ...found.flat()];
}

/** Where a cluster's entries live: its ClusterAccesses' regions and roles, else the default region and the regions named for it. */
function targets(clusters: ReadonlySet<string>, input: PruneInput): ClusterRef[] {
  const refs = new Map<string, ClusterRef>();
  for (const clusterName of [...clusters].sort()) {
    const routes = input.clusters.routesFor(clusterName);
    const found: ClusterRef[] =
      routes.length > 0
        ? routes.map((route) => ({ clusterName, region: route.region, ...(route.credentials ? { credentials: route.credentials } : {}) }))
        : [...regionsOf(clusterName, input)].map((region) => ({ clusterName, region }));
    for (const ref of found) refs.set(`${clusterName}|${ref.region}|${ref.credentials?.roleArn ?? ''}`, ref);
  }
  return [...refs.values()];
}

/** Without ClusterAccesses: the default region, and every region a file or a live object names for the cluster. */
function regionsOf(clusterName: string, input: PruneInput): Set<string> {
  const regions = new Set([input.defaultRegion]);
  for (const item of input.declared.values()) if (item.cluster === clusterName && item.region) regions.add(item.region);
  for (const resource of input.live.values()) if (resource.spec.clusterName === clusterName && resource.status?.region) regions.add(resource.status.region);
  return regions;
}

/** Entries of one cluster this controller owns for an AccessEntry that neither a file nor the management cluster holds. */
async function ownedUndeclared(target: ClusterRef, input: PruneInput): Promise<Planned[]> {
  let arns: string[];
  try {
    arns = await input.eks.listEntries(target);
  } catch (err) {
    // A cluster that does not exist where a route points, or one in CONFIG_MAP mode, has no entries to
    // prune; the files' own plans say why they are blocked.
    if (NO_ENTRIES.has((err as { awsName?: string }).awsName ?? '')) return [];
    return [listFailure(target, err)];
  }
  const declared = new Set([...input.declared.values()].filter((item) => item.cluster === target.clusterName).map((item) => item.principalArn));
  const candidates = arns.filter((arn) => !declared.has(arn)).sort();
  const results = await mapConcurrently(candidates, CONCURRENCY, async (principalArn): Promise<Planned | undefined> => {
    const entry = await input.eks.describe({ ...target, principalArn });
    const owner = entry?.tags[OWNER_TAG];
    if (!entry || entry.tags[MANAGED_BY_TAG] !== input.deps.controllerId || owner === undefined) return undefined;
    if (input.declared.has(owner) || input.live.has(owner)) return undefined;
    const accountId = placeOfAccessEntry(entry.accessEntryArn)?.accountId;
    const resource: AccessEntry = {
      apiVersion: API_GROUP_VERSION,
      kind: KIND,
      metadata: { name: owner },
      spec: { clusterName: target.clusterName, principalArn, type: entry.type as AccessEntry['spec']['type'] },
      status: { region: target.region, ...(accountId ? { accountId } : {}), adopted: entry.tags[ADOPTED_TAG] === 'true' },
    };
    if (input.reachable) {
      return { name: owner, cluster: target.clusterName, region: target.region, ...(accountId ? { accountId } : {}), principalArn, type: entry.type, action: 'none', reason: PlanReason.Orphaned, message: Message.orphaned(owner), changes: [], calls: [] };
    }
    return planDeletion(resource, undefined, input.deps, Message.retainUnknown);
  }).catch((err: unknown): (Planned | undefined)[] => [listFailure(target, err)]);
  return results.filter((result): result is Planned => result !== undefined);
}

function listFailure(target: ClusterRef, err: unknown): PlanError {
  const explained = explainAwsFailure(err);
  return { subject: `cluster ${target.clusterName} in ${target.region}`, message: `could not list its entries for --prune: ${explained instanceof Error ? explained.message : String(explained)}` };
}
