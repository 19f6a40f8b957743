// Per-resource state in /metrics from a controller watching the real API server: each resource's
// conditions read from the watch cache at scrape time (and gone with the resource), time to Ready
// observed once per generation, and --per-resource-metrics=false leaving only the counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../../src/metrics/index.ts';
import { uniqueName, waitFor } from '../testenv/kube.ts';
import { CLUSTER, Harness, role } from './support/harness.ts';

const CONFIG_MAP_CLUSTER = 'legacy';
let h: Harness;

beforeAll(async () => {
  h = await Harness.start();
  h.emulator.state.createCluster(CONFIG_MAP_CLUSTER, { authenticationMode: 'CONFIG_MAP' });
});

afterAll(async () => {
  await h?.close();
});

const series = (text: string, name: string): string[] => text.split('\n').filter((line) => line.includes(`name="${name}"`) && line.startsWith('eks_access_entry_status_condition{'));

describe('per-resource metrics', () => {
  it('name each AccessEntry with its cluster, conditions and reason, and observe its time to Ready once', async () => {
    const metrics = new PrometheusMetrics({ maxConcurrentReconciles: 4, processMetrics: false });
    await h.stopController();
    await h.startController({}, metrics);
    const healthy = uniqueName('healthy');
    const stalled = uniqueName('stalled');
    await h.create(healthy, { clusterName: CLUSTER, principalArn: role(healthy) });
    await h.create(stalled, { clusterName: CONFIG_MAP_CLUSTER, principalArn: role(stalled) });
    await h.waitForReady(healthy);
    await h.waitForCondition(stalled, 'Stalled', { status: 'True', reason: 'AuthenticationModeConfigMap' });

    const text = await metrics.exposition();
    expect(series(text, healthy)).toEqual([`eks_access_entry_status_condition{name="${healthy}",cluster_name="${CLUSTER}",condition="Ready",status="True",reason="Synced"} 1`]);
    expect(series(text, stalled).sort()).toEqual([
      `eks_access_entry_status_condition{name="${stalled}",cluster_name="${CONFIG_MAP_CLUSTER}",condition="Ready",status="False",reason="AuthenticationModeConfigMap"} 1`,
      `eks_access_entry_status_condition{name="${stalled}",cluster_name="${CONFIG_MAP_CLUSTER}",condition="Stalled",status="True",reason="AuthenticationModeConfigMap"} 1`,
    ]);
    expect(text).not.toMatch(/^eks_access_entry_status_condition\{.*(arn:|123456789012)/m);
    // The healthy one became Ready once; the stalled one never did.
    expect(text).toMatch(/^eks_access_entry_time_to_ready_seconds_count 1$/m);

    await h.delete(healthy);
    await h.waitForGone(healthy);
    await waitFor(async () => series(await metrics.exposition(), healthy).length === 0, { description: 'the deleted resource\'s series gone' });
    expect(series(await metrics.exposition(), stalled)).toHaveLength(2);
  });

  it('are left out with perResourceMetrics false, the counts by condition staying', async () => {
    const metrics = new PrometheusMetrics({ maxConcurrentReconciles: 4, processMetrics: false });
    await h.stopController();
    await h.startController({ perResourceMetrics: false }, metrics);
    const name = uniqueName('quiet');
    await h.create(name, { clusterName: CLUSTER, principalArn: role(name) });
    await h.waitForReady(name);
    const text = await metrics.exposition();
    expect(text).not.toMatch(/^eks_access_entry_(cluster_access_)?status_condition\{/m);
    expect(text).toMatch(/^eks_access_entry_resources\{condition="Ready"\} [1-9]/m);
    expect(text).toMatch(/^eks_access_entry_time_to_ready_seconds_count 1$/m);
  });
});
