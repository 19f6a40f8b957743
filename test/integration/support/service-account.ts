// A kubeconfig holding a ServiceAccount token: a process started with it has exactly the
// permissions RBAC grants that ServiceAccount, which is how the shipped manifests are proven.
import { writeFile } from 'node:fs/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

export async function serviceAccountKubeconfig(admin: KubeConfig, namespace: string, name: string, path: string): Promise<KubeConfig> {
  const request = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { expirationSeconds: 3600, audiences: [] } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`no token issued for ${namespace}/${name}`);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'testenv', server: cluster.server, caData: cluster.caData, skipTLSVerify: false }],
    users: [{ name, token }],
    contexts: [{ name: 'sa', cluster: 'testenv', user: name }],
    currentContext: 'sa',
  });
  await writeFile(path, kc.exportConfig(), { mode: 0o600 });
  return kc;
}
