// The instrumentation API the queue, the reconciler and the AWS gateway call. Split by caller, so
// each depends only on what it reports; ControllerMetrics is all of them, with two
// implementations: PrometheusMetrics (prometheus-metrics.ts) and NOOP_METRICS for unit tests.
import type { ReconcileResult } from '../controller/result.ts';
import type { AwsService } from '../eks/errors.ts';

/** controller-runtime's values of the `result` label of controller_runtime_reconcile_total. */
export const RECONCILE_OUTCOMES = ['success', 'error', 'requeue', 'requeue_after'] as const;
export type ReconcileOutcome = (typeof RECONCILE_OUTCOMES)[number];

/** The fields whose drift (a change made in EKS outside Git) the controller corrects. */
export const DRIFT_FIELDS = ['kubernetesGroups', 'username', 'tags', 'accessPolicies'] as const;
export type DriftField = (typeof DRIFT_FIELDS)[number];

/** The kstatus conditions counted by eks_access_entry_resources. */
export const RESOURCE_CONDITIONS = ['Ready', 'Reconciling', 'Stalled'] as const;
export type ResourceCondition = (typeof RESOURCE_CONDITIONS)[number];
/** How many resources have each condition True; a condition left out counts 0. */
export type ResourceCounts = Partial<Readonly<Record<ResourceCondition, number>>>;

/** metav1.ConditionStatus: the values of the `status` label of the per-resource gauges. */
export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

/**
 * One condition of one AccessEntry: a series of eks_access_entry_status_condition. No ARN and no
 * account id: names and reasons only, so an alert can say which resource and why.
 */
export interface AccessEntryConditionSample {
  /** metadata.name */
  name: string;
  /** spec.clusterName: the EKS cluster's name. */
  clusterName: string;
  condition: ResourceCondition;
  status: ConditionStatus;
  /** A reason of src/api/reasons.ts; anything else is reported as `Other`, so the label stays a bounded set. */
  reason: string;
}

/** The Ready condition of one ClusterAccess: a series of eks_access_entry_cluster_access_status_condition. */
export interface ClusterAccessConditionSample extends AccessEntryConditionSample {
  /** spec.region */
  region: string;
}

/** What the controller reports of each resource's state, read from the watch cache. */
export interface ResourceStateMetrics {
  /**
   * Where the AccessEntry condition series come from: `read` is called at each scrape (it should
   * read the watch cache) and what it yields is written out and kept nowhere. Until this is
   * called there are none (--per-resource-metrics=false never calls it).
   */
  accessEntryConditions(read: () => Iterable<AccessEntryConditionSample>): void;
  /** Where the ClusterAccess condition series come from, the same way. */
  clusterAccessConditions(read: () => Iterable<ClusterAccessConditionSample>): void;
  /** A generation of an AccessEntry became Ready this many seconds after the controller first saw it. */
  timeToReady(seconds: number): void;
}

/**
 * What the work queue reports: the reconcile loop (controller_runtime_*) and client-go's
 * workqueue_* semantics. The implementation keeps the per-key times itself, so the queue only
 * says what happened to which key and exposes none of its internals.
 */
export interface WorkQueueMetrics {
  /**
   * add(key) was called (not ignored for shutdown). Calling it for a key already waiting is
   * right and counts nothing, as client-go counts an add only for a key not already queued.
   */
  queueAdded(key: string): void;
  /** addAfter() was called (not ignored for shutdown): client-go counts every delayed add as a retry. */
  queueRetried(): void;
  /** A handler starts on the key: it stops waiting (queue duration) and starts working. */
  queueStarted(key: string): void;
  /** The handler for the key has ended, whatever its result (work duration). */
  queueFinished(key: string): void;
  /** shutdown() dropped the waiting keys: they no longer count in the depth. Running ones still finish. */
  queueShutDown(): void;
  /** One reconcile ended with this result after `seconds`. A handler that threw counts as the `retry` it becomes. */
  reconciled(result: ReconcileResult, seconds: number): void;
  /** The handler threw instead of returning a result: a bug, what controller-runtime counts as a panic. */
  reconcileThrew(): void;
}

/** What the reconciler reports. */
export interface ReconcilerMetrics {
  /** A correction of drift was made to EKS: someone changed access outside Git. */
  driftCorrected(field: DriftField): void;
  /** An access entry was deleted and created again because its IAM principal had been re-created (spec.onPrincipalRecreated: Heal). */
  principalRecreated(): void;
}

/** What the AWS gateway reports. */
export interface AwsMetrics {
  /** One AWS call (SDK retries included) ended: `errorName` is the AWS error name, or undefined on success. */
  awsCall(service: AwsService, operation: string, errorName: string | undefined, seconds: number): void;
  /** AWS answered with throttling (ThrottlingException, TooManyRequestsException). */
  awsThrottled(service: AwsService): void;
  /** A call waited this long for the client-side request budget; report every acquire, 0 included. */
  rateLimiterWaited(seconds: number): void;
}

/** Everything, plus what the controller reports about the whole process. */
export interface ControllerMetrics extends WorkQueueMetrics, ReconcilerMetrics, AwsMetrics, ResourceStateMetrics {
  /** Sets the resource counts by condition (best from onScrape, reading the watch cache). */
  resources(counts: ResourceCounts): void;
  /** Whether this process now holds the leader lease. */
  leader(isLeader: boolean): void;
  /**
   * Runs `callback` before each scrape, so gauges read from elsewhere (the cache) are fresh and
   * cost nothing between scrapes. A callback that throws fails that scrape with a 500.
   */
  onScrape(callback: () => void): void;
}

/**
 * controller-runtime's mapping: a returned error is `error`, RequeueAfter is `requeue_after`,
 * nothing is `success`. Stalled (a person must act) is controller-runtime's terminal error: an
 * `error` too, so error-rate alerts see it; it is also counted as terminal. Nothing here asks for
 * an immediate requeue, so `requeue` stays 0 (it is exposed for dashboards that sum it).
 */
export function reconcileOutcome(result: ReconcileResult): ReconcileOutcome {
  switch (result.kind) {
    case 'done':
      return 'success';
    case 'requeueAfter':
      return 'requeue_after';
    case 'retry':
    case 'stalled':
      return 'error';
  }
}

const ignore = (): void => {};

/** Records nothing: for unit tests and for code paths built without metrics. */
export const NOOP_METRICS: ControllerMetrics = Object.freeze({
  queueAdded: ignore,
  queueRetried: ignore,
  queueStarted: ignore,
  queueFinished: ignore,
  queueShutDown: ignore,
  reconciled: ignore,
  reconcileThrew: ignore,
  driftCorrected: ignore,
  resources: ignore,
  leader: ignore,
  onScrape: ignore,
  awsCall: ignore,
  awsThrottled: ignore,
  principalRecreated: ignore,
  rateLimiterWaited: ignore,
  accessEntryConditions: ignore,
  clusterAccessConditions: ignore,
  timeToReady: ignore,
});
