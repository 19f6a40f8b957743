import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { AccessEntry, AccessEntryStatus } from '../api/accessentry.ts';
import { API_GROUP, API_VERSION, FINALIZER, PLURAL } from '../api/names.ts';
import { KubeApiError, kubeCall } from './errors.ts';
import type { OwnWrites } from './own-writes.ts';

const FIELD_MANAGER = 'eks-access-entry-controller';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The Kubernetes reads and writes a reconcile makes on AccessEntry resources. */
export interface ResourceWriter {
  /** Each write resolves to the object as the API server stored it. */
  addFinalizer(resource: AccessEntry): Promise<AccessEntry>;
  removeFinalizer(resource: AccessEntry): Promise<AccessEntry>;
  writeStatus(resource: AccessEntry, status: AccessEntryStatus): Promise<AccessEntry>;
  /** Whether an AccessEntry of this name exists, whichever controller shard watches it. */
  exists(name: string): Promise<boolean>;
}

/**
 * Finalizer and status writes on AccessEntry resources. Every answer is remembered in
 * `ownWrites`, so the next reconcile starts from it even before the watch cache has caught up.
 */
export class AccessEntryWriter implements ResourceWriter {
  readonly #api: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    private readonly ownWrites: OwnWrites,
  ) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
  }

  async addFinalizer(resource: AccessEntry): Promise<AccessEntry> {
    const finalizers = resource.metadata.finalizers ?? [];
    if (finalizers.includes(FINALIZER)) return resource;
    return this.#patchFinalizers(resource, [...finalizers, FINALIZER]);
  }

  async removeFinalizer(resource: AccessEntry): Promise<AccessEntry> {
    const finalizers = resource.metadata.finalizers ?? [];
    if (!finalizers.includes(FINALIZER)) return resource;
    return this.#patchFinalizers(resource, finalizers.filter((f) => f !== FINALIZER));
  }

  /**
   * Through the status subresource, so the write never touches spec or bumps generation. A
   * merge patch needs no resourceVersion: one reconcile per resource runs at a time, it starts
   * from our own last write (ownWrites), and nothing else writes this status.
   */
  async writeStatus(resource: AccessEntry, status: AccessEntryStatus): Promise<AccessEntry> {
    const body = { status: statusPatch(resource.status, status) };
    const written = await kubeCall<unknown>(`write status of AccessEntry ${name(resource)}`, () =>
      this.#api.patchClusterCustomObjectStatus({ ...target(resource), body, fieldManager: FIELD_MANAGER }, mergePatch),
    );
    return this.#remember(written);
  }

  async exists(resourceName: string): Promise<boolean> {
    try {
      await kubeCall(`get AccessEntry ${resourceName}`, () =>
        this.#api.getClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: PLURAL, name: resourceName }),
      );
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return false;
      throw err;
    }
  }

  /**
   * The resourceVersion makes the patch conditional: finalizers are a list others edit too, and
   * replacing it from a stale copy would drop theirs. A conflict fails the reconcile, which
   * retries from a fresh copy.
   */
  async #patchFinalizers(resource: AccessEntry, finalizers: string[]): Promise<AccessEntry> {
    const body = { metadata: { finalizers, resourceVersion: resource.metadata.resourceVersion } };
    const written = await kubeCall<unknown>(`write finalizers of AccessEntry ${name(resource)}`, () =>
      this.#api.patchClusterCustomObject({ ...target(resource), body, fieldManager: FIELD_MANAGER }, mergePatch),
    );
    return this.#remember(written);
  }

  #remember(written: unknown): AccessEntry {
    const object = written as AccessEntry;
    // Once the finalizer is gone the object may be gone too: nothing to remember.
    if (object.metadata.deletionTimestamp && !object.metadata.finalizers?.length) this.ownWrites.forget(name(object));
    else this.ownWrites.remember(structuredClone(object));
    return object;
  }
}

/**
 * The merge patch that turns `previous` into `next`: a merge patch keeps every field it does not
 * mention, so a field the new status drops (managedUsername after a reset, say) is sent as null.
 */
export function statusPatch(previous: object | undefined, next: object): Record<string, unknown> {
  const removed = Object.keys(previous ?? {}).filter((key) => !(key in next));
  return { ...Object.fromEntries(removed.map((key) => [key, null])), ...next };
}

function name(resource: AccessEntry): string {
  return resource.metadata.name ?? '';
}

function target(resource: AccessEntry): { group: string; version: string; plural: string; name: string } {
  return { group: API_GROUP, version: API_VERSION, plural: PLURAL, name: name(resource) };
}
