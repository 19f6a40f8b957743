import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { SdkAccessEntryGateway } from '../eks/access-entries.ts';
import { CallerAccounts } from '../eks/caller-accounts.ts';
import { AwsClients } from '../eks/clients.ts';
import { RateLimiters } from '../eks/rate-limiter.ts';
import { AccessEntryWriter } from '../kube/access-entry-writer.ts';
import { defaultControllerId } from '../kube/controller-id.ts';
import { EventRecorder } from '../kube/events.ts';
import { OwnWrites } from '../kube/own-writes.ts';
import { PooledKubeConfig } from '../kube/pooled-kubeconfig.ts';
import { needsReconcile } from './event-filter.ts';
import { Reconciler } from './reconciler.ts';
import { DONE, type ReconcileResult } from './result.ts';
import { watchAccessEntries, type AccessEntryChange, type AccessEntryWatch } from './watch.ts';
import { WorkQueue } from './work-queue.ts';

/**
 * Watch → filter → queue → reconcile. Watch events only enqueue names (needsReconcile decides
 * which); the reconciler reads the freshest copy known: the cached object, or the controller's
 * own last write when the cache has not caught up with it yet.
 */
export class AccessEntryController {
  readonly #watch: AccessEntryWatch;
  readonly #queue: WorkQueue;
  readonly #reconciler: Reconciler;
  readonly #aws: AwsClients;
  readonly #ownWrites = new OwnWrites();

  /** Resolves the controller id (derived from the management cluster unless configured), then builds the controller. */
  static async create(kubeConfig: KubeConfig, config: Config, log: Logger): Promise<AccessEntryController> {
    const kc = PooledKubeConfig.from(kubeConfig);
    const controllerId = config.controllerId ?? (await defaultControllerId(kc));
    return new AccessEntryController(kc, config, controllerId, log);
  }

  private constructor(
    kc: KubeConfig,
    private readonly config: Config,
    readonly controllerId: string,
    private readonly log: Logger,
  ) {
    this.#aws = new AwsClients({
      ...(config.awsEndpoint ? { eksEndpoint: config.awsEndpoint } : {}),
      ...(config.stsEndpoint ? { stsEndpoint: config.stsEndpoint } : {}),
      maxAttempts: config.awsMaxAttempts,
      requestTimeoutMs: config.awsRequestTimeoutMs,
    });
    const callerAccounts = new CallerAccounts();
    const limiters = new RateLimiters(config.awsRateLimit);
    this.#reconciler = new Reconciler({
      gatewayFor: (reconcileLog) => new SdkAccessEntryGateway({ clients: this.#aws, callerAccounts, limiters, log: reconcileLog }),
      writer: new AccessEntryWriter(kc, this.#ownWrites),
      events: new EventRecorder(kc, { dedupeWindowMs: 10 * 60_000, log }),
      identity: { defaultRegion: config.region, controllerId },
      timing: { resyncMs: config.resyncMs, stalledRetryMs: config.stalledRetryMs, principalGraceMs: config.principalGraceMs },
      log,
    });
    this.#queue = new WorkQueue({
      concurrency: config.concurrency,
      backoff: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
      handler: (name) => this.#handle(name),
      onError: (name, err, attempt) => {
        this.log.debug({ accessEntry: name, attempt, err: err instanceof Error ? err.message : String(err) }, 'reconcile failed, backing off');
      },
    });
    this.#watch = watchAccessEntries(kc, {
      onChange: (change) => this.#changed(change),
      log,
      ...(config.labelSelector ? { labelSelector: config.labelSelector } : {}),
    });
  }

  async start(): Promise<void> {
    this.#queue.start();
    await this.#watch.start();
    this.log.info({ resources: this.#watch.list().length, controllerId: this.controllerId }, 'controller started');
  }

  /** Stops watching, lets in-flight reconciles finish (up to the shutdown timeout), then returns. */
  async stop(): Promise<void> {
    this.#watch.stop();
    const drained = this.#queue.shutdown({ drain: true });
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, this.config.shutdownTimeoutMs, 'timeout').unref());
    if ((await Promise.race([drained, timeout])) === 'timeout') this.log.warn('shutdown timed out with reconciles in flight');
    this.#aws.destroy();
  }

  #changed(change: AccessEntryChange): void {
    const name = change.object.metadata.name ?? '';
    if (change.type === 'deleted') this.#ownWrites.forget(name);
    if (needsReconcile(change)) this.#queue.add(name);
  }

  async #handle(name: string): Promise<ReconcileResult> {
    const cached = this.#watch.get(name);
    if (!cached) {
      this.#ownWrites.forget(name);
      return DONE;
    }
    return withJitter(await this.#reconciler.reconcile(this.#ownWrites.freshest(cached)));
  }
}

/** Spreads resyncs out so thousands of entries are not all re-checked in the same second. */
function withJitter(result: ReconcileResult): ReconcileResult {
  if (result.kind !== 'requeueAfter') return result;
  return { kind: 'requeueAfter', delayMs: Math.round(result.delayMs * (1 + Math.random() * 0.1)) };
}
