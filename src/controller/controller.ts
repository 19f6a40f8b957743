import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ClusterAccess } from '../api/clusteraccess.ts';
import { CLUSTER_ACCESS_KIND, CLUSTER_ACCESS_PLURAL } from '../api/names.ts';
import type { Config } from '../config.ts';
import { SdkAccessEntryGateway } from '../eks/access-entries.ts';
import { CallerAccounts } from '../eks/caller-accounts.ts';
import { AwsClients } from '../eks/clients.ts';
import { RateLimiters } from '../eks/rate-limiter.ts';
import { OPEN_FENCE, type WriteFence } from '../eks/write-fence.ts';
import { PrincipalDirectory } from '../iam/directory.ts';
import { SdkPrincipalReader } from '../iam/principals.ts';
import { AccessEntryWriter } from '../kube/access-entry-writer.ts';
import { ClusterAccessWriter } from '../kube/cluster-access-writer.ts';
import { defaultControllerId } from '../kube/controller-id.ts';
import { EventRecorder } from '../kube/events.ts';
import { OwnWrites } from '../kube/own-writes.ts';
import { PooledKubeConfig } from '../kube/pooled-kubeconfig.ts';
import { NOOP_METRICS, type CheckResult, type ControllerMetrics } from '../metrics/index.ts';
import { ClusterAccessReconciler } from './cluster-access-reconciler.ts';
import { ClusterDirectory } from './cluster-directory.ts';
import { needsReconcile } from './event-filter.ts';
import { ReadinessClock } from './readiness-clock.ts';
import { Reconciler } from './reconciler.ts';
import { accessEntryConditionSamples, clusterAccessConditionSamples, countConditions } from './resource-state.ts';
import { DONE, type ReconcileResult } from './result.ts';
import {
  watchAccessEntries,
  watchObjects,
  type AccessEntryChange,
  type AccessEntryWatch,
  type ObjectChange,
  type ObjectWatch,
} from './watch.ts';
import { WorkQueue } from './work-queue.ts';

/** What main passes beside the configuration. */
export interface ControllerOptions {
  metrics?: ControllerMetrics;
  /** EKS writes go only while it is open: the leader's, with leader election. Default: always open. */
  fence?: WriteFence;
}

/** ClusterAccesses are few and their checks cheap: two at a time is plenty. */
const CLUSTER_ACCESS_CONCURRENCY = 2;

/**
 * Watch → filter → queue → reconcile, for AccessEntries and, beside them, the ClusterAccesses
 * that say how to reach their clusters. Watch events only enqueue names (needsReconcile decides
 * which); the reconciler reads the freshest copy known: the cached object, or the controller's
 * own last write when the cache has not caught up with it yet.
 */
export class AccessEntryController {
  readonly #watch: AccessEntryWatch;
  readonly #clusterWatch: ObjectWatch<ClusterAccess>;
  readonly #queue: WorkQueue;
  readonly #clusterQueue: WorkQueue;
  readonly #reconciler: Reconciler;
  readonly #clusterReconciler: ClusterAccessReconciler;
  readonly #aws: AwsClients;
  readonly #ownWrites = new OwnWrites();
  readonly #readiness: ReadinessClock;
  /** uid/generation of each ClusterAccess last seen, to tell a relisted one that changed. */
  readonly #clusterVersions = new Map<string, string>();

  /** Resolves the controller id (derived from the management cluster unless configured), then builds the controller. */
  static async create(kubeConfig: KubeConfig, config: Config, log: Logger, { metrics = NOOP_METRICS, fence = OPEN_FENCE }: ControllerOptions = {}): Promise<AccessEntryController> {
    const kc = PooledKubeConfig.from(kubeConfig);
    const controllerId = config.controllerId ?? (await defaultControllerId(kc));
    return new AccessEntryController(kc, config, { controllerId, log, metrics, fence });
  }

  readonly controllerId: string;
  private readonly log: Logger;

  private constructor(
    kc: KubeConfig,
    private readonly config: Config,
    { controllerId, log, metrics, fence }: Required<ControllerOptions> & { controllerId: string; log: Logger },
  ) {
    this.controllerId = controllerId;
    this.log = log;
    const callerAccounts = new CallerAccounts();
    const gatewayFor = (reconcileLog: Logger): SdkAccessEntryGateway =>
      new SdkAccessEntryGateway({ clients: this.#aws, callerAccounts, log: reconcileLog, metrics });
    this.#readiness = new ReadinessClock((seconds) => metrics.timeToReady(seconds));
    this.#aws = new AwsClients({
      ...(config.awsEndpoint ? { eksEndpoint: config.awsEndpoint } : {}),
      ...(config.stsEndpoint ? { stsEndpoint: config.stsEndpoint } : {}),
      ...(config.iamEndpoint ? { iamEndpoint: config.iamEndpoint } : {}),
      maxAttempts: config.awsMaxAttempts,
      requestTimeoutMs: config.awsRequestTimeoutMs,
      // The STS session name of assumed roles: CloudTrail shows it and the trust policy pins it
      // (config checks a configured id fits: at most 64 of [\w+=,.@-]).
      sessionName: controllerId,
      // Who sent a call, as CloudTrail and the emulator's log see it: this replica and its controller id.
      // As pairs: the SDK would escape a space inside one string.
      userAgent: [
        ['eks-access-entry-controller', config.identity],
        ['controller-id', controllerId],
      ],
      budget: {
        limiters: new RateLimiters(config.awsRateLimit),
        iamLimiters: new RateLimiters(config.iamRateLimit),
        // The same cached lookup the reconciler's account checks use: one STS call per credential set.
        accountOf: (target) => gatewayFor(log).callerAccount(target),
        waited: (seconds) => metrics.rateLimiterWaited(seconds),
        throttled: (service) => metrics.awsThrottled(service),
      },
      fence,
    });
    this.#clusterWatch = watchObjects<ClusterAccess>(kc, { kind: CLUSTER_ACCESS_KIND, plural: CLUSTER_ACCESS_PLURAL }, {
      onChange: (change) => this.#clusterChanged(change),
      log,
    });
    this.#reconciler = new Reconciler({
      gatewayFor,
      clusters: new ClusterDirectory(() => this.#clusterWatch.list()),
      writer: new AccessEntryWriter(kc, this.#ownWrites),
      events: new EventRecorder(kc, { dedupeWindowMs: 10 * 60_000, log }),
      identity: { defaultRegion: config.region, controllerId, requireClusterAccess: config.requireClusterAccess ?? false },
      timing: { resyncMs: config.resyncMs, stalledRetryMs: config.stalledRetryMs, principalGraceMs: config.principalGraceMs },
      log,
      metrics,
      // One directory for every reconcile: its cache is what keeps IAM reads at one per principal per resync.
      principals: new PrincipalDirectory({
        reader: new SdkPrincipalReader({ clients: this.#aws, log, metrics }),
        callerAccount: (target) => gatewayFor(log).callerAccount(target),
        ttlMs: config.resyncMs,
        // 0: never list (a threshold no account reaches).
        ...(config.iamListRolesFrom !== undefined ? { snapshotThreshold: config.iamListRolesFrom || Number.POSITIVE_INFINITY } : {}),
      }),
    });
    this.#clusterReconciler = new ClusterAccessReconciler({
      gatewayFor,
      writer: new ClusterAccessWriter(kc),
      recheckMs: config.resyncMs,
      stalledRetryMs: config.stalledRetryMs,
      log,
    });
    const backoff = { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs };
    const onError = (kind: string) => (name: string, err: unknown, attempt: number): void => {
      this.log.debug({ [kind]: name, attempt, err: err instanceof Error ? err.message : String(err) }, 'reconcile failed, backing off');
    };
    this.#queue = new WorkQueue({ concurrency: config.concurrency, backoff, handler: (name) => this.#handle(name), onError: onError('accessEntry'), metrics });
    this.#clusterQueue = new WorkQueue({
      concurrency: CLUSTER_ACCESS_CONCURRENCY,
      backoff,
      handler: (name) => this.#handleCluster(name),
      onError: onError('clusterAccess'),
    });
    this.#watch = watchAccessEntries(kc, {
      onChange: (change) => this.#changed(change),
      log,
      ...(config.labelSelector ? { labelSelector: config.labelSelector } : {}),
    });
    metrics.onScrape(() => metrics.resources(countConditions(this.#watch.list())));
    // Per resource, a series or two each, read from the caches at each scrape: very large fleets
    // may turn them off.
    if (config.perResourceMetrics ?? true) {
      metrics.accessEntryConditions(() => accessEntryConditionSamples(this.#watch.list()));
      metrics.clusterAccessConditions(() => clusterAccessConditionSamples(this.#clusterWatch.list()));
    }
  }

  /**
   * /healthz: fails once a watch has been failing, or a reconcile running, longer than a restart
   * of the pod should be waited for. Every call a reconcile makes has a timeout, so one that runs
   * for minutes is stuck (a connection that never answers, a bug) and holds its worker forever.
   */
  health(now = Date.now()): CheckResult {
    for (const [kind, watch] of [['AccessEntry', this.#watch], [CLUSTER_ACCESS_KIND, this.#clusterWatch]] as const) {
      const failing = watch.failingSince();
      if (failing && now - failing.at > WATCH_DEAD_AFTER_MS) {
        return { ok: false, reason: `the ${kind} watch has been failing for ${Math.round((now - failing.at) / 1000)} s: ${errorText(failing.error)}` };
      }
    }
    for (const [kind, queue] of [['AccessEntry', this.#queue], [CLUSTER_ACCESS_KIND, this.#clusterQueue]] as const) {
      const longest = queue.longestRunning(now);
      if (longest && longest.forMs > RECONCILE_STUCK_AFTER_MS) {
        return { ok: false, reason: `the reconcile of ${kind} ${longest.key} has been running for ${Math.round(longest.forMs / 1000)} s` };
      }
    }
    return { ok: true };
  }

  /**
   * /readyz: ready once both caches have synced. A missing CRD keeps it not ready, naming the CRD
   * and the command that installs it, so a rollout that forgot crds/ does not pass for done
   * (meanwhile what needs no ClusterAccess is reconciled).
   */
  ready(): CheckResult {
    for (const watch of [this.#watch, this.#clusterWatch]) {
      const missing = watch.notInstalled();
      if (missing) return { ok: false, reason: missing };
    }
    if (!this.#clusterWatch.hasSynced()) return { ok: false, reason: 'the ClusterAccess cache has not synced yet' };
    if (!this.#watch.hasSynced()) return { ok: false, reason: 'the AccessEntry cache has not synced yet' };
    return { ok: true };
  }

  /**
   * The ClusterAccesses are in the cache before the first AccessEntry is reconciled: an entry of
   * a mapped cluster must never be tried with the controller's own credentials and region.
   */
  async start(): Promise<void> {
    this.#clusterQueue.start();
    await this.#clusterWatch.start();
    this.#queue.start();
    await this.#watch.start();
    this.log.info(
      { resources: this.#watch.list().length, clusterAccesses: this.#clusterWatch.list().length, controllerId: this.controllerId },
      'controller started',
    );
  }

  /** Stops watching, lets in-flight reconciles finish (up to the shutdown timeout), then returns. */
  async stop(): Promise<void> {
    this.#watch.stop();
    this.#clusterWatch.stop();
    const drained = Promise.all([this.#queue.shutdown({ drain: true }), this.#clusterQueue.shutdown({ drain: true })]);
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, this.config.shutdownTimeoutMs, 'timeout').unref());
    if ((await Promise.race([drained, timeout])) === 'timeout') this.log.warn('shutdown timed out with reconciles in flight');
    this.#aws.destroy();
  }

  #changed(change: AccessEntryChange): void {
    this.#ownWrites.watched(change.type, change.object);
    this.#readiness.seen(change);
    if (needsReconcile(change)) this.#queue.add(change.object.metadata.name ?? '');
  }

  /**
   * A ClusterAccess that changes is checked again, and so is every AccessEntry of its cluster. A
   * relist names every object: only those whose spec changed while nothing watched re-queue.
   */
  #clusterChanged(change: ObjectChange<ClusterAccess>): void {
    const { object } = change;
    const name = object.metadata.name ?? '';
    if (!this.#clusterSpecChanged(change)) return;
    if (change.type !== 'deleted' && this.config.clusterAccessStatusOwner !== false) this.#clusterQueue.add(name);
    for (const entry of this.#watch.list()) {
      if (entry.spec.clusterName === object.spec.clusterName) this.#queue.add(entry.metadata.name ?? '');
    }
  }

  /** Whether the change is to a spec: a new generation, a new or deleted object, or one a relist shows changed. */
  #clusterSpecChanged(change: ObjectChange<ClusterAccess>): boolean {
    const { metadata } = change.object;
    const name = metadata.name ?? '';
    if (change.type === 'deleted') {
      this.#clusterVersions.delete(name);
      return true;
    }
    const version = `${metadata.uid ?? ''}/${metadata.generation ?? 0}`;
    const unchanged = this.#clusterVersions.get(name) === version;
    this.#clusterVersions.set(name, version);
    return !unchanged;
  }

  async #handle(name: string): Promise<ReconcileResult> {
    const cached = this.#watch.get(name);
    if (!cached) {
      this.#ownWrites.forget(name);
      return DONE;
    }
    return withJitter(await this.#reconciler.reconcile(this.#ownWrites.freshest(cached)));
  }

  async #handleCluster(name: string): Promise<ReconcileResult> {
    const cached = this.#clusterWatch.get(name);
    if (!cached) return DONE;
    return withJitter(await this.#clusterReconciler.reconcile(structuredClone(cached) as ClusterAccess));
  }
}

/** A watch failing this long is not coming back by itself: liveness fails and the pod is restarted. */
const WATCH_DEAD_AFTER_MS = 2 * 60_000;
/** Far beyond what a reconcile's calls can take with their timeouts and retries. */
const RECONCILE_STUCK_AFTER_MS = 5 * 60_000;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Spreads resyncs out so thousands of entries are not all re-checked in the same second. */
function withJitter(result: ReconcileResult): ReconcileResult {
  if (result.kind !== 'requeueAfter' || result.due) return result;
  return { kind: 'requeueAfter', delayMs: Math.round(result.delayMs * (1 + Math.random() * 0.1)) };
}
