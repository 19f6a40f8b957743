import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { LeaderElectionConfig } from './config.ts';
import type { AccessEntryController } from './controller/controller.ts';
import { KubeLeaseApi, LeaderElector } from './kube/leader-election.ts';
import type { CheckResult, ControllerMetrics } from './metrics/index.ts';

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
  #controller: AccessEntryController | undefined;

  constructor(private readonly create: () => Promise<AccessEntryController>) {}

  async start(): Promise<void> {
    this.#controller = await this.create();
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
  create: () => Promise<AccessEntryController>;
  kc: KubeConfig;
  election: LeaderElectionConfig;
  identity: string;
  log: Logger;
  metrics: ControllerMetrics;
  /**
   * Leadership was lost while working (renewals failed): another replica may act within
   * lease duration − renew deadline, so nothing of this one may write any more. main exits.
   */
  onLost: () => void;
}

/**
 * Several replicas: a controller is built and started each time this one becomes leader. A
 * standby is healthy and ready (it serves, it just does not reconcile).
 */
export class LeaderRunner implements Runner {
  readonly #elector: LeaderElector;
  #controller: AccessEntryController | undefined;
  #stopping = false;

  constructor(private readonly options: LeaderRunnerOptions) {
    const { election, log } = options;
    this.#elector = new LeaderElector(new KubeLeaseApi(options.kc), {
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
    });
    options.metrics.onScrape(() => options.metrics.leader(this.#elector.isLeader()));
  }

  start(): Promise<void> {
    this.options.log.info({ identity: this.options.identity, lease: `${this.options.election.namespace}/${this.options.election.leaseName}` }, 'waiting for leadership');
    this.#elector.start();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    // Drain while still leader (the elector keeps renewing), then hand over.
    await this.#controller?.stop();
    await this.#elector.stop();
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
      this.#controller = await this.options.create();
      await this.#controller.start();
    } catch (err) {
      this.options.log.error({ err }, 'the controller could not start while leading');
      this.options.onLost();
    }
  }

  #stoppedLeading(): void {
    if (this.#stopping) return;
    this.options.log.error({ identity: this.options.identity }, 'lost leadership while leading: stopping at once, before another replica can act');
    this.options.onLost();
  }
}
