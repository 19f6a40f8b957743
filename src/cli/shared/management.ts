// The management cluster as plan and report see it: the AccessEntries that live there (with their
// status, what the controller remembers of each), the ClusterAccesses (the routes the controller
// takes to each cluster) and the controller id derived from it. When it cannot be reached, the
// commands go on from the files and the current AWS credentials alone, and say so.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { AccessEntry } from '../../api/accessentry.ts';
import type { ClusterAccess } from '../../api/clusteraccess.ts';
import { API_GROUP, API_VERSION, CLUSTER_ACCESS_PLURAL, PLURAL } from '../../api/names.ts';
import { ClusterDirectory, type ClusterRoute } from '../../controller/cluster-directory.ts';
import { defaultControllerId } from '../../kube/controller-id.ts';
import { KubeApiError, kubeCall } from '../../kube/errors.ts';
import { CliError } from './exit.ts';
import { describeContext, loadKubeConfig, resolveControllerId, type ControllerIdOptions } from './kube.ts';

export interface ManagementView {
  reachable: boolean;
  /** The kubeconfig context it was read through. */
  context?: string;
  /** Why it was not read, for the output. */
  note?: string;
  kc?: KubeConfig;
  /** The AccessEntries stored there, by name. */
  live: ReadonlyMap<string, AccessEntry>;
  clusters: ClusterDirectory;
  /** How many ClusterAccesses it holds. */
  clusterAccessCount: number;
  /** Every ClusterAccess's route, with the cluster it names, by cluster then name. */
  allRoutes(): (ClusterRoute & { clusterName: string })[];
  controllerId: string;
}

export interface ManagementOptions extends ControllerIdOptions {
  /** false: never ask it (--no-management-cluster). */
  use: boolean;
  /**
   * --assume-role-name: reach each ClusterAccess's account through the role of this name there (a
   * read-only one) rather than the controller's own role, which can write.
   */
  assumeRoleName?: string;
}

const UNREACHABLE_HINT = 'ClusterAccesses are not known, so every cluster is reached with the current AWS credentials and --region';

/**
 * Reads the management cluster through --kubeconfig/--context (or the default kubeconfig). A
 * kubeconfig the user named that cannot be read or reached is an error; no kubeconfig at all, or
 * --no-management-cluster, is not: the view is then empty, and needs --controller-id.
 */
export async function readManagementCluster(options: ManagementOptions): Promise<ManagementView> {
  const named = options.kubeconfig !== undefined || options.context !== undefined;
  if (!options.use) return offline(options, `not asked (--no-management-cluster): ${UNREACHABLE_HINT}`);
  let kc: KubeConfig;
  try {
    kc = loadKubeConfig(options);
  } catch (err) {
    if (named) throw err;
    return offline(options, `no kubeconfig to reach it (${(err as Error).message}): ${UNREACHABLE_HINT}`);
  }
  const context = describeContext(kc);
  try {
    const [live, accesses] = await Promise.all([listAll<AccessEntry>(kc, PLURAL), listAll<ClusterAccess>(kc, CLUSTER_ACCESS_PLURAL)]);
    const directory = new ClusterDirectory(() => (options.assumeRoleName === undefined ? accesses : accesses.map((access) => withRole(access, options.assumeRoleName ?? ''))));
    const controllerId = options.controllerId !== undefined ? await resolveControllerId(options) : await defaultControllerId(kc);
    return {
      reachable: true,
      context,
      kc,
      live: new Map(live.map((entry) => [entry.metadata.name ?? '', entry])),
      clusters: directory,
      clusterAccessCount: accesses.length,
      allRoutes: () => [...new Set(accesses.map((access) => access.spec.clusterName))].sort().flatMap((clusterName) => directory.routesFor(clusterName).map((route) => ({ ...route, clusterName }))),
      controllerId,
    };
  } catch (err) {
    if (named || err instanceof CliError) {
      throw new CliError(`cannot read the management cluster (context ${context}): ${(err as Error).message}; check --kubeconfig and --context, or pass --no-management-cluster and --controller-id`, { cause: err });
    }
    return offline(options, `could not be read through context ${context} (${(err as Error).message}): ${UNREACHABLE_HINT}`);
  }
}

async function offline(options: ManagementOptions, note: string): Promise<ManagementView> {
  if (options.controllerId === undefined) {
    throw new CliError(`the management cluster is not reachable (${note.replace(/: ClusterAccesses.*$/, '')}), so the controller id cannot be derived: pass --controller-id, or --kubeconfig/--context of the management cluster`);
  }
  return { reachable: false, note, live: new Map(), clusters: new ClusterDirectory(() => []), clusterAccessCount: 0, allRoutes: () => [], controllerId: await resolveControllerId(options) };
}

/** Every object of a cluster-scoped kind of this API group; none when its CRD is not installed. */
async function listAll<T>(kc: KubeConfig, plural: string): Promise<T[]> {
  const api = kc.makeApiClient(CustomObjectsApi);
  try {
    const list = (await kubeCall(`list ${plural}`, () => api.listClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural }))) as { items?: T[] };
    return list.items ?? [];
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) return [];
    throw err;
  }
}

/** The ClusterAccess with its role replaced by the role of `name` in the same account (no external id: that was the controller role's). */
function withRole(access: ClusterAccess, name: string): ClusterAccess {
  const roleArn = access.spec.roleArn;
  if (roleArn === undefined) return access;
  const prefix = /^(arn:[^:]+:iam::\d{12}:role\/)/.exec(roleArn)?.[1];
  if (prefix === undefined) return access;
  const { externalId: _controllers, ...spec } = access.spec;
  return { ...access, spec: { ...spec, roleArn: `${prefix}${name}` } };
}
