// A kubeconfig file that kubectl, helm and @kubernetes/client-node all accept. Credentials are
// embedded rather than referenced, so the file works wherever it is copied to.
import { readFile, writeFile } from 'node:fs/promises';
import { dumpYaml } from '@kubernetes/client-node';

export const CONTEXT_NAME = 'eaec-testenv';

export type Credentials = { clientCertFile: string; clientKeyFile: string } | { token: string } | Record<string, never>;

async function base64(file: string): Promise<string> {
  return (await readFile(file)).toString('base64');
}

async function userEntry(credentials: Credentials): Promise<Record<string, string>> {
  if ('token' in credentials) return { token: credentials.token };
  if ('clientCertFile' in credentials) {
    return {
      'client-certificate-data': await base64(credentials.clientCertFile),
      'client-key-data': await base64(credentials.clientKeyFile),
    };
  }
  return {};
}

/** The kubeconfig text for server, trusting caFile, with the given credentials (none: anonymous). */
export async function kubeconfigYaml(server: string, caFile: string, credentials: Credentials): Promise<string> {
  return dumpYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster: { server, 'certificate-authority-data': await base64(caFile) } }],
    users: [{ name: CONTEXT_NAME, user: await userEntry(credentials) }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME } }],
    'current-context': CONTEXT_NAME,
  });
}

export async function writeKubeconfig(
  path: string,
  server: string,
  caFile: string,
  credentials: Credentials,
): Promise<void> {
  await writeFile(path, await kubeconfigYaml(server, caFile, credentials), { mode: 0o600 });
}
