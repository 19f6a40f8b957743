import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
export async function waitUntilServing(kc: KubeConfig): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  for (;;) {
    try { await api.listClusterCustomObject({ group: 'eksaccess.dev', version: 'v1alpha1', plural: 'accessentries' }); return; } catch { await sleep(200); }
  }
}
