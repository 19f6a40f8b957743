// ClusterAccess objects for a test file: created on the shared control plane, removed at the end.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { ClusterAccess } from '../../../src/api/clusteraccess.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, CLUSTER_ACCESS_KIND, CLUSTER_ACCESS_PLURAL } from '../../../src/api/names.ts';

const RESOURCE = { group: API_GROUP, version: API_VERSION, plural: CLUSTER_ACCESS_PLURAL };

export class ClusterAccesses {
  readonly #created = new Set<string>();

  constructor(private readonly kc: KubeConfig) {}

  get api(): CustomObjectsApi {
    return this.kc.makeApiClient(CustomObjectsApi);
  }

  async create(name: string, spec: ClusterAccess['spec']): Promise<void> {
    await this.api.createClusterCustomObject({ ...RESOURCE, body: { apiVersion: API_GROUP_VERSION, kind: CLUSTER_ACCESS_KIND, metadata: { name }, spec } });
    this.#created.add(name);
  }

  async delete(name: string): Promise<void> {
    await this.api.deleteClusterCustomObject({ ...RESOURCE, name });
    this.#created.delete(name);
  }

  async status(name: string): Promise<ClusterAccess['status']> {
    return ((await this.api.getClusterCustomObject({ ...RESOURCE, name })) as ClusterAccess).status;
  }

  async deleteAll(): Promise<void> {
    await Promise.allSettled([...this.#created].map((name) => this.delete(name)));
  }
}
