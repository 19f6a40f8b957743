// One controller, one EKS emulator and a label of its own per test file. Test files share the
// control plane and run in parallel; AccessEntry is cluster-scoped, so each file's controller
// watches only the resources carrying its label.
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { AccessEntry } from '../../../src/api/accessentry.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL } from '../../../src/api/names.ts';
import type { Config } from '../../../src/config.ts';
import { AccessEntryController } from '../../../src/controller/controller.ts';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts';
import type { ControllerMetrics } from '../../../src/metrics/index.ts';
import { installCrds } from '../../testenv/crd.ts';
import { testKubeConfig, uniqueName, waitFor } from '../../testenv/kube.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const CLUSTER = 'demo';
export const role = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const user = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;

const SELECTOR_LABEL = 'test.eksaccess.dev/run';
const api = (kc: KubeConfig): CustomObjectsApi => kc.makeApiClient(CustomObjectsApi);
const target = (name: string) => ({ group: API_GROUP, version: API_VERSION, plural: PLURAL, name });

export interface HarnessOptions {
  resync?: number;
  stalledRetry?: number;
  principalGrace?: number;
  controllerId?: string;
  /**
   * Whether this file's controller writes ClusterAccess status. Off unless a file reads it: every
   * file's controller sees every ClusterAccess on the shared API server, through its own emulator.
   */
  clusterAccessStatusOwner?: boolean;
}

export class Harness {
  readonly kc: KubeConfig = testKubeConfig();
  readonly runLabel = uniqueName('run');
  emulator!: RunningEmulator;
  controller: AccessEntryController | undefined;
  readonly config: Config;
  readonly #others: AccessEntryController[] = [];

  constructor(options: HarnessOptions = {}) {
    this.config = {
      region: REGION,
      controllerId: options.controllerId ?? 'it-controller',
      concurrency: 4,
      resyncMs: options.resync ?? 60_000,
      stalledRetryMs: options.stalledRetry ?? 1_000,
      principalGraceMs: options.principalGrace ?? 0,
      awsMaxAttempts: 1,
      // Off unless a test turns it on: most tests must not wait for a request budget.
      awsRateLimit: { requestsPerSecond: 0, burst: 1 },
      iamRateLimit: { requestsPerSecond: 0, burst: 1 },
      awsRequestTimeoutMs: 2_000,
      shutdownTimeoutMs: 10_000,
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      labelSelector: `${SELECTOR_LABEL}=${this.runLabel}`,
      retryBaseMs: 100,
      retryMaxMs: 2_000,
      awsEndpoint: 'http://placeholder',
      // In-process controllers serve no endpoints (main.ts starts them); the entrypoint test does.
      metricsAddress: 'disabled',
      probeAddress: 'disabled',
      identity: 'in-process-test',
      clusterAccessStatusOwner: options.clusterAccessStatusOwner ?? false,
    };
  }

  static async start(options?: HarnessOptions): Promise<Harness> {
    const harness = new Harness(options);
    await installCrds(harness.kc);
    harness.emulator = await startEmulator({ implicitPrincipals: true });
    // The emulator serves STS too, as main.ts assumes when only --aws-endpoint is given.
    harness.config.awsEndpoint = harness.emulator.endpoint;
    harness.config.stsEndpoint = harness.emulator.endpoint;
    harness.config.iamEndpoint = harness.emulator.endpoint;
    harness.emulator.state.createCluster(CLUSTER, { authenticationMode: 'API_AND_CONFIG_MAP' });
    await harness.startController();
    return harness;
  }

  /** (Re)starts this file's controller, with `overrides` on top of the file's config, reporting to `metrics` if given. */
  async startController(overrides: Partial<Config> = {}, metrics?: ControllerMetrics): Promise<void> {
    this.controller = await this.#start({ ...this.config, ...overrides }, this.kc, metrics);
  }

  async stopController(): Promise<void> {
    await this.controller?.stop();
    this.controller = undefined;
  }

  /**
   * Another controller on the same emulator, e.g. one with another controller id or region.
   * `labels` narrow its selector beyond this file's run label. Stopped by close().
   */
  async startOtherController(
    overrides: Partial<Config>,
    labels: Record<string, string> = {},
    kubeConfig: KubeConfig = this.kc,
  ): Promise<AccessEntryController> {
    const labelSelector = [this.config.labelSelector, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)].join(',');
    const controller = await this.#start({ ...this.config, labelSelector, ...overrides }, kubeConfig);
    this.#others.push(controller);
    return controller;
  }

  async close(): Promise<void> {
    await Promise.all([this.stopController(), ...this.#others.map((c) => c.stop())]);
    await this.emulator.close();
  }

  async #start(config: Config, kubeConfig: KubeConfig = this.kc, metrics?: ControllerMetrics): Promise<AccessEntryController> {
    const controller = await AccessEntryController.create(kubeConfig, config, pino({ level: config.logLevel }), metrics ? { metrics } : {});
    await controller.start();
    return controller;
  }

  /** Creates an AccessEntry labelled for this file's controllers (plus `labels`). */
  async create(name: string, spec: AccessEntry['spec'], labels: Record<string, string> = {}): Promise<AccessEntry> {
    const body = {
      apiVersion: API_GROUP_VERSION,
      kind: KIND,
      metadata: { name, labels: { [SELECTOR_LABEL]: this.runLabel, ...labels } },
      spec,
    };
    return (await api(this.kc).createClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: PLURAL, body })) as AccessEntry;
  }

  async get(name: string): Promise<AccessEntry | undefined> {
    try {
      return (await api(this.kc).getClusterCustomObject(target(name))) as AccessEntry;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  async patchSpec(name: string, spec: Partial<AccessEntry['spec']> | Record<string, unknown>): Promise<AccessEntry> {
    return (await api(this.kc).patchClusterCustomObject(
      { ...target(name), body: { spec } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as AccessEntry;
  }

  /** Merges labels and annotations into the object's metadata (null removes one). */
  async patchMetadata(name: string, metadata: { labels?: Record<string, string | null>; annotations?: Record<string, string | null> }): Promise<AccessEntry> {
    return (await api(this.kc).patchClusterCustomObject(
      { ...target(name), body: { metadata } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as AccessEntry;
  }

  /** The message of a condition of the object as it stands. */
  static message(obj: AccessEntry | undefined, type: string): string {
    return obj?.status?.conditions?.find((c) => c.type === type)?.message ?? '';
  }

  async delete(name: string): Promise<void> {
    await api(this.kc).deleteClusterCustomObject(target(name));
  }

  /** Waits for a condition of the current generation; returns the object as it then stood. */
  async waitForCondition(
    name: string,
    type: string,
    expected: { status?: string; reason?: string } = { status: 'True' },
    timeoutMs = 30_000,
  ): Promise<AccessEntry> {
    return waitFor(
      async () => {
        const obj = await this.get(name);
        const condition = obj?.status?.conditions?.find((c) => c.type === type);
        const current = obj?.status?.observedGeneration === obj?.metadata.generation;
        const matches =
          condition &&
          (expected.status === undefined || condition.status === expected.status) &&
          (expected.reason === undefined || condition.reason === expected.reason);
        return current && matches ? obj : undefined;
      },
      { description: `${name} ${type}=${JSON.stringify(expected)}`, timeoutMs, intervalMs: 100 },
    );
  }

  async waitForReady(name: string, timeoutMs?: number): Promise<AccessEntry> {
    return this.waitForCondition(name, 'Ready', { status: 'True' }, timeoutMs);
  }

  async waitForGone(name: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => ((await this.get(name)) === undefined ? true : undefined), {
      description: `${name} to be deleted`,
      timeoutMs,
      intervalMs: 100,
    });
  }

  /** The Events recorded about an AccessEntry, oldest first. */
  async events(name: string): Promise<CoreV1Event[]> {
    const list = await this.kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: 'default', fieldSelector: `involvedObject.name=${name}` });
    return list.items;
  }

  entry(principalArn: string, cluster = CLUSTER) {
    return this.emulator.state.getAccessEntry(cluster, principalArn);
  }
}
