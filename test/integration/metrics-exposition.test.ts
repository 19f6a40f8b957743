// The /metrics exposition read by real Prometheus parsers: promtool's linter (the text parser of
// prometheus/common plus promlint's naming rules) and a Prometheus server scraping it over HTTP
// (its own scrape parser, content negotiation, then PromQL as dashboards query it). Both come
// from Debian's prometheus package, installed by scripts/tools/promtool.sh into the cache.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DONE, requeueAfter } from '../../src/controller/result.ts';
import { PrometheusMetrics, startEndpoints, type RunningEndpoints } from '../../src/metrics/index.ts';
import { waitFor } from '../testenv/kube.ts';
import { freePorts } from '../testenv/ports.ts';
import { startProcess, type ManagedProcess } from '../testenv/process.ts';

const TOOL_SCRIPT = fileURLToPath(new URL('../../scripts/tools/promtool.sh', import.meta.url));
/** An error name with every character the text format must escape, to prove the escaping round-trips. */
const AWKWARD_ERROR = 'Odd"Name\\with\nnewline';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** A controller's worth of activity: every method called, so every metric has samples. */
function exercised(): PrometheusMetrics {
  const metrics = new PrometheusMetrics({ maxConcurrentReconciles: 4 });
  for (const key of ['a', 'b', 'c']) metrics.queueAdded(key);
  metrics.queueStarted('a');
  metrics.queueFinished('a');
  metrics.reconciled(requeueAfter(600_000), 0.12);
  metrics.queueStarted('b');
  metrics.queueFinished('b');
  metrics.reconciled({ kind: 'retry', error: new Error('throttled') }, 1.7);
  metrics.queueRetried();
  metrics.queueStarted('c');
  metrics.reconciled({ kind: 'stalled', retryAfterMs: 300_000 }, 0.3);
  metrics.reconciled(DONE, 0.004);
  metrics.reconcileThrew();
  metrics.awsCall('eks', 'DescribeAccessEntry', undefined, 0.08);
  metrics.awsCall('eks', 'CreateAccessEntry', 'ThrottlingException', 2.2);
  metrics.awsCall('eks', 'ListAccessPolicies', AWKWARD_ERROR, 0.05);
  metrics.awsCall('sts', 'GetCallerIdentity', undefined, 0.02);
  metrics.awsThrottled('eks');
  metrics.rateLimiterWaited(0);
  metrics.rateLimiterWaited(0.4);
  metrics.driftCorrected('accessPolicies');
  metrics.onScrape(() => metrics.resources({ Ready: 5, Reconciling: 1, Stalled: 1 }));
  metrics.leader(true);
  metrics.accessEntryConditions(() => [
    { name: 'admins', clusterName: 'prod', condition: 'Ready', status: 'True', reason: 'Synced' },
    { name: 'legacy', clusterName: 'old', condition: 'Stalled', status: 'True', reason: 'AuthenticationModeConfigMap' },
  ]);
  metrics.clusterAccessConditions(() => [{ name: 'prod-eu', clusterName: 'prod', region: 'eu-west-1', condition: 'Ready', status: 'True', reason: 'Reachable' }]);
  metrics.timeToReady(1.5);
  return metrics;
}

/** Every metric the contract names, with its type. */
const EXPECTED_TYPES: Record<string, string> = {
  controller_runtime_reconcile_total: 'counter',
  controller_runtime_reconcile_errors_total: 'counter',
  controller_runtime_terminal_reconcile_errors_total: 'counter',
  controller_runtime_reconcile_panics_total: 'counter',
  controller_runtime_reconcile_time_seconds: 'histogram',
  controller_runtime_max_concurrent_reconciles: 'gauge',
  controller_runtime_active_workers: 'gauge',
  workqueue_depth: 'gauge',
  workqueue_adds_total: 'counter',
  workqueue_retries_total: 'counter',
  workqueue_queue_duration_seconds: 'histogram',
  workqueue_work_duration_seconds: 'histogram',
  workqueue_unfinished_work_seconds: 'gauge',
  workqueue_longest_running_processor_seconds: 'gauge',
  leader_election_master_status: 'gauge',
  eks_access_entry_aws_api_calls_total: 'counter',
  eks_access_entry_aws_api_call_duration_seconds: 'histogram',
  eks_access_entry_aws_throttles_total: 'counter',
  eks_access_entry_aws_rate_limiter_wait_seconds: 'histogram',
  eks_access_entry_drift_corrections_total: 'counter',
  eks_access_entry_principals_recreated_total: 'counter',
  eks_access_entry_resources: 'gauge',
  eks_access_entry_status_condition: 'gauge',
  eks_access_entry_cluster_access_status_condition: 'gauge',
  eks_access_entry_time_to_ready_seconds: 'histogram',
  process_cpu_seconds_total: 'counter',
  process_resident_memory_bytes: 'gauge',
};

let toolDir: string;
let endpoints: RunningEndpoints;
let metricsUrl: string;

beforeAll(async () => {
  const installed = await run('bash', [TOOL_SCRIPT]);
  if (installed.code !== 0) throw new Error(`${TOOL_SCRIPT} failed (exit code ${String(installed.code)}):\n${installed.stderr}`);
  toolDir = installed.stdout.trim().split('\n').at(-1) ?? '';
  endpoints = await startEndpoints({
    metrics: exercised(),
    healthz: () => ({ ok: true }),
    readyz: () => ({ ok: true }),
    metricsAddress: { host: '127.0.0.1', port: 0 },
    probeAddress: { host: '127.0.0.1', port: 0 },
  });
  metricsUrl = `http://127.0.0.1:${endpoints.metrics!.port}/metrics`;
});

afterAll(async () => {
  await endpoints?.stop();
});

describe('metrics exposition', () => {
  it('passes promtool check metrics, with every contract metric of the right type', async () => {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();

    const checked = await run(join(toolDir, 'promtool'), ['check', 'metrics'], text);
    expect({ code: checked.code, problems: `${checked.stdout}${checked.stderr}` }).toEqual({ code: 0, problems: '' });

    const types: Record<string, string | undefined> = Object.fromEntries([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    for (const [name, type] of Object.entries(EXPECTED_TYPES)) expect(types[name], name).toBe(type);
    expect(text).toMatch(/^eks_access_entry_resources\{condition="Ready"\} 5$/m);
  });

  it('promtool rejects a broken exposition, so the check above can fail', async () => {
    const checked = await run(join(toolDir, 'promtool'), ['check', 'metrics'], '# TYPE eks_access_entry_things gauge\neks_access_entry_things{a="b} 1\n');
    expect(checked.code).not.toBe(0);
  });

  describe('scraped by a real Prometheus', () => {
    let workDir: string;
    let prometheus: ManagedProcess | undefined;
    let api: string;

    beforeAll(async () => {
      workDir = await mkdtemp(join(tmpdir(), 'eaec-prometheus-'));
      const [webPort] = await freePorts(1);
      api = `http://127.0.0.1:${webPort}/api/v1`;
      const config = [
        'global: { scrape_interval: 1s, scrape_timeout: 1s }',
        'scrape_configs:',
        '  - job_name: eks-access-entry-controller',
        `    static_configs: [{ targets: ['127.0.0.1:${endpoints.metrics!.port}'] }]`,
      ].join('\n');
      await writeFile(join(workDir, 'prometheus.yml'), `${config}\n`);
      prometheus = await startProcess(
        'prometheus',
        join(toolDir, 'prometheus'),
        [`--config.file=${join(workDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(workDir, 'data')}`, `--web.listen-address=127.0.0.1:${webPort}`],
        { logFile: join(workDir, 'prometheus.log') },
      );
    });

    afterAll(async () => {
      await prometheus?.stop(5_000);
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
      const response = await fetch(`${api}/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`${promql}: ${body.error ?? body.status}`);
      return body.data.result;
    }

    it('scrapes it without error and answers the queries dashboards make', async () => {
      await waitFor(async () => (await query('up{job="eks-access-entry-controller"} == 1')).length === 1, {
        description: `Prometheus scraping ${metricsUrl}\n${prometheus?.recentOutput() ?? ''}`,
        timeoutMs: 30_000,
        intervalMs: 250,
      });
      const targets = (await (await fetch(`${api}/targets`)).json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
      expect(targets.data.activeTargets.map((t) => [t.health, t.lastError])).toEqual([['up', '']]);

      const byResult = await query('sum by (result) (controller_runtime_reconcile_total{controller="accessentry"})');
      expect(Object.fromEntries(byResult.map((r) => [r.metric.result, Number(r.value[1])]))).toEqual({ success: 1, error: 2, requeue: 0, requeue_after: 1 });
      expect(Number((await query('controller_runtime_reconcile_errors_total{controller="accessentry"}'))[0]?.value[1])).toBe(2);
      // le parsed as a number: a quantile can be computed over the buckets.
      const median = await query('histogram_quantile(0.5, sum by (le) (controller_runtime_reconcile_time_seconds_bucket{controller="accessentry"}))');
      expect(Number(median[0]?.value[1])).toBeGreaterThan(0.1);
      expect(Number(median[0]?.value[1])).toBeLessThan(0.35);
      expect((await query('workqueue_depth{name="accessentry"}'))[0]?.metric).toMatchObject({ name: 'accessentry', controller: 'accessentry' });
      expect(Number((await query('workqueue_adds_total{name="accessentry"}'))[0]?.value[1])).toBe(3);
      expect(Number((await query('controller_runtime_active_workers{controller="accessentry"}'))[0]?.value[1])).toBe(1);
      expect(Number((await query('leader_election_master_status{name="eks-access-entry-controller"}'))[0]?.value[1])).toBe(1);
      expect(Number((await query('eks_access_entry_drift_corrections_total{field="accessPolicies"}'))[0]?.value[1])).toBe(1);
      expect(Number((await query('eks_access_entry_resources{condition="Stalled"}'))[0]?.value[1])).toBe(1);

      // error="" is stored as no label at all, which is what a PromQL error="" matches.
      const succeeded = await query('sum by (service, operation) (eks_access_entry_aws_api_calls_total{error=""})');
      expect(succeeded.map((r) => `${r.metric.service}/${r.metric.operation}`).sort()).toEqual(['eks/DescribeAccessEntry', 'sts/GetCallerIdentity']);
      const awkward = await query('eks_access_entry_aws_api_calls_total{operation="ListAccessPolicies"}');
      expect(awkward[0]?.metric.error).toBe(AWKWARD_ERROR);
    });
  });
});
