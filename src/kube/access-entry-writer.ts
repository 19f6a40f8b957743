import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { AccessEntry, AccessEntryStatus } from '../api/accessentry.ts';
import { API_GROUP, API_VERSION, FINALIZER, PLURAL } from '../api/names.ts';
import type { ResourceWriter } from '../controller/reconciler.ts';

const FIELD_MANAGER = 'eks-access-entry-controller';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Finalizer and status writes on AccessEntry resources. */
export class AccessEntryWriter implements ResourceWriter {
  readonly #api: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
  }

  async addFinalizer(resource: AccessEntry): Promise<void> {
    const finalizers = resource.metadata.finalizers ?? [];
    if (finalizers.includes(FINALIZER)) return;
    await this.#patchFinalizers(resource, [...finalizers, FINALIZER]);
  }

  async removeFinalizer(resource: AccessEntry): Promise<void> {
    const finalizers = resource.metadata.finalizers ?? [];
    if (!finalizers.includes(FINALIZER)) return;
    await this.#patchFinalizers(resource, finalizers.filter((f) => f !== FINALIZER));
  }

  /**
   * Through the status subresource, so the write never touches spec or bumps generation. A
   * merge patch needs no resourceVersion: one reconcile per resource runs at a time, so no
   * other writer of this status can interleave.
   */
  async writeStatus(resource: AccessEntry, status: AccessEntryStatus): Promise<void> {
    await this.#api.patchClusterCustomObjectStatus(
      { ...this.#target(resource), body: { status }, fieldManager: FIELD_MANAGER },
      mergePatch,
    );
  }

  /**
   * The resourceVersion makes the patch conditional: finalizers are a list others edit too, and
   * replacing it from a stale copy would drop theirs. A conflict fails the reconcile, which
   * retries from a fresh copy.
   */
  async #patchFinalizers(resource: AccessEntry, finalizers: string[]): Promise<void> {
    const body = { metadata: { finalizers, resourceVersion: resource.metadata.resourceVersion } };
    await this.#api.patchClusterCustomObject({ ...this.#target(resource), body, fieldManager: FIELD_MANAGER }, mergePatch);
  }

  #target(resource: AccessEntry): { group: string; version: string; plural: string; name: string } {
    return { group: API_GROUP, version: API_VERSION, plural: PLURAL, name: resource.metadata.name ?? '' };
  }
}
