import type { ClusterAccess } from '../api/clusteraccess.ts';
import type { Credentials } from '../eks/types.ts';
import type { DeepReadonly } from './watch.ts';

/** What a ClusterAccess says about the cluster an AccessEntry names. */
export type ClusterResolution =
  /** No ClusterAccess for it: the controller's own credentials and default region. */
  | { kind: 'default' }
  | { kind: 'mapped'; name: string; region: string; credentials?: Credentials }
  /** Several ClusterAccesses claim the cluster: nothing is called until one remains. */
  | { kind: 'ambiguous'; names: string[] };

/**
 * The ClusterAccess objects, looked up by the cluster an AccessEntry names. A ClusterAccess
 * matches when its clusterName is the entry's and, if the entry names a region, its region too.
 */
export class ClusterDirectory {
  constructor(private readonly list: () => readonly DeepReadonly<ClusterAccess>[]) {}

  resolve(clusterName: string, region: string | undefined): ClusterResolution {
    const matches = this.list().filter(
      (access) => access.spec.clusterName === clusterName && (region === undefined || access.spec.region === region),
    );
    if (matches.length === 0) return { kind: 'default' };
    if (matches.length > 1) return { kind: 'ambiguous', names: matches.map((access) => access.metadata.name ?? '').sort() };
    const [access] = matches as [DeepReadonly<ClusterAccess>];
    const { roleArn, externalId } = access.spec;
    return {
      kind: 'mapped',
      name: access.metadata.name ?? '',
      region: access.spec.region,
      ...(roleArn !== undefined ? { credentials: { roleArn, ...(externalId !== undefined ? { externalId } : {}) } } : {}),
    };
  }

  /** The names of the ClusterAccesses of a cluster, e.g. to re-queue its entries when one changes. */
  namesFor(clusterName: string): string[] {
    return this.list().filter((access) => access.spec.clusterName === clusterName).map((access) => access.metadata.name ?? '');
  }
}
