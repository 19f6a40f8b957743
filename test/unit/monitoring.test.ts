// The shipped alert rules, their runbooks and the Grafana dashboard, checked for what an operator
// relies on without running Prometheus (test/integration/monitoring.test.ts and alert-rules.test.ts
// run them on the real one): every alert is complete and tested, every runbook link lands on a
// section, every metric they name is one the controller exports.
import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../../src/metrics/index.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (loadYaml(read('deploy/monitoring/alerts.yaml')) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules);
const ruleTests = (loadYaml(read('deploy/monitoring/alerts.test.yaml')) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] }).tests.flatMap(
  (test) => test.alert_rule_test,
);
const RUNBOOKS = 'https://github.com/eks-access-entry-controller/eks-access-entry-controller/blob/main/docs/runbooks.md';
const JOB_MATCHER = 'job="eks-access-entry-controller-metrics"';

interface Panel {
  type: string;
  title: string;
  id: number;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string; refId: string; datasource: { type: string; uid: string } }[];
}
const dashboardText = read('deploy/monitoring/grafana-dashboard.json');
const dashboard = JSON.parse(dashboardText) as {
  schemaVersion: number;
  uid: string;
  templating: { list: { name: string; type: string; query: unknown }[] };
  panels: Panel[];
};

/** The metric families the controller exports, process metrics included. */
async function exportedFamilies(): Promise<Set<string>> {
  const metrics = new PrometheusMetrics({ maxConcurrentReconciles: 1 });
  return new Set((await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name));
}

/** Metric names a PromQL expression selects (name{...}), histogram series mapped to their family. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b([a-z_][a-z0-9_]*)\{/g)].map((match) => match[1]!.replace(/_(bucket|sum|count)$/, ''));
}

describe('the alert rules', () => {
  it.each(rules.map((rule) => [rule.alert, rule] as const))('%s has a severity, a for: window, a summary, a description and its runbook', (alert, rule) => {
    expect(['critical', 'warning']).toContain(rule.labels?.severity);
    expect(rule.for).toMatch(/^\d+[smh]$/);
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.description).toBeTruthy();
    expect(rule.annotations?.runbook_url).toBe(`${RUNBOOKS}#${alert.toLowerCase()}`);
  });

  it('has a runbook section for each alert, and none for an alert that does not exist', () => {
    const sections = [...read('docs/runbooks.md').matchAll(/^## (\S+)$/gm)].map((match) => match[1]);
    expect(sections.sort()).toEqual(rules.map((rule) => rule.alert).sort());
  });

  it('tests each alert firing and each alert quiet in alerts.test.yaml', () => {
    for (const { alert } of rules) {
      const tests = ruleTests.filter((test) => test.alertname === alert);
      expect(tests.some((test) => test.exp_alerts.length > 0), `${alert} firing`).toBe(true);
      expect(tests.some((test) => test.exp_alerts.length === 0), `${alert} quiet`).toBe(true);
    }
  });

  it('selects only this controller\'s job, in every selector (controller-runtime names are shared with other controllers)', () => {
    for (const { alert, expr, annotations } of rules) {
      const selectors = [...`${expr} ${annotations?.description ?? ''}`.matchAll(/\b[a-z_]+\{([^}]*)\}/g)].map((match) => match[1]!);
      expect(selectors.length, alert).toBeGreaterThan(0);
      for (const selector of selectors) expect(selector, alert).toContain(JOB_MATCHER);
    }
  });

  it('names only metrics the controller exports', async () => {
    const families = await exportedFamilies();
    const named = rules.flatMap((rule) => metricNames(`${rule.expr} ${rule.annotations?.description ?? ''}`)).filter((name) => name !== 'up');
    expect(named.filter((name) => !families.has(name))).toEqual([]);
  });
});

describe('the Grafana dashboard', () => {
  const panels = dashboard.panels.filter((panel) => panel.type !== 'row');

  it('is for current Grafana, with a data source variable and no data source of a particular Grafana', () => {
    expect(dashboard.schemaVersion).toBe(42);
    expect(dashboard.templating.list.find((variable) => variable.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const uids = [...dashboardText.matchAll(/"uid": "([^"]*)"/g)].map((match) => match[1]);
    expect(new Set(uids)).toEqual(new Set([dashboard.uid, '${datasource}', '-- Grafana --']));
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const target of panel.targets ?? []) expect(target.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  it('lays its panels out on the 24-column grid, each with a unique id and queries with unique refIds', () => {
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
    }
  });

  it('filters every query by the $job variable and names only metrics the controller exports', async () => {
    const families = await exportedFamilies();
    for (const { title, targets } of panels) {
      for (const { expr } of targets ?? []) {
        for (const selector of expr.matchAll(/\b[a-z_]+\{([^}]*)\}/g)) expect(selector[1], title).toContain('job=~"$job"');
        expect(metricNames(expr).filter((name) => !families.has(name)), title).toEqual([]);
      }
    }
  });

  it('shows what an operator needs: state by cluster, the not-Ready resources and why, reconciles, AWS, drift, leadership, memory and CPU', () => {
    const exprs = panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)).join('\n');
    for (const metric of [
      'eks_access_entry_status_condition', 'eks_access_entry_cluster_access_status_condition', 'eks_access_entry_time_to_ready_seconds_bucket',
      'controller_runtime_reconcile_total', 'controller_runtime_reconcile_errors_total', 'controller_runtime_reconcile_time_seconds_bucket',
      'eks_access_entry_aws_api_calls_total', 'eks_access_entry_aws_throttles_total', 'eks_access_entry_drift_corrections_total',
      'leader_election_master_status', 'workqueue_depth', 'process_resident_memory_bytes', 'process_cpu_seconds_total',
    ]) {
      expect(exprs, metric).toContain(`${metric}{`);
    }
    expect(panels.filter((panel) => panel.type === 'table').map((panel) => panel.title)).toEqual(['AccessEntries not Ready, and why', 'ClusterAccesses not Ready']);
  });
});
