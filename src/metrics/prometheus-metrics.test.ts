import { describe, expect, it } from 'vitest';
import { DONE, requeueAfter } from '../controller/result.ts';
import { NOOP_METRICS, reconcileOutcome, type AccessEntryConditionSample, type ControllerMetrics } from './controller-metrics.ts';
import { PrometheusMetrics } from './prometheus-metrics.ts';

type Labels = Record<string, string | number>;

/** A settable millisecond clock. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function metricsWith(now = fakeClock().now): PrometheusMetrics {
  return new PrometheusMetrics({ maxConcurrentReconciles: 4, processMetrics: false, now });
}

/** The sample of `name` (a metric, or a histogram's _sum/_count/_bucket) with exactly these labels. */
async function sample(metrics: PrometheusMetrics, name: string, labels: Labels = {}): Promise<number | undefined> {
  const family = metrics.registry.getSingleMetric(name) ? name : name.replace(/_(sum|count|bucket)$/, '');
  const metric = metrics.registry.getSingleMetric(family);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  // Histogram samples name their series (_bucket, _sum, _count); others are the family's own.
  return values.find((v) => ((v as { metricName?: string }).metricName ?? family) === name && sameLabels(v.labels, labels))?.value;
}

function sameLabels(actual: Partial<Labels>, expected: Labels): boolean {
  const keys = Object.keys(actual);
  return keys.length === Object.keys(expected).length && keys.every((key) => String(actual[key]) === String(expected[key]));
}

const CTRL = { controller: 'accessentry' };
const QUEUE = { name: 'accessentry', controller: 'accessentry' };

describe('PrometheusMetrics: series that exist from the start', () => {
  it('starts every controller-runtime and workqueue series at zero, as controller-runtime does', async () => {
    const metrics = metricsWith();
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
      expect(await sample(metrics, 'controller_runtime_reconcile_total', { ...CTRL, result })).toBe(0);
    }
    for (const name of ['controller_runtime_reconcile_errors_total', 'controller_runtime_terminal_reconcile_errors_total', 'controller_runtime_reconcile_panics_total', 'controller_runtime_active_workers']) {
      expect(await sample(metrics, name, CTRL), name).toBe(0);
    }
    expect(await sample(metrics, 'controller_runtime_max_concurrent_reconciles', CTRL)).toBe(4);
    expect(await sample(metrics, 'controller_runtime_reconcile_time_seconds_count', CTRL)).toBe(0);
    for (const name of ['workqueue_depth', 'workqueue_adds_total', 'workqueue_retries_total', 'workqueue_unfinished_work_seconds', 'workqueue_longest_running_processor_seconds', 'workqueue_queue_duration_seconds_count', 'workqueue_work_duration_seconds_count']) {
      expect(await sample(metrics, name, QUEUE), name).toBe(0);
    }
  });

  it('starts the alerting counters of its own at zero, so the first drift or throttle is an increase', async () => {
    const metrics = metricsWith();
    for (const field of ['kubernetesGroups', 'username', 'tags', 'accessPolicies']) {
      expect(await sample(metrics, 'eks_access_entry_drift_corrections_total', { field })).toBe(0);
    }
    for (const service of ['eks', 'sts', 'iam']) expect(await sample(metrics, 'eks_access_entry_aws_throttles_total', { service })).toBe(0);
    for (const condition of ['Ready', 'Reconciling', 'Stalled']) expect(await sample(metrics, 'eks_access_entry_resources', { condition })).toBe(0);
    expect(await sample(metrics, 'eks_access_entry_aws_rate_limiter_wait_seconds_count')).toBe(0);
    expect(await sample(metrics, 'eks_access_entry_principals_recreated_total')).toBe(0);
  });

  it('has no leader series until leader election reports, as controller-runtime without leader election', async () => {
    const text = await metricsWith().exposition();
    expect(text).toContain('# TYPE leader_election_master_status gauge');
    expect(text).not.toMatch(/^leader_election_master_status\{/m);
  });

  it('uses the controller and lease names it is given', async () => {
    const metrics = new PrometheusMetrics({ maxConcurrentReconciles: 2, controller: 'shard-a', leaseName: 'shard-a.eksaccess.dev', processMetrics: false });
    metrics.leader(true);
    expect(await sample(metrics, 'controller_runtime_max_concurrent_reconciles', { controller: 'shard-a' })).toBe(2);
    expect(await sample(metrics, 'workqueue_depth', { name: 'shard-a', controller: 'shard-a' })).toBe(0);
    expect(await sample(metrics, 'leader_election_master_status', { name: 'shard-a.eksaccess.dev' })).toBe(1);
  });
});

describe('PrometheusMetrics: reconciles', () => {
  it('maps results as controller-runtime does, Stalled being a terminal error', async () => {
    const metrics = metricsWith();
    metrics.reconciled(DONE, 0.01);
    metrics.reconciled(requeueAfter(600_000), 0.02);
    metrics.reconciled(requeueAfter(600_000), 0.03);
    metrics.reconciled({ kind: 'retry', error: new Error('throttled') }, 0.04);
    metrics.reconciled({ kind: 'stalled', retryAfterMs: 300_000 }, 0.05);

    const total = (result: string): Promise<number | undefined> => sample(metrics, 'controller_runtime_reconcile_total', { ...CTRL, result });
    expect([await total('success'), await total('requeue_after'), await total('error'), await total('requeue')]).toEqual([1, 2, 2, 0]);
    expect(await sample(metrics, 'controller_runtime_reconcile_errors_total', CTRL)).toBe(2);
    expect(await sample(metrics, 'controller_runtime_terminal_reconcile_errors_total', CTRL)).toBe(1);
    expect(await sample(metrics, 'controller_runtime_reconcile_time_seconds_count', CTRL)).toBe(5);
    expect(await sample(metrics, 'controller_runtime_reconcile_time_seconds_sum', CTRL)).toBeCloseTo(0.15);
    expect(await sample(metrics, 'controller_runtime_reconcile_time_seconds_bucket', { ...CTRL, le: 0.025 })).toBe(2);
  });

  it('counts a handler that threw as a panic', async () => {
    const metrics = metricsWith();
    metrics.reconcileThrew();
    expect(await sample(metrics, 'controller_runtime_reconcile_panics_total', CTRL)).toBe(1);
  });

  it('counts a reconcile whose duration is not a number, but never throws nor observes it', async () => {
    const metrics = metricsWith();
    expect(() => metrics.reconciled(DONE, Number.NaN)).not.toThrow();
    metrics.reconciled(DONE, -1);
    expect(await sample(metrics, 'controller_runtime_reconcile_total', { ...CTRL, result: 'success' })).toBe(2);
    expect(await sample(metrics, 'controller_runtime_reconcile_time_seconds_count', CTRL)).toBe(1);
    expect(await sample(metrics, 'controller_runtime_reconcile_time_seconds_sum', CTRL)).toBe(0);
  });

  it('reconcileOutcome gives the result label', () => {
    expect(reconcileOutcome(DONE)).toBe('success');
    expect(reconcileOutcome(requeueAfter(1))).toBe('requeue_after');
    expect(reconcileOutcome({ kind: 'retry', error: undefined })).toBe('error');
    expect(reconcileOutcome({ kind: 'stalled', retryAfterMs: 1 })).toBe('error');
  });
});

describe('PrometheusMetrics: work queue, with client-go semantics', () => {
  it('counts an add only for a key not already waiting, and a key re-added while it runs', async () => {
    const metrics = metricsWith();
    metrics.queueAdded('a');
    metrics.queueAdded('b');
    metrics.queueAdded('a');
    expect(await sample(metrics, 'workqueue_adds_total', QUEUE)).toBe(2);
    expect(await sample(metrics, 'workqueue_depth', QUEUE)).toBe(2);

    metrics.queueStarted('a');
    expect(await sample(metrics, 'workqueue_depth', QUEUE)).toBe(1);
    metrics.queueAdded('a'); // changed while running: it will run again
    expect(await sample(metrics, 'workqueue_adds_total', QUEUE)).toBe(3);
    expect(await sample(metrics, 'workqueue_depth', QUEUE)).toBe(2);
  });

  it('observes how long a key waited and how long its handler ran', async () => {
    const clock = fakeClock();
    const metrics = metricsWith(clock.now);
    metrics.queueAdded('a');
    clock.advance(1_500);
    metrics.queueAdded('a'); // the first add time stands
    clock.advance(500);
    metrics.queueStarted('a');
    clock.advance(250);
    metrics.queueFinished('a');

    expect(await sample(metrics, 'workqueue_queue_duration_seconds_count', QUEUE)).toBe(1);
    expect(await sample(metrics, 'workqueue_queue_duration_seconds_sum', QUEUE)).toBe(2);
    expect(await sample(metrics, 'workqueue_work_duration_seconds_count', QUEUE)).toBe(1);
    expect(await sample(metrics, 'workqueue_work_duration_seconds_sum', QUEUE)).toBe(0.25);
    expect(await sample(metrics, 'workqueue_work_duration_seconds_bucket', { ...QUEUE, le: 0.1 })).toBe(0);
    expect(await sample(metrics, 'workqueue_work_duration_seconds_bucket', { ...QUEUE, le: 1 })).toBe(1);
  });

  it('reads unfinished work, the longest runner and active workers from the running keys at scrape time', async () => {
    const clock = fakeClock();
    const metrics = metricsWith(clock.now);
    metrics.queueStarted('slow');
    clock.advance(3_000);
    metrics.queueStarted('fast');
    clock.advance(1_000);

    expect(await sample(metrics, 'controller_runtime_active_workers', CTRL)).toBe(2);
    expect(await sample(metrics, 'workqueue_unfinished_work_seconds', QUEUE)).toBe(5);
    expect(await sample(metrics, 'workqueue_longest_running_processor_seconds', QUEUE)).toBe(4);

    clock.advance(1_000);
    expect(await sample(metrics, 'workqueue_longest_running_processor_seconds', QUEUE)).toBe(5);
    metrics.queueFinished('slow');
    metrics.queueFinished('fast');
    expect(await sample(metrics, 'controller_runtime_active_workers', CTRL)).toBe(0);
    expect(await sample(metrics, 'workqueue_unfinished_work_seconds', QUEUE)).toBe(0);
    expect(await sample(metrics, 'workqueue_longest_running_processor_seconds', QUEUE)).toBe(0);
    // A start without an add (not waiting) observes no queue duration.
    expect(await sample(metrics, 'workqueue_queue_duration_seconds_count', QUEUE)).toBe(0);
  });

  it('counts every delayed add as a retry', async () => {
    const metrics = metricsWith();
    metrics.queueRetried();
    metrics.queueRetried();
    expect(await sample(metrics, 'workqueue_retries_total', QUEUE)).toBe(2);
  });

  it('drops waiting keys from the depth at shutdown, while running ones still count until they finish', async () => {
    const metrics = metricsWith();
    metrics.queueAdded('a');
    metrics.queueAdded('b');
    metrics.queueStarted('a');
    metrics.queueShutDown();
    expect(await sample(metrics, 'workqueue_depth', QUEUE)).toBe(0);
    expect(await sample(metrics, 'controller_runtime_active_workers', CTRL)).toBe(1);
    metrics.queueFinished('a');
    metrics.queueFinished('never-started');
    expect(await sample(metrics, 'workqueue_work_duration_seconds_count', QUEUE)).toBe(1);
  });

  it("buckets queue and work durations at client-go's bounds, 10 ns to 1000 s", async () => {
    const text = await metricsWith().exposition();
    const bounds = [...text.matchAll(/^workqueue_queue_duration_seconds_bucket\{le="([^"]+)"/gm)].map((m) => m[1]);
    expect(bounds).toHaveLength(13);
    expect(bounds.slice(0, -1).map(Number)).toEqual([1e-8, 1e-7, 1e-6, 9.999999999999999e-6, 9.999999999999999e-5, 0.001, 0.01, 0.1, 1, 10, 100, 1000]);
    expect(bounds.at(-1)).toBe('+Inf');
  });
});

describe('PrometheusMetrics: AWS, drift, resources, leader', () => {
  it('counts AWS calls by service, operation and error name, with an empty error on success', async () => {
    const metrics = metricsWith();
    metrics.awsCall('eks', 'DescribeAccessEntry', undefined, 0.04);
    metrics.awsCall('eks', 'DescribeAccessEntry', undefined, 0.06);
    metrics.awsCall('eks', 'CreateAccessEntry', 'ResourceInUseException', 0.2);
    metrics.awsCall('sts', 'GetCallerIdentity', '', 0.01);

    expect(await sample(metrics, 'eks_access_entry_aws_api_calls_total', { service: 'eks', operation: 'DescribeAccessEntry', error: '' })).toBe(2);
    expect(await sample(metrics, 'eks_access_entry_aws_api_calls_total', { service: 'eks', operation: 'CreateAccessEntry', error: 'ResourceInUseException' })).toBe(1);
    // A failure without a name is still a failure.
    expect(await sample(metrics, 'eks_access_entry_aws_api_calls_total', { service: 'sts', operation: 'GetCallerIdentity', error: 'Unknown' })).toBe(1);
    expect(await sample(metrics, 'eks_access_entry_aws_api_call_duration_seconds_count', { service: 'eks', operation: 'DescribeAccessEntry' })).toBe(2);
    expect(await sample(metrics, 'eks_access_entry_aws_api_call_duration_seconds_sum', { service: 'eks', operation: 'DescribeAccessEntry' })).toBeCloseTo(0.1);
    expect(await sample(metrics, 'eks_access_entry_aws_api_call_duration_seconds_bucket', { service: 'eks', operation: 'DescribeAccessEntry', le: 0.05 })).toBe(1);
  });

  it('counts throttles by service and observes rate-limiter waits, zero waits included', async () => {
    const metrics = metricsWith();
    metrics.awsThrottled('eks');
    metrics.awsThrottled('eks');
    metrics.rateLimiterWaited(0);
    metrics.rateLimiterWaited(0);
    metrics.rateLimiterWaited(0.3);
    expect(await sample(metrics, 'eks_access_entry_aws_throttles_total', { service: 'eks' })).toBe(2);
    expect(await sample(metrics, 'eks_access_entry_aws_throttles_total', { service: 'sts' })).toBe(0);
    expect(await sample(metrics, 'eks_access_entry_aws_rate_limiter_wait_seconds_count')).toBe(3);
    expect(await sample(metrics, 'eks_access_entry_aws_rate_limiter_wait_seconds_bucket', { le: 0.001 })).toBe(2);
    expect(await sample(metrics, 'eks_access_entry_aws_rate_limiter_wait_seconds_bucket', { le: 0.5 })).toBe(3);
  });

  it('counts drift corrections by field', async () => {
    const metrics = metricsWith();
    metrics.driftCorrected('accessPolicies');
    metrics.driftCorrected('accessPolicies');
    metrics.driftCorrected('username');
    expect(await sample(metrics, 'eks_access_entry_drift_corrections_total', { field: 'accessPolicies' })).toBe(2);
    expect(await sample(metrics, 'eks_access_entry_drift_corrections_total', { field: 'username' })).toBe(1);
    expect(await sample(metrics, 'eks_access_entry_drift_corrections_total', { field: 'tags' })).toBe(0);
  });

  it('counts entries re-created for a principal made again', async () => {
    const metrics = metricsWith();
    metrics.principalRecreated();
    expect(await sample(metrics, 'eks_access_entry_principals_recreated_total')).toBe(1);
  });

  it('sets resources by condition, a condition left out (or not a number) being 0', async () => {
    const metrics = metricsWith();
    metrics.resources({ Ready: 7, Reconciling: 2, Stalled: 1 });
    metrics.resources({ Ready: 9, Reconciling: Number.NaN });
    const count = (condition: string): Promise<number | undefined> => sample(metrics, 'eks_access_entry_resources', { condition });
    expect([await count('Ready'), await count('Reconciling'), await count('Stalled')]).toEqual([9, 0, 0]);
  });

  it('reports leadership as 1 and its loss as 0', async () => {
    const metrics = metricsWith();
    metrics.leader(true);
    expect(await sample(metrics, 'leader_election_master_status', { name: 'eks-access-entry-controller' })).toBe(1);
    metrics.leader(false);
    expect(await sample(metrics, 'leader_election_master_status', { name: 'eks-access-entry-controller' })).toBe(0);
  });
});

describe('PrometheusMetrics: per-resource state', () => {
  const READY = { name: 'admins', cluster_name: 'prod', condition: 'Ready', status: 'True', reason: 'Synced' };

  it('has a series per condition of each AccessEntry, as its source says at each scrape: a resource gone leaves none behind', async () => {
    const metrics = metricsWith();
    const cache: AccessEntryConditionSample[] = [
      { name: 'admins', clusterName: 'prod', condition: 'Ready', status: 'True', reason: 'Synced' },
      { name: 'legacy', clusterName: 'old', condition: 'Stalled', status: 'True', reason: 'NotOwned' },
    ];
    metrics.accessEntryConditions(() => cache);
    expect(await sample(metrics, 'eks_access_entry_status_condition', READY)).toBe(1);
    cache.shift();
    expect(await sample(metrics, 'eks_access_entry_status_condition', READY)).toBeUndefined();
    const text = await metrics.exposition();
    expect(text).toMatch(/^eks_access_entry_status_condition\{name="legacy",cluster_name="old",condition="Stalled",status="True",reason="NotOwned"\} 1$/m);
    expect(text.match(/^eks_access_entry_status_condition\{/gm)).toHaveLength(1);
  });

  it('reads its source once per scrape and keeps nothing of it between scrapes', async () => {
    const metrics = metricsWith();
    let reads = 0;
    let cache: AccessEntryConditionSample[] = [{ name: 'admins', clusterName: 'prod', condition: 'Ready', status: 'True', reason: 'Synced' }];
    metrics.accessEntryConditions(() => (reads++, cache));
    await metrics.exposition();
    expect(reads).toBe(1);
    cache = [];
    expect(await metrics.exposition()).not.toMatch(/^eks_access_entry_status_condition\{/m);
    expect(reads).toBe(2);
  });

  it('has the Ready condition of each ClusterAccess with its region', async () => {
    const metrics = metricsWith();
    metrics.clusterAccessConditions(() => [{ name: 'prod-eu', clusterName: 'prod', region: 'eu-west-1', condition: 'Ready', status: 'False', reason: 'AccessDenied' }]);
    expect(await sample(metrics, 'eks_access_entry_cluster_access_status_condition', { name: 'prod-eu', cluster_name: 'prod', region: 'eu-west-1', condition: 'Ready', status: 'False', reason: 'AccessDenied' })).toBe(1);
  });

  it('fails the scrape when a source throws, rather than serving a family cut short', async () => {
    const metrics = metricsWith();
    metrics.accessEntryConditions(() => {
      throw new Error('cache gone');
    });
    await expect(metrics.exposition()).rejects.toThrow('cache gone');
  });

  it('has no per-resource series until the controller reports some (--per-resource-metrics=false never does)', async () => {
    const text = await metricsWith().exposition();
    expect(text).toContain('# TYPE eks_access_entry_status_condition gauge');
    expect(text).not.toMatch(/^eks_access_entry_(cluster_access_)?status_condition\{/m);
  });

  it('observes time to readiness in a histogram that starts at zero, dropping durations that are not numbers', async () => {
    const metrics = metricsWith();
    expect(await sample(metrics, 'eks_access_entry_time_to_ready_seconds_count')).toBe(0);
    metrics.timeToReady(0.8);
    metrics.timeToReady(95);
    metrics.timeToReady(Number.NaN);
    expect(await sample(metrics, 'eks_access_entry_time_to_ready_seconds_count')).toBe(2);
    expect(await sample(metrics, 'eks_access_entry_time_to_ready_seconds_bucket', { le: 1 })).toBe(1);
    expect(await sample(metrics, 'eks_access_entry_time_to_ready_seconds_bucket', { le: 120 })).toBe(2);
  });
});

describe('PrometheusMetrics: exposition', () => {
  it('runs the onScrape callbacks before rendering, so gauges read from the cache are fresh', async () => {
    const metrics = metricsWith();
    let ready = 0;
    metrics.onScrape(() => metrics.resources({ Ready: ++ready }));
    expect(await metrics.exposition()).toMatch(/^eks_access_entry_resources\{condition="Ready"\} 1$/m);
    expect(await metrics.exposition()).toMatch(/^eks_access_entry_resources\{condition="Ready"\} 2$/m);
  });

  it('fails the scrape when an onScrape callback throws', async () => {
    const metrics = metricsWith();
    metrics.onScrape(() => {
      throw new Error('cache gone');
    });
    await expect(metrics.exposition()).rejects.toThrow('cache gone');
  });

  it('keeps each instance in a registry of its own', async () => {
    const one = metricsWith();
    const two = metricsWith();
    one.driftCorrected('tags');
    expect(await sample(one, 'eks_access_entry_drift_corrections_total', { field: 'tags' })).toBe(1);
    expect(await sample(two, 'eks_access_entry_drift_corrections_total', { field: 'tags' })).toBe(0);
  });

  it('serves the Prometheus text format, with process metrics by default and none misnamed', async () => {
    const metrics = new PrometheusMetrics({ maxConcurrentReconciles: 1 });
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await metrics.exposition();
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
    expect(text).toMatch(/^# TYPE process_resident_memory_bytes gauge$/m);
    expect(text).not.toMatch(/^# TYPE \S+_total (gauge|histogram)/m);
  });
});

describe('NOOP_METRICS', () => {
  it('accepts every call and records nothing', () => {
    const metrics: ControllerMetrics = NOOP_METRICS;
    expect(() => {
      metrics.queueAdded('a');
      metrics.queueRetried();
      metrics.queueStarted('a');
      metrics.queueFinished('a');
      metrics.queueShutDown();
      metrics.reconciled(DONE, 1);
      metrics.reconcileThrew();
      metrics.driftCorrected('tags');
      metrics.resources({ Ready: 1 });
      metrics.leader(true);
      metrics.onScrape(() => {
        throw new Error('never called');
      });
      metrics.awsCall('eks', 'DescribeAccessEntry', undefined, 1);
      metrics.awsThrottled('eks');
      metrics.rateLimiterWaited(1);
      metrics.accessEntryConditions(() => [{ name: 'a', clusterName: 'c', condition: 'Ready', status: 'True', reason: 'Synced' }]);
      metrics.clusterAccessConditions(() => []);
      metrics.timeToReady(1);
    }).not.toThrow();
    expect(Object.isFrozen(NOOP_METRICS)).toBe(true);
  });
});
