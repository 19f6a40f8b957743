// The soak's own AccessEntries on the API server, reached directly (never through the relay the
// controller's connections go through), all carrying the run's label.
import { ApiException, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { AccessEntry, AccessEntryList, AccessEntrySpec } from '../../src/api/accessentry.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL } from '../../src/api/names.ts';
import { deleteRun } from '../workload.ts';

/** The label the run's resources carry and its controller selects (--selector). */
export const SOAK_LABEL = 'soak.eksaccess.dev/run';
const RESOURCE = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class SoakResources {
  readonly #api: CustomObjectsApi;

  constructor(
    private readonly kc: KubeConfig,
    readonly run: string,
  ) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
  }

  get selector(): string {
    return `${SOAK_LABEL}=${this.run}`;
  }

  async create(name: string, spec: AccessEntrySpec): Promise<AccessEntry> {
    const body = { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name, labels: { [SOAK_LABEL]: this.run } }, spec };
    return (await this.#api.createClusterCustomObject({ ...RESOURCE, body })) as AccessEntry;
  }

  /** A JSON merge patch of the spec (null removes a field). */
  async patchSpec(name: string, patch: Record<string, unknown>): Promise<AccessEntry> {
    return (await this.#api.patchClusterCustomObject({ ...RESOURCE, name, body: { spec: patch } }, mergePatch)) as AccessEntry;
  }

  async delete(name: string): Promise<void> {
    await this.#api.deleteClusterCustomObject({ ...RESOURCE, name });
  }

  async get(name: string): Promise<AccessEntry | undefined> {
    try {
      return (await this.#api.getClusterCustomObject({ ...RESOURCE, name })) as AccessEntry;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw err;
    }
  }

  /** Every resource of the run as the API server has it now, Terminating ones included. */
  async list(): Promise<AccessEntry[]> {
    const list = (await this.#api.listClusterCustomObject({ ...RESOURCE, labelSelector: this.selector })) as AccessEntryList;
    return list.items;
  }

  /** Removes what is left of the run, finalizers first (no controller is needed). */
  async cleanup(): Promise<void> {
    const names = (await this.list()).map((obj) => obj.metadata.name!);
    await deleteRun(this.kc, names);
  }
}
