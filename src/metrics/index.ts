// Metrics and probes: the instrumentation API (ControllerMetrics), its Prometheus implementation
// with controller-runtime's metric names, and the HTTP endpoints that serve them.
export {
  CONDITION_STATUSES,
  DRIFT_FIELDS,
  NOOP_METRICS,
  RECONCILE_OUTCOMES,
  RESOURCE_CONDITIONS,
  reconcileOutcome,
  type AccessEntryConditionSample,
  type AwsMetrics,
  type ClusterAccessConditionSample,
  type ConditionStatus,
  type ControllerMetrics,
  type DriftField,
  type ReconcileOutcome,
  type ReconcilerMetrics,
  type ResourceCondition,
  type ResourceCounts,
  type ResourceStateMetrics,
  type WorkQueueMetrics,
} from './controller-metrics.ts';
export { DEFAULT_CONTROLLER_NAME, DEFAULT_LEASE_NAME, PrometheusMetrics, type PrometheusMetricsOptions } from './prometheus-metrics.ts';
export {
  DEFAULT_METRICS_BIND_ADDRESS,
  DEFAULT_PROBE_BIND_ADDRESS,
  parseBindAddress,
  startEndpoints,
  type BindAddress,
  type Check,
  type CheckResult,
  type EndpointsOptions,
  type MetricsSource,
  type RunningEndpoints,
} from './server.ts';
