// Installs the AccessEntry CRD on a test control plane and waits until the API server serves it.
// Test files run in parallel against one control plane, so installing must be idempotent and
// tolerate another file installing at the same moment.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiException,
  ApiextensionsV1Api,
  loadYaml,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { CRD_NAME } from '../../src/api/names.ts';
import { waitFor } from './kube.ts';

export const CRD_FILE = fileURLToPath(new URL(`../../crds/${CRD_NAME}.yaml`, import.meta.url));
const CRDS_DIR = fileURLToPath(new URL('../../crds/', import.meta.url));

/** Installs every CRD the controller needs (all of crds/), as `kubectl apply -f crds/` does. */
export async function installCrds(kubeConfig: KubeConfig): Promise<void> {
  const files = (await readdir(CRDS_DIR)).filter((file) => file.endsWith('.yaml')).sort();
  await Promise.all(files.map((file) => installCrd(kubeConfig, join(CRDS_DIR, file))));
}

const CONFLICT = 409;
const NOT_FOUND = 404;
const WRITE_ATTEMPTS = 5;

/** Creates the CRD, or replaces it with the file's version, then waits for it to be Established. */
export async function installCrd(kubeConfig: KubeConfig, file = CRD_FILE): Promise<V1CustomResourceDefinition> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const desired = loadYaml<V1CustomResourceDefinition>(await readFile(file, 'utf8'));
  const name = desired.metadata?.name;
  if (!name) throw new Error(`${file} has no metadata.name: is it a CustomResourceDefinition?`);

  await createOrReplace(api, name, desired);
  return waitFor(
    async () => {
      const crd = await api.readCustomResourceDefinition({ name });
      return isEstablished(crd) ? crd : undefined;
    },
    { description: `CRD ${name} to be Established`, timeoutMs: 30_000 },
  );
}

async function createOrReplace(
  api: ApiextensionsV1Api,
  name: string,
  desired: V1CustomResourceDefinition,
): Promise<void> {
  // A 409 means another test file created or updated it in between: read again and retry.
  for (let attempt = 1; ; attempt++) {
    try {
      const current = await readIfPresent(api, name);
      if (current) {
        const body = { ...desired, metadata: { ...desired.metadata, resourceVersion: current.metadata?.resourceVersion } };
        await api.replaceCustomResourceDefinition({ name, body });
      } else {
        await api.createCustomResourceDefinition({ body: desired });
      }
      return;
    } catch (error) {
      if (!(error instanceof ApiException && error.code === CONFLICT) || attempt === WRITE_ATTEMPTS) throw error;
    }
  }
}

async function readIfPresent(api: ApiextensionsV1Api, name: string): Promise<V1CustomResourceDefinition | undefined> {
  try {
    return await api.readCustomResourceDefinition({ name });
  } catch (error) {
    if (error instanceof ApiException && error.code === NOT_FOUND) return undefined;
    throw error;
  }
}

function isEstablished(crd: V1CustomResourceDefinition): boolean {
  return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
}
