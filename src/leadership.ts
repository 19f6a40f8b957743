import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { LeaderElectionConfig } from './config.ts';
import type { AccessEntryController } from './controller/controller.ts';
import { OPEN_FENCE, type WriteFence } from './eks/write-fence.ts';
import { KubeLeaseApi, LeaderElector, type Clock, type LeaseApi } from './kube/leader-election.ts';
import type { CheckResult, ControllerMetrics } from './metrics/index.ts';

/** What a runner needs of the controller it runs. */
export type RunnableController = Pick<AccessEntryController, 'start' | 'stop' | 'health' | 'ready'>;

/** Builds a controller whose EKS writes go only while `fence` is open. */
export type ControllerFactory = (fence: WriteFence) => Promise<RunnableController>;

/** How main runs the controller: at once, or only while this replica holds the Lease. */
export interface Runner {
  start(): Promise<void>;
  /** Drains the controller, then (leading) releases the Lease so the other replica takes over at once. */
  stop(): Promise<void>;
  health(): CheckResult;
  ready(): CheckResult;
}

const OK: CheckResult = { ok: true };

/** One replica: the controller runs from start to stop. */
export class DirectRunner implements Runner {
  #controller: RunnableController | undefined;

  constructor(private readonly create: ControllerFactory) {}

  async start(): Promise<void> {
    // Nobody else writes: the fence stays open.
    this.#controller = await this.create(OPEN_FENCE);
    await this.#controller.start();
  }

  async stop(): Promise<void> {
    await this.#controller?.stop();
  }

  health(): CheckResult {
    return this.#controller?.health() ?? OK;
  }

  ready(): CheckResult {
    return this.#controller?.ready() ?? { ok: false, reason: 'the controller is starting' };
  }
}

export interface LeaderRunnerOptions {
  create: ControllerFactory;
  kc: KubeConfig;
  election: LeaderElectionConfig;
  identity: string;
  log: Logger;
  metrics: ControllerMetrics;
  /**
   * Leadership was lost while working or draining (renewals failed, or another replica holds the
   * Lease): another replica may act within lease duration − renew deadline, so nothing of this
   * one may write any more. main exits.
   */
  onLost: () => void;
  /** The Lease calls; default: the API server of `kc`. */
  leaseApi?: LeaseApi;
  clock?: Clock;
}

const NOT_LEADER =
  'this replica does not hold the leader Lease, or has not renewed it within the renew deadline: ' +
  'another replica may be leading, so it sends no EKS write';

/**
 * Several replicas: a controller is built and started each time this one becomes leader. A
 * standby is healthy and ready (it serves, it just does not reconcile).
 */
export class LeaderRunner implements Runner {
  readonly #elector: LeaderElector;
  /** Open exactly while the elector says this replica leads: it reads the clock, not a flag a late timer sets. */
  readonly #fence: WriteFence = { closedBecause: () => (this.#elector.isLeader() ? undefined : NOT_LEADER) };
  #controller: RunnableController | undefined;
  #stopping = false;
  /** The drain is over and the elector is stepping down on purpose: that is no loss. */
  #handingOver = false;
  #lost: () => void = () => undefined;
  /** Settles when leadership is lost (not handed over). */
  readonly #leadershipLost = new Promise<'lost'>((resolve) => (this.#lost = () => resolve('lost')));

  constructor(private readonly options: LeaderRunnerOptions) {
    const { election, log } = options;
    this.#elector = new LeaderElector(options.leaseApi ?? new KubeLeaseApi(options.kc), {
      namespace: election.namespace,
      name: election.leaseName,
      identity: options.identity,
      leaseDurationMs: election.leaseDurationMs,
      renewDeadlineMs: election.renewDeadlineMs,
      retryPeriodMs: election.retryPeriodMs,
      log,
      onStartedLeading: () => void this.#lead(),
      onStoppedLeading: () => this.#stoppedLeading(),
      onNewLeader: (leader) => log.info({ leader }, 'new leader'),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    options.metrics.onScrape(() => options.metrics.leader(this.#elector.isLeader()));
  }

  start(): Promise<void> {
    this.options.log.info({ identity: this.options.identity, lease: `${this.options.election.namespace}/${this.options.election.leaseName}` }, 'waiting for leadership');
    this.#elector.start();
    return Promise.resolve();
  }

  /**
   * Drains while still leader (the elector keeps renewing), then hands over. The drain lasts at
   * most the shutdown timeout and never past the end of leadership: a renewal not made within the
   * renew deadline, or the Lease taken by another replica, ends it at once (#stoppedLeading), and
   * from that instant the fence has stopped every EKS write anyway.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    const drained = this.#controller?.stop() ?? Promise.resolve();
    if ((await Promise.race([drained, this.#leadershipLost])) === 'lost') return;
    this.#handingOver = true;
    await this.#elector.stop();
  }

  /** Open while this replica leads: the controller's EKS clients check it before every write. */
  get fence(): WriteFence {
    return this.#fence;
  }

  health(): CheckResult {
    return this.#controller?.health() ?? OK;
  }

  ready(): CheckResult {
    return this.#controller?.ready() ?? OK;
  }

  async #lead(): Promise<void> {
    if (this.#stopping) return;
    this.options.log.info({ identity: this.options.identity }, 'became leader: starting the controller');
    try {
      this.#controller = await this.options.create(this.#fence);
      await this.#controller.start();
    } catch (err) {
      // Stopped while it started (a SIGTERM right after winning the Lease): the stop hands over.
      if (this.#stopping) return;
      this.options.log.error({ err }, 'the controller could not start while leading');
      this.options.onLost();
    }
  }

  /** A loss while draining is a loss: another replica may already act, so nothing here may wait for the drain. */
  #stoppedLeading(): void {
    if (this.#handingOver) return;
    const when = this.#stopping ? 'while draining' : 'while leading';
    this.options.log.error({ identity: this.options.identity }, `lost leadership ${when}: stopping at once, before another replica can act`);
    this.#lost();
    this.options.onLost();
  }
}
