import { describe, expect, it } from 'vitest';
import type { AccessEntry } from '../api/accessentry.ts';
import { ADOPTED_TAG, MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import type { AssociatedPolicy, DesiredEntry, ObservedEntry } from '../eks/types.ts';
import type { Ledger } from './ledger.ts';
import { planReconcile, type Observation } from './plan.ts';

const PRINCIPAL = 'arn:aws:iam::111111111111:role/dev';
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
const ADMIN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';
const resource: AccessEntry = { apiVersion: 'eksaccess.dev/v1alpha1', kind: 'AccessEntry', metadata: { name: 'dev' }, spec: { clusterName: 'demo', principalArn: PRINCIPAL } };
const ours = { [MANAGED_BY_TAG]: 'ctl', [OWNER_TAG]: 'dev' };
const desired: DesiredEntry = {
  region: 'us-east-1',
  clusterName: 'demo',
  principalArn: PRINCIPAL,
  type: 'STANDARD',
  kubernetesGroups: ['dev'],
  tags: ours,
  accessPolicies: [{ policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['a'] } }],
};
const entry = (change: Partial<ObservedEntry> = {}): ObservedEntry => ({
  accessEntryArn: 'arn:aws:eks:us-east-1:111111111111:access-entry/demo/role/111111111111/dev/1',
  principalArn: PRINCIPAL,
  type: 'STANDARD',
  kubernetesGroups: ['dev'],
  username: 'u',
  tags: ours,
  ...change,
});
const ledger: Ledger = { managedTagKeys: Object.keys(ours), adopted: false };
const admin: AssociatedPolicy = { policyArn: ADMIN, accessScope: { type: 'cluster', namespaces: [] } };
const plan = (observation: Observation, spec: Partial<AccessEntry['spec']> = {}, want: DesiredEntry = desired) =>
  planReconcile({ resource: { ...resource, spec: { ...resource.spec, ...spec } }, desired: want, ledger, observation });

describe('planReconcile', () => {
  it('creates a missing entry, then associates every declared policy', () => {
    expect(plan({ associated: null })).toEqual({ kind: 'create', recreate: false, policies: { associate: desired.accessPolicies, disassociate: [] } });
  });

  it('plans no association calls when the spec leaves them unmanaged', () => {
    const { accessPolicies: _omitted, ...unmanaged } = desired;
    expect(plan({ associated: null }, {}, unmanaged)).toMatchObject({ kind: 'create', policies: null });
  });

  it('syncs an own entry: the fields that differ, and the associations against what was listed', () => {
    expect(plan({ entry: entry({ kubernetesGroups: ['x'] }), ownership: { owner: 'this-resource' }, associated: [admin] })).toEqual({
      kind: 'sync',
      adopt: false,
      changes: { update: { kubernetesGroups: ['dev'], username: 'u', fields: ['kubernetesGroups'] }, tagsToSet: {}, tagKeysToRemove: [] },
      policies: { associate: desired.accessPolicies, disassociate: [admin] },
    });
  });

  it('refuses an entry it does not own, and plans no call at all', () => {
    expect(plan({ entry: entry({ tags: {} }), ownership: { owner: 'nobody' }, associated: null })).toMatchObject({ kind: 'refuse', failure: { reason: Reason.NotOwned } });
  });

  it('adopts when asked: claims it with the ownership tags and the adopted tag first', () => {
    const adopted = plan({ entry: entry({ tags: {} }), ownership: { owner: 'nobody' }, associated: [] }, { adoptExisting: true });
    expect(adopted).toMatchObject({ kind: 'sync', adopt: true, changes: { tagsToSet: { ...ours, [ADOPTED_TAG]: 'true' } } });
  });
});
