// Which clusters report reads, and how each is reached: the ClusterAccesses of the management
// cluster (the routes the controller takes), or the current credentials with --region.
import type { ClusterRoute } from '../../controller/cluster-directory.ts';
import { CliError } from '../shared/exit.ts';
import type { ManagementView } from '../shared/management.ts';
import type { ReportTarget } from './collect.ts';

export interface TargetRequest {
  clusters: string[];
  allClusters: boolean;
  /** --region, or the SDK's: for clusters no ClusterAccess names. */
  region: string | undefined;
}

export function reportTargets(request: TargetRequest, management: Pick<ManagementView, 'clusters' | 'reachable' | 'allRoutes'>): ReportTarget[] {
  if (!request.allClusters && request.clusters.length === 0) {
    throw new CliError('name the clusters to report on with --cluster (repeatable), or --all-clusters for every cluster the management cluster\'s ClusterAccesses reach');
  }
  const targets = new Map<string, ReportTarget>();
  const add = (target: ReportTarget): void => {
    targets.set(`${target.clusterName}|${target.region}|${target.credentials?.roleArn ?? ''}`, target);
  };
  if (request.allClusters) {
    if (!management.reachable) throw new CliError('--all-clusters reads the ClusterAccesses of the management cluster, which was not reached: give --kubeconfig/--context, or name clusters with --cluster and --region');
    for (const route of management.allRoutes()) add(targetOf(route.clusterName, route));
  }
  for (const clusterName of request.clusters) {
    const routes = management.clusters.routesFor(clusterName);
    if (routes.length > 0) {
      for (const route of routes) add(targetOf(clusterName, route));
      continue;
    }
    if (request.region === undefined) throw new CliError(`no ClusterAccess names cluster ${clusterName}, and no region is set to reach it with the current credentials: pass --region`);
    add({ clusterName, region: request.region });
  }
  return [...targets.values()];
}

function targetOf(clusterName: string, route: ClusterRoute): ReportTarget {
  return { clusterName, region: route.region, clusterAccess: route.name, ...(route.credentials ? { credentials: route.credentials } : {}) };
}
