import type { ClusterAccess } from '../api/clusteraccess.ts';
import type { Credentials } from '../eks/types.ts';
import type { DeepReadonly } from './watch.ts';

/** One way to reach a cluster, as a ClusterAccess describes it. */
export interface ClusterRoute {
  /** The ClusterAccess's name. */
  name: string;
  region: string;
  /** The role to assume; unset: the controller's own credentials, in the ClusterAccess's region. */
  credentials?: Credentials;
  /** The account the role belongs to (read from its ARN); unset with the controller's own credentials. */
  accountId?: string;
}

/** The ClusterAccess objects, looked up by the cluster an AccessEntry names. */
export class ClusterDirectory {
  constructor(private readonly list: () => readonly DeepReadonly<ClusterAccess>[]) {}

  /** Every ClusterAccess naming the cluster, sorted by name so that choices between them are stable. */
  routesFor(clusterName: string): ClusterRoute[] {
    return this.list()
      .filter((access) => access.spec.clusterName === clusterName)
      .map(routeOf)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The names of the ClusterAccesses of a cluster, e.g. to re-queue its entries when one changes. */
  namesFor(clusterName: string): string[] {
    return this.routesFor(clusterName).map((route) => route.name);
  }
}

function routeOf(access: DeepReadonly<ClusterAccess>): ClusterRoute {
  const { roleArn, externalId, region } = access.spec;
  const accountId = roleArn === undefined ? undefined : /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1];
  return {
    name: access.metadata.name ?? '',
    region,
    ...(roleArn !== undefined ? { credentials: { roleArn, ...(externalId !== undefined ? { externalId } : {}) } } : {}),
    ...(accountId !== undefined ? { accountId } : {}),
  };
}
