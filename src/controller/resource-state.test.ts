import { describe, expect, it } from 'vitest';
import type { AccessEntry, Condition } from '../api/accessentry.ts';
import type { ClusterAccess } from '../api/clusteraccess.ts';
import { accessEntryConditionSamples, clusterAccessConditionSamples, countConditions, OTHER_REASON } from './resource-state.ts';

const condition = (type: string, status: Condition['status'], reason: string): Condition => ({
  type, status, reason, message: 'm', observedGeneration: 1, lastTransitionTime: '2026-12-01T10:00:00Z',
});

const entry = (name: string, clusterName: string, conditions?: Condition[]): AccessEntry => ({
  apiVersion: 'eksaccess.dev/v1alpha1',
  kind: 'AccessEntry',
  metadata: { name, uid: `uid-${name}`, generation: 1 },
  spec: { clusterName, principalArn: `arn:aws:iam::123456789012:role/${name}` },
  ...(conditions ? { status: { observedGeneration: 1, accessEntryArn: `arn:aws:eks:us-east-1:123456789012:access-entry/${clusterName}/role/123456789012/${name}/x`, conditions } } : {}),
});

const access = (name: string, conditions?: Condition[]): ClusterAccess => ({
  apiVersion: 'eksaccess.dev/v1alpha1',
  kind: 'ClusterAccess',
  metadata: { name, generation: 1 },
  spec: { clusterName: 'prod', region: 'eu-west-1', roleArn: 'arn:aws:iam::222222222222:role/eaec' },
  ...(conditions ? { status: { accountId: '222222222222', conditions } } : {}),
});

describe('per-resource state for /metrics', () => {
  const healthy = entry('admins', 'prod', [condition('Ready', 'True', 'Synced')]);
  const stalled = entry('legacy', 'old', [condition('Ready', 'False', 'AuthenticationModeConfigMap'), condition('Stalled', 'True', 'AuthenticationModeConfigMap')]);
  const retrying = entry('busy', 'prod', [condition('Ready', 'False', 'Throttled'), condition('Reconciling', 'True', 'Throttled')]);

  it('gives one sample per condition of each AccessEntry, with its name, cluster, status and reason', () => {
    expect([...accessEntryConditionSamples([healthy, stalled, retrying])]).toEqual([
      { name: 'admins', clusterName: 'prod', condition: 'Ready', status: 'True', reason: 'Synced' },
      { name: 'legacy', clusterName: 'old', condition: 'Ready', status: 'False', reason: 'AuthenticationModeConfigMap' },
      { name: 'legacy', clusterName: 'old', condition: 'Stalled', status: 'True', reason: 'AuthenticationModeConfigMap' },
      { name: 'busy', clusterName: 'prod', condition: 'Ready', status: 'False', reason: 'Throttled' },
      { name: 'busy', clusterName: 'prod', condition: 'Reconciling', status: 'True', reason: 'Throttled' },
    ]);
  });

  it('never puts an ARN or an account id in a label', () => {
    const labels = [...accessEntryConditionSamples([healthy, stalled])].flatMap((sample) => [sample.name, sample.clusterName, sample.condition, sample.status, sample.reason]);
    expect(labels.filter((value) => /arn:|\d{12}/.test(value))).toEqual([]);
  });

  it('reads an entry whose status the controller has not written yet as Ready Unknown, so not-Ready queries count it', () => {
    expect([...accessEntryConditionSamples([entry('new', 'prod')])]).toEqual([{ name: 'new', clusterName: 'prod', condition: 'Ready', status: 'Unknown', reason: '' }]);
  });

  it('keeps the labels a bounded set: a reason the controller never writes is Other; foreign condition types and statuses are left out', () => {
    const forged = entry('forged', 'prod', [condition('Ready', 'False', `Pwned${'x'.repeat(200)}`), condition('Healthy', 'True', 'Synced'), condition('Stalled', 'Maybe' as Condition['status'], 'Synced')]);
    expect([...accessEntryConditionSamples([forged])]).toEqual([{ name: 'forged', clusterName: 'prod', condition: 'Ready', status: 'False', reason: OTHER_REASON }]);
  });

  it('gives the Ready condition of each ClusterAccess with its cluster and region, Unknown until it has one', () => {
    const reachable = access('prod-eu', [condition('Ready', 'True', 'Reachable')]);
    expect([...clusterAccessConditionSamples([reachable, access('fresh')])]).toEqual([
      { name: 'prod-eu', clusterName: 'prod', region: 'eu-west-1', condition: 'Ready', status: 'True', reason: 'Reachable' },
      { name: 'fresh', clusterName: 'prod', region: 'eu-west-1', condition: 'Ready', status: 'Unknown', reason: '' },
    ]);
  });

  it('counts resources by condition True', () => {
    expect(countConditions([healthy, stalled, retrying, entry('new', 'prod')])).toEqual({ Ready: 1, Reconciling: 1, Stalled: 1 });
  });
});
