// The shipped alerts and dashboard on the real thing: a real Prometheus server (Debian's package)
// scraping the real entry point (src/main.ts as a process, leader election on) that manages
// AccessEntries in the test API server through the EKS emulator. The shipped rule file is loaded
// with its `for:` windows shortened (withWindows: the only change, made on the parsed YAML);
// the dashboard's queries run as Grafana would send them (asGrafanaSends).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AccessEntry } from '../../src/api/accessentry.ts';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL, RECONCILE_REQUESTED_ANNOTATION } from '../../src/api/names.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { installCrds } from '../testenv/crd.ts';
import { kubectl, testKubeConfig, uniqueName, waitFor } from '../testenv/kube.ts';
import { freePorts } from '../testenv/ports.ts';
import { startProcess, type ManagedProcess } from '../testenv/process.ts';
import { ClusterAccesses } from './support/cluster-accesses.ts';
import { asGrafanaSends, dashboardQueries } from './support/grafana.ts';
import { role } from './support/harness.ts';
import { Prometheus, prometheusTools, withWindows, type Alert } from './support/prometheus.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The job the shipped rules select: what a ServiceMonitor on the metrics Service gives. */
const JOB = 'eks-access-entry-controller-metrics';
const HEALTHY_CLUSTER = 'demo';
/** authenticationMode CONFIG_MAP: every access-entry call is refused, so its entries stall. */
const CONFIG_MAP_CLUSTER = 'legacy';
/**
 * NotReady waits a little longer than the rest: a healthy entry is Ready=Unknown for the moment
 * between its creation and its first reconcile, and must not fire on a machine under load.
 */
const TEST_WINDOWS = { EksAccessEntryNotReady: '5s' };
const OTHER_WINDOWS = '1s';

const kc = testKubeConfig();
const label = uniqueName('monitoring');
const healthy = uniqueName('healthy');
const stalled = uniqueName('stalled');
const clusterAccess = uniqueName('unreachable');
const accesses = new ClusterAccesses(kc);
let emulator: RunningEmulator;
let controller: ManagedProcess | undefined;
let prometheus: Prometheus | undefined;
let workDir: string;
const startedAt = Date.now();

async function createEntry(name: string, clusterName: string): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: API_GROUP, version: API_VERSION, plural: PLURAL,
    body: { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: { name, labels: { 'test.eksaccess.dev/run': label } }, spec: { clusterName, principalArn: role(name), kubernetesGroups: ['dev'] } },
  });
}

async function getEntry(name: string): Promise<AccessEntry> {
  return (await kc.makeApiClient(CustomObjectsApi).getClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: PLURAL, name })) as AccessEntry;
}

/** Asks for a re-check now and waits until the controller says it made it. */
async function recheck(name: string): Promise<void> {
  const requested = new Date().toISOString();
  const annotated = await kubectl(['annotate', `accessentry/${name}`, `${RECONCILE_REQUESTED_ANNOTATION}=${requested}`, '--overwrite']);
  expect(annotated.code, annotated.stderr).toBe(0);
  await waitFor(async () => (await getEntry(name)).status?.lastHandledReconcileAt === requested, { description: `the re-check of ${name}`, timeoutMs: 30_000 });
}

const alertsNamed = (alerts: Alert[], alertname: string): Alert[] => alerts.filter((alert) => alert.labels.alertname === alertname);

async function firing(alertname: string, matching: Record<string, string> = {}): Promise<Alert> {
  return waitFor(
    async () =>
      alertsNamed(await prometheus!.alerts(), alertname).find(
        (alert) => alert.state === 'firing' && Object.entries(matching).every(([key, value]) => alert.labels[key] === value),
      ),
    { description: `${alertname} firing for ${JSON.stringify(matching)}\n${controller?.recentOutput() ?? ''}`, timeoutMs: 60_000, intervalMs: 500 },
  );
}

/** Resolves once Prometheus has scraped a sample matching `promql` (an instant query with a result). */
async function scraped(promql: string): Promise<void> {
  await waitFor(async () => (await prometheus!.query(promql)).length > 0, { description: `Prometheus to have ${promql}`, timeoutMs: 60_000, intervalMs: 250 });
}

beforeAll(async () => {
  const [toolDir] = await Promise.all([prometheusTools(), installCrds(kc)]);
  workDir = await mkdtemp(join(tmpdir(), 'eaec-monitoring-'));
  emulator = await startEmulator({ implicitPrincipals: true });
  emulator.state.createCluster(HEALTHY_CLUSTER, { authenticationMode: 'API_AND_CONFIG_MAP' });
  emulator.state.createCluster(CONFIG_MAP_CLUSTER, { authenticationMode: 'CONFIG_MAP' });
  // No process owns ClusterAccess status here (this controller shares the API server with other
  // files' and must not check theirs): this one reads Ready Unknown, i.e. not Ready.
  await accesses.create(clusterAccess, { clusterName: clusterAccess, region: 'eu-west-1' });

  const [metricsPort] = (await freePorts(1)) as [number];
  controller = await startProcess(
    'controller',
    join(ROOT, 'node_modules/.bin/tsx'),
    [
      'src/main.ts', '--kubeconfig', inject('kubeconfigPath'), '--region', 'us-east-1', '--aws-endpoint', emulator.endpoint,
      '--selector', `test.eksaccess.dev/run=${label}`, '--metrics-bind-address', `127.0.0.1:${metricsPort}`, '--health-probe-bind-address', '0',
      '--leader-elect', '--leader-election-namespace', 'default', '--leader-election-id', label,
    ],
    { logFile: join(workDir, 'controller.log'), env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } },
  );
  const rules = withWindows(await readFile(join(ROOT, 'deploy/monitoring/alerts.yaml'), 'utf8'), TEST_WINDOWS, OTHER_WINDOWS);
  prometheus = await Prometheus.start(toolDir, { job: JOB, target: `127.0.0.1:${metricsPort}`, rules });
  await scraped(`leader_election_master_status{job="${JOB}"} == 1`);
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await controller?.stop(10_000);
  await accesses.deleteAll();
  await emulator?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the shipped alerts on a real Prometheus scraping the controller', () => {
  it('EksAccessEntryNotReady fires for the stalled AccessEntry, naming it and its reason, and not for the healthy one', async () => {
    await Promise.all([createEntry(healthy, HEALTHY_CLUSTER), createEntry(stalled, CONFIG_MAP_CLUSTER)]);
    const alert = await firing('EksAccessEntryNotReady', { name: stalled });
    expect(alert.labels).toMatchObject({ severity: 'warning', cluster_name: CONFIG_MAP_CLUSTER });
    expect(alert.annotations.summary).toBe(`AccessEntry ${stalled} (EKS cluster ${CONFIG_MAP_CLUSTER}) has not been Ready for 15 minutes`);
    expect(alert.annotations.description).toContain('(reason AuthenticationModeConfigMap)');
    expect(alert.annotations.runbook_url).toMatch(/docs\/runbooks\.md#eksaccessentrynotready$/);
    expect((await getEntry(stalled)).status?.conditions?.find((c) => c.type === 'Stalled')?.reason).toBe('AuthenticationModeConfigMap');

    // The healthy one is Ready, Prometheus has seen it so, and the rules were evaluated since.
    expect((await getEntry(healthy)).status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    await scraped(`eks_access_entry_status_condition{name="${healthy}", condition="Ready", status="True"}`);
    const seenReady = Date.now();
    await waitFor(async () => (await prometheus!.lastEvaluation()) > seenReady, { description: 'a rule evaluation after that', timeoutMs: 30_000 });
    const alerts = await prometheus!.alerts();
    expect(alertsNamed(alerts, 'EksAccessEntryNotReady').map((a) => a.labels.name)).toEqual([stalled]);
    // The ClusterAccess no process checked reads not Ready too, named with its region.
    expect(alertsNamed(alerts, 'EksAccessEntryClusterAccessNotReady').find((a) => a.labels.name === clusterAccess)?.labels).toMatchObject({
      cluster_name: clusterAccess,
      region: 'eu-west-1',
    });
    // The controller runs and leads.
    expect(alertsNamed(alerts, 'EksAccessEntryControllerAbsent')).toEqual([]);
    expect(alertsNamed(alerts, 'EksAccessEntryNoLeader')).toEqual([]);
  });

  it('EksAccessEntryDriftCorrected fires when groups changed in EKS outside Git are put back', async () => {
    expect(alertsNamed(await prometheus!.alerts(), 'EksAccessEntryDriftCorrected')).toEqual([]);
    emulator.state.editAccessEntry(HEALTHY_CLUSTER, role(healthy), { kubernetesGroups: ['cluster-admins'] });
    await recheck(healthy);
    expect(emulator.state.getAccessEntry(HEALTHY_CLUSTER, role(healthy))?.kubernetesGroups).toEqual(['dev']);
    const alert = await firing('EksAccessEntryDriftCorrected', { field: 'kubernetesGroups' });
    expect(alert.labels).toMatchObject({ severity: 'warning', job: JOB });
    expect(alert.annotations.summary).toBe('Access changed outside Git was reverted (kubernetesGroups)');
  });

  it('answers every dashboard query with data, once the controller has met throttling too', async () => {
    // Three throttled attempts: the SDK's retries run out, so the call itself fails throttled. Twice:
    // a counter series is born at 1 the first time, which rate() cannot tell from no change.
    const throttledCalls = `eks_access_entry_aws_api_calls_total{job="${JOB}", operation="DescribeAccessEntry", error="ThrottlingException"}`;
    for (const times of [1, 2]) {
      emulator.faults.add({ operation: 'DescribeAccessEntry', fault: 'ThrottlingException', count: 3, principalArn: role(healthy) });
      await recheck(healthy);
      await scraped(`${throttledCalls} >= ${times}`);
    }
    await scraped(`eks_access_entry_drift_corrections_total{job="${JOB}", field="kubernetesGroups"} > 0`);

    // The dashboard's time range: everything since this file started. $__rate_interval is set to
    // the whole of it (Grafana's would be at least 1m with a data source's default 15s scrape
    // interval, i.e. longer than this file has run), so each event made above is inside every
    // rate() window however slowly the machine got here; $__interval is the scrape interval.
    const range = `${Math.ceil((Date.now() - startedAt) / 1000) + 5}s`;
    const dashboard = JSON.parse(await readFile(join(ROOT, 'deploy/monitoring/grafana-dashboard.json'), 'utf8')) as Parameters<typeof dashboardQueries>[0];
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const { panel, refId, expr } of queries) {
      const promql = asGrafanaSends(expr, { range, rateInterval: range, interval: '1s', variables: { job: JOB } });
      try {
        const result = await prometheus!.query(promql);
        if (!result.some((sample) => !Number.isNaN(Number(sample.value[1])))) problems.push(`${panel} [${refId}] has no data: ${promql}`);
      } catch (error) {
        problems.push(`${panel} [${refId}] failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('EksAccessEntryControllerAbsent fires once the controller has stopped', async () => {
    await controller!.stop(10_000);
    const alert = await firing('EksAccessEntryControllerAbsent');
    expect(alert.labels).toMatchObject({ severity: 'critical', job: JOB });
  });
});
