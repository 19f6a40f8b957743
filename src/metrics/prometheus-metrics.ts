import { collectDefaultMetrics, Counter, exponentialBuckets, Gauge, Histogram, Registry } from 'prom-client';
import type { ReconcileResult } from '../controller/result.ts';
import type { AwsService } from '../eks/errors.ts';
import {
  DRIFT_FIELDS,
  RECONCILE_OUTCOMES,
  RESOURCE_CONDITIONS,
  reconcileOutcome,
  type AccessEntryConditionSample,
  type ClusterAccessConditionSample,
  type ControllerMetrics,
  type DriftField,
  type ResourceCounts,
} from './controller-metrics.ts';
import { QueueTimes } from './queue-times.ts';
import { ResourceStateSeries } from './resource-state-metrics.ts';

export interface PrometheusMetricsOptions {
  /**
   * The `controller` label, and the work queue's `name`. controller-runtime names a controller
   * after its kind in lower case, so dashboards filtering on `accessentry` find this one.
   */
  controller?: string;
  /** controller_runtime_max_concurrent_reconciles: the work queue's concurrency. */
  maxConcurrentReconciles: number;
  /** The `name` label of leader_election_master_status: the name of the lease. */
  leaseName?: string;
  /**
   * prom-client's process_* and nodejs_* metrics (default true). Tests that build many registries
   * turn them off: their event-loop and GC observers cannot be stopped once started.
   */
  processMetrics?: boolean;
  /** Milliseconds, only ever subtracted; tests pass a fake. Default performance.now. */
  now?: () => number;
}

export const DEFAULT_CONTROLLER_NAME = 'accessentry';
export const DEFAULT_LEASE_NAME = 'eks-access-entry-controller';

/** controller-runtime's buckets for controller_runtime_reconcile_time_seconds. */
const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0,
  3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/**
 * client-go's ExponentialBuckets(10e-9, 10, 12), built by the same repeated multiplication, so
 * the bounds are the same floats as a Go controller's and aggregate with them bucket by bucket.
 */
const WORKQUEUE_BUCKETS = exponentialBuckets(10e-9, 10, 12);
/** From a loopback emulator (~1 ms) to SDK retries running into request timeouts. */
const AWS_CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Most acquires do not wait: the lowest bucket separates those from short waits. */
const RATE_LIMITER_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * prom-client exposes these counts as gauges named `_total`, which Prometheus naming (and
 * promtool) reject; the same numbers are `sum()` of nodejs_active_handles and friends.
 */
const MISNAMED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const AWS_SERVICES: readonly AwsService[] = ['eks', 'sts', 'iam'];

/**
 * ControllerMetrics on a prom-client Registry of its own (never the global one, so tests and
 * several controllers in one process do not collide). Names, labels, types and buckets are
 * controller-runtime's and client-go's, so their dashboards and alerts work unchanged; the
 * controller's own metrics are prefixed eks_access_entry_. Recording never throws: a metric
 * must not break a reconcile.
 */
export class PrometheusMetrics implements ControllerMetrics {
  readonly registry = new Registry();
  readonly #times: QueueTimes;
  readonly #scrapeCallbacks: (() => void)[] = [];
  readonly #controller: { controller: string };
  /** client-go's workqueue labels: `name`, and since controller-runtime 0.19 `controller` too, with the same value. */
  readonly #queue: { name: string; controller: string };
  readonly #lease: { name: string };

  readonly #reconcileTotal: Counter<'controller' | 'result'>;
  readonly #reconcileErrors: Counter<'controller'>;
  readonly #terminalErrors: Counter<'controller'>;
  readonly #reconcilePanics: Counter<'controller'>;
  readonly #reconcileTime: Histogram<'controller'>;
  readonly #queueAdds: Counter<'name' | 'controller'>;
  readonly #queueRetries: Counter<'name' | 'controller'>;
  readonly #queueDuration: Histogram<'name' | 'controller'>;
  readonly #workDuration: Histogram<'name' | 'controller'>;
  readonly #leader: Gauge<'name'>;
  readonly #awsCalls: Counter<'service' | 'operation' | 'error'>;
  readonly #awsCallDuration: Histogram<'service' | 'operation'>;
  readonly #awsThrottles: Counter<'service'>;
  readonly #rateLimiterWait: Histogram;
  readonly #driftCorrections: Counter<'field'>;
  readonly #principalsRecreated: Counter;
  readonly #resources: Gauge<'condition'>;
  readonly #resourceState: ResourceStateSeries;

  constructor(options: PrometheusMetricsOptions) {
    const controller = options.controller ?? DEFAULT_CONTROLLER_NAME;
    this.#controller = { controller };
    this.#queue = { name: controller, controller };
    this.#lease = { name: options.leaseName ?? DEFAULT_LEASE_NAME };
    this.#times = new QueueTimes(options.now ?? ((): number => performance.now()));
    const registers = [this.registry];

    this.#reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.#reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.#terminalErrors = new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller (here: reconciles that ended Stalled)',
      labelNames: ['controller'],
      registers,
    });
    this.#reconcilePanics = new Counter({
      name: 'controller_runtime_reconcile_panics_total',
      help: 'Total number of reconciliation panics per controller (here: handlers that threw)',
      labelNames: ['controller'],
      registers,
    });
    this.#reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_TIME_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    }).set(this.#controller, options.maxConcurrentReconciles);
    const times = this.#times;
    new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
      collect(): void {
        this.set({ controller }, times.running);
      },
    });

    const queue = this.#queue;
    new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name', 'controller'],
      registers,
      collect(): void {
        this.set(queue, times.waiting);
      },
    });
    this.#queueAdds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name', 'controller'],
      registers,
    });
    this.#queueRetries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name', 'controller'],
      registers,
    });
    this.#queueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name', 'controller'],
      buckets: WORKQUEUE_BUCKETS,
      registers,
    });
    this.#workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: ['name', 'controller'],
      buckets: WORKQUEUE_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help:
        'How many seconds of work has been done that is in progress and has not been observed by work_duration. ' +
        'Large values indicate stuck threads; the rate at which it grows is the number of stuck threads.',
      labelNames: ['name', 'controller'],
      registers,
      collect(): void {
        this.set(queue, times.inProgress().totalSeconds);
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name', 'controller'],
      registers,
      collect(): void {
        this.set(queue, times.inProgress().longestSeconds);
      },
    });

    this.#leader = new Gauge({
      name: 'leader_election_master_status',
      help:
        "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ['name'],
      registers,
    });

    this.#awsCalls = new Counter({
      name: 'eks_access_entry_aws_api_calls_total',
      help: 'AWS API calls by service, operation and AWS error name (error="" when the call succeeded); SDK retries within a call are not counted apart',
      labelNames: ['service', 'operation', 'error'],
      registers,
    });
    this.#awsCallDuration = new Histogram({
      name: 'eks_access_entry_aws_api_call_duration_seconds',
      help: 'Duration of AWS API calls, SDK retries included, by service and operation, whether they succeeded or failed',
      labelNames: ['service', 'operation'],
      buckets: AWS_CALL_BUCKETS,
      registers,
    });
    this.#awsThrottles = new Counter({
      name: 'eks_access_entry_aws_throttles_total',
      help: 'Throttling answers from AWS (ThrottlingException, TooManyRequestsException) by service',
      labelNames: ['service'],
      registers,
    });
    this.#rateLimiterWait = new Histogram({
      name: 'eks_access_entry_aws_rate_limiter_wait_seconds',
      help: "Time AWS calls waited for the controller's own request budget before being sent (0 for most)",
      buckets: RATE_LIMITER_BUCKETS,
      registers,
    });
    this.#driftCorrections = new Counter({
      name: 'eks_access_entry_drift_corrections_total',
      help: 'Corrections of access entries changed in EKS outside Git, by field (kubernetesGroups, username, tags, accessPolicies): a security signal',
      labelNames: ['field'],
      registers,
    });
    this.#principalsRecreated = new Counter({
      name: 'eks_access_entry_principals_recreated_total',
      help: 'Access entries deleted and created again because their IAM role or user had been deleted and re-created under the same ARN (EKS had bound them to the old id, refusing every login)',
      registers,
    });
    this.#resources = new Gauge({
      name: 'eks_access_entry_resources',
      help: 'AccessEntry resources managed by this controller whose condition (Ready, Reconciling, Stalled) is True',
      labelNames: ['condition'],
      registers,
    });

    this.#resourceState = new ResourceStateSeries(registers);

    this.#initialize();
    if (options.processMetrics ?? true) this.#collectProcessMetrics();
  }

  /** The Content-Type of exposition(): Prometheus text format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Runs the onScrape callbacks, then renders every metric in the Prometheus text format. */
  async exposition(): Promise<string> {
    for (const callback of this.#scrapeCallbacks) callback();
    return this.registry.metrics();
  }

  queueAdded(key: string): void {
    if (this.#times.added(key)) this.#queueAdds.inc(this.#queue);
  }

  queueRetried(): void {
    this.#queueRetries.inc(this.#queue);
  }

  queueStarted(key: string): void {
    const waited = this.#times.started(key);
    if (waited !== undefined) this.#queueDuration.observe(this.#queue, waited);
  }

  queueFinished(key: string): void {
    const worked = this.#times.finished(key);
    if (worked !== undefined) this.#workDuration.observe(this.#queue, worked);
  }

  queueShutDown(): void {
    this.#times.forgetWaiting();
  }

  reconciled(result: ReconcileResult, seconds: number): void {
    const outcome = reconcileOutcome(result);
    this.#reconcileTotal.inc({ ...this.#controller, result: outcome });
    if (outcome === 'error') this.#reconcileErrors.inc(this.#controller);
    if (result.kind === 'stalled') this.#terminalErrors.inc(this.#controller);
    const observed = duration(seconds);
    if (observed !== undefined) this.#reconcileTime.observe(this.#controller, observed);
  }

  reconcileThrew(): void {
    this.#reconcilePanics.inc(this.#controller);
  }

  driftCorrected(field: DriftField): void {
    this.#driftCorrections.inc({ field });
  }

  principalRecreated(): void {
    this.#principalsRecreated.inc();
  }

  resources(counts: ResourceCounts): void {
    for (const condition of RESOURCE_CONDITIONS) {
      const count = counts[condition] ?? 0;
      this.#resources.set({ condition }, Number.isFinite(count) ? count : 0);
    }
  }

  leader(isLeader: boolean): void {
    this.#leader.set(this.#lease, isLeader ? 1 : 0);
  }

  accessEntryConditions(read: () => Iterable<AccessEntryConditionSample>): void {
    this.#resourceState.accessEntryConditions(read);
  }

  clusterAccessConditions(read: () => Iterable<ClusterAccessConditionSample>): void {
    this.#resourceState.clusterAccessConditions(read);
  }

  timeToReady(seconds: number): void {
    this.#resourceState.timeToReady(seconds);
  }

  onScrape(callback: () => void): void {
    this.#scrapeCallbacks.push(callback);
  }

  awsCall(service: AwsService, operation: string, errorName: string | undefined, seconds: number): void {
    // A failure must never read as a success: a nameless one is still an error.
    const error = errorName === undefined ? '' : errorName || 'Unknown';
    this.#awsCalls.inc({ service, operation, error });
    const observed = duration(seconds);
    if (observed !== undefined) this.#awsCallDuration.observe({ service, operation }, observed);
  }

  awsThrottled(service: AwsService): void {
    this.#awsThrottles.inc({ service });
  }

  rateLimiterWaited(seconds: number): void {
    const observed = duration(seconds);
    if (observed !== undefined) this.#rateLimiterWait.observe(observed);
  }

  /**
   * Every series whose labels are known up front starts at 0, as controller-runtime's do: a
   * counter that first appears at 1 is invisible to rate() and increase(), so the first drift
   * correction or Stalled reconcile would never fire an alert.
   */
  #initialize(): void {
    for (const result of RECONCILE_OUTCOMES) this.#reconcileTotal.inc({ ...this.#controller, result }, 0);
    for (const counter of [this.#reconcileErrors, this.#terminalErrors, this.#reconcilePanics]) counter.inc(this.#controller, 0);
    this.#reconcileTime.zero(this.#controller);
    for (const counter of [this.#queueAdds, this.#queueRetries]) counter.inc(this.#queue, 0);
    for (const histogram of [this.#queueDuration, this.#workDuration]) histogram.zero(this.#queue);
    for (const service of AWS_SERVICES) this.#awsThrottles.inc({ service }, 0);
    this.#rateLimiterWait.zero({});
    for (const field of DRIFT_FIELDS) this.#driftCorrections.inc({ field }, 0);
    this.#principalsRecreated.inc(0);
    this.resources({});
  }

  #collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
    for (const name of MISNAMED_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
  }
}

/** A duration that is not a number is dropped rather than thrown: instrumentation never fails a caller. */
function duration(seconds: number): number | undefined {
  return Number.isFinite(seconds) ? Math.max(0, seconds) : undefined;
}
