import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_CONTROLLER_ID } from '../api/names.ts';
import { KubeApiError, kubeCall } from './errors.ts';

/** The namespace whose UID names the management cluster: every cluster has it, and it is never re-created. */
export const IDENTITY_NAMESPACE = 'kube-system';

/**
 * The default controller id, unique to the management cluster: two management clusters that
 * both run with defaults and manage one EKS cluster must not take each other's entries for their
 * own. Every shard of one deployment (--selector) derives the same id, so a resource that moves
 * between shards is simply picked up by the next one.
 */
export async function defaultControllerId(kc: KubeConfig): Promise<string> {
  try {
    const namespace = await kubeCall(`get namespace ${IDENTITY_NAMESPACE}`, () =>
      kc.makeApiClient(CoreV1Api).readNamespace({ name: IDENTITY_NAMESPACE }),
    );
    const uid = namespace.metadata?.uid;
    if (!uid) throw new Error(`namespace ${IDENTITY_NAMESPACE} has no uid`);
    return controllerIdFor(uid);
  } catch (err) {
    const denied = err instanceof KubeApiError && err.code === 403;
    throw new Error(
      `cannot derive the default controller id from the ${IDENTITY_NAMESPACE} namespace's UID (${(err as Error).message}): ` +
        (denied ? `grant get on namespaces/${IDENTITY_NAMESPACE} (deploy/controller/rbac.yaml does), or pass --controller-id` : 'pass --controller-id'),
      { cause: err },
    );
  }
}

export function controllerIdFor(namespaceUid: string): string {
  return `${DEFAULT_CONTROLLER_ID}-${namespaceUid.replaceAll('-', '').slice(0, 12)}`;
}
