import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { ClusterAccess, ClusterAccessStatus } from '../api/clusteraccess.ts';
import { API_GROUP, API_VERSION, CLUSTER_ACCESS_PLURAL } from '../api/names.ts';
import { statusPatch } from './access-entry-writer.ts';
import { kubeCall } from './errors.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Writes the status of ClusterAccess objects, through their status subresource. */
export class ClusterAccessWriter {
  readonly #api: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
  }

  async writeStatus(access: ClusterAccess, status: ClusterAccessStatus): Promise<void> {
    const name = access.metadata.name ?? '';
    await kubeCall(`write status of ClusterAccess ${name}`, () =>
      this.#api.patchClusterCustomObjectStatus(
        {
          group: API_GROUP,
          version: API_VERSION,
          plural: CLUSTER_ACCESS_PLURAL,
          name,
          body: { status: statusPatch(access.status, status) },
          fieldManager: 'eks-access-entry-controller',
        },
        mergePatch,
      ),
    );
  }
}
