import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AccessEntry } from '../api/accessentry.ts';
import type { Config } from '../config.ts';
import { SdkAccessEntryGateway } from '../eks/access-entries.ts';
import { EksClientPool } from '../eks/clients.ts';
import { AccessEntryWriter } from '../kube/access-entry-writer.ts';
import { EventRecorder } from '../kube/events.ts';
import { Reconciler } from './reconciler.ts';
import { watchAccessEntries, type AccessEntryWatch, type ReadonlyAccessEntry } from './watch.ts';
import { WorkQueue, type ReconcileOutcome } from './work-queue.ts';

/** Until when a resource's last reconcile holds, for the generation it saw. */
interface Settled {
  uid: string;
  generation: number;
  untilMs: number;
}

/**
 * Watch → queue → reconcile. Watch events only enqueue names; the reconciler reads the cached
 * object. Status writes come back as watch events too: a resource whose generation has not
 * changed since its last reconcile is not re-checked until its resync is due, so steady state
 * makes no calls to EKS beyond that resync and no writes at all.
 */
export class AccessEntryController {
  readonly #watch: AccessEntryWatch;
  readonly #queue: WorkQueue;
  readonly #reconciler: Reconciler;
  readonly #eksClients: EksClientPool;
  readonly #settled = new Map<string, Settled>();

  constructor(
    kc: KubeConfig,
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    this.#eksClients = new EksClientPool({
      ...(config.awsEndpoint ? { endpoint: config.awsEndpoint } : {}),
      maxAttempts: config.awsMaxAttempts,
      requestTimeoutMs: config.awsRequestTimeoutMs,
    });
    this.#reconciler = new Reconciler({
      gatewayFor: (reconcileLog) => new SdkAccessEntryGateway((region) => this.#eksClients.forRegion(region), reconcileLog),
      writer: new AccessEntryWriter(kc),
      events: new EventRecorder(kc, { dedupeWindowMs: 10 * 60_000, log }),
      identity: { defaultRegion: config.region, controllerId: config.controllerId },
      timing: { resyncMs: config.resyncMs, stalledRetryMs: config.stalledRetryMs, principalGraceMs: config.principalGraceMs },
      log,
    });
    this.#queue = new WorkQueue({
      concurrency: config.concurrency,
      backoff: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
      handler: (name) => this.#handle(name),
      onError: (name, err, attempt) => {
        this.log.debug({ accessEntry: name, attempt, err: (err as Error).message }, 'reconcile failed, backing off');
      },
    });
    this.#watch = watchAccessEntries(kc, {
      onChange: (name) => this.#queue.add(name),
      log,
      ...(config.labelSelector ? { labelSelector: config.labelSelector } : {}),
    });
  }

  async start(): Promise<void> {
    this.#queue.start();
    await this.#watch.start();
    this.log.info({ resources: this.#watch.list().length }, 'controller started');
  }

  /** Stops watching, lets in-flight reconciles finish (up to the shutdown timeout), then returns. */
  async stop(): Promise<void> {
    this.#watch.stop();
    const drained = this.#queue.shutdown({ drain: true });
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, this.config.shutdownTimeoutMs, 'timeout').unref());
    if ((await Promise.race([drained, timeout])) === 'timeout') this.log.warn('shutdown timed out with reconciles in flight');
    this.#eksClients.destroy();
  }

  async #handle(name: string): Promise<ReconcileOutcome> {
    const cached = this.#watch.get(name);
    if (!cached) {
      this.#settled.delete(name);
      return {};
    }
    const now = Date.now();
    const settled = this.#settled.get(name);
    if (settled && isStillSettled(settled, cached, now)) return { requeueAfterMs: settled.untilMs - now };

    this.#settled.delete(name);
    // The cache's objects are shared: the reconciler works on its own copy.
    const outcome = await this.#reconciler.reconcile(structuredClone(cached) as AccessEntry);
    if (outcome.requeueAfterMs === undefined) return outcome;
    const requeueAfterMs = withJitter(outcome.requeueAfterMs);
    this.#settled.set(name, {
      uid: cached.metadata.uid ?? '',
      generation: cached.metadata.generation ?? 0,
      untilMs: Date.now() + requeueAfterMs,
    });
    return { requeueAfterMs };
  }
}

function isStillSettled(settled: Settled, resource: ReadonlyAccessEntry, now: number): boolean {
  return (
    now < settled.untilMs &&
    !resource.metadata.deletionTimestamp &&
    settled.uid === resource.metadata.uid &&
    settled.generation === resource.metadata.generation
  );
}

/** Spreads resyncs out so thousands of entries are not all re-checked in the same second. */
function withJitter(ms: number): number {
  return Math.round(ms * (1 + Math.random() * 0.1));
}
