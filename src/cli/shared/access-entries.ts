// AccessEntries in the management cluster, as commands ask about them.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, PLURAL } from '../../api/names.ts';
import { KubeApiError, kubeCall } from '../../kube/errors.ts';

/** Whether an AccessEntry of that name exists (the kind is cluster-scoped: the name is enough). */
export function accessEntryExists(kc: KubeConfig): (name: string) => Promise<boolean> {
  const api = kc.makeApiClient(CustomObjectsApi);
  return async (name) => {
    try {
      await kubeCall(`get accessentry ${name}`, () => api.getClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: PLURAL, name }));
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return false;
      throw err;
    }
  };
}
