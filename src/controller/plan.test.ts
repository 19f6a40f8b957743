import { describe, expect, it } from 'vitest';
import type { AccessEntry } from '../api/accessentry.ts';
import { ADOPTED_TAG, MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import type { AssociatedPolicy, DesiredEntry, ObservedEntry } from '../eks/types.ts';
import type { PrincipalState } from '../iam/directory.ts';
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
    expect(plan({ associated: null })).toEqual({ kind: 'create', recreate: false, principalId: null, policies: { associate: desired.accessPolicies, disassociate: [] } });
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
      principalId: undefined,
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

describe('planReconcile, against what IAM says of the principal', () => {
  const created = new Date('2026-01-01T00:00:00Z');
  const found = (id: string, createDate: Date): PrincipalState => ({ kind: 'found', principal: { arn: PRINCIPAL, id, createDate } });
  const own = (principal: PrincipalState, status: AccessEntry['status'] = { principalId: 'AROAOLD' }, spec: Partial<AccessEntry['spec']> = {}) =>
    planReconcile({
      resource: { ...resource, spec: { ...resource.spec, ...spec }, status },
      desired,
      ledger,
      observation: { entry: entry({ createdAt: created, tags: { ...ours, team: 'a', other: 'kept' } }), ownership: { owner: 'this-resource' }, associated: [admin], principal },
    });

  it.each([
    { what: 'the id recorded', principal: found('AROAOLD', new Date('2025-06-01Z')), status: { principalId: 'AROAOLD' }, kind: 'sync', principalId: 'AROAOLD' },
    { what: 'no id recorded, the principal older than the entry: its id is recorded', principal: found('AROANEW', new Date('2025-06-01Z')), status: {}, kind: 'sync', principalId: 'AROANEW' },
    { what: 'another account or IAM refusing: nothing decided, the recorded id kept', principal: { kind: 'unchecked', reason: 'x' } as const, status: { principalId: 'AROAOLD' }, kind: 'sync', principalId: undefined },
    { what: 'IAM not answering this time', principal: { kind: 'unknown', error: new Error('slow') } as const, status: { principalId: 'AROAOLD' }, kind: 'sync', principalId: undefined },
  ])('keeps syncing an entry bound to its principal: $what', ({ principal, status, kind, principalId }) => {
    expect(own(principal, status)).toMatchObject({ kind, principalId });
  });

  it.each([
    { what: 'another id than the one recorded', principal: found('AROANEW', new Date('2025-06-01Z')), status: { principalId: 'AROAOLD' }, boundTo: 'AROAOLD' },
    { what: 'no id recorded, and the principal made after the entry', principal: found('AROANEW', new Date('2026-02-01Z')), status: {}, boundTo: undefined },
  ])('heals an entry whose principal was re-created ($what): re-created with the spec and the tags others set, its policies back', ({ principal, status, boundTo }) => {
    const healed = own(principal, status);
    expect(healed).toMatchObject({ kind: 'heal', boundTo, principalId: 'AROANEW', tags: { ...ours, team: 'a', other: 'kept' }, policies: { associate: desired.accessPolicies, disassociate: [] } });
  });

  it('re-creates the entry without a tag key this resource set and the spec has dropped since', () => {
    const healed = planReconcile({
      resource: { ...resource, status: { principalId: 'AROAOLD' } },
      desired,
      ledger: { ...ledger, managedTagKeys: [...ledger.managedTagKeys, 'team'] },
      observation: { entry: entry({ tags: { ...ours, team: 'a' } }), ownership: { owner: 'this-resource' }, associated: [], principal: found('AROANEW', created) },
    });
    expect(healed).toMatchObject({ kind: 'heal', tags: ours });
    expect(healed).not.toHaveProperty('tags.team');
  });

  it('re-creates the policies the entry had when the spec does not manage them', () => {
    const { accessPolicies: _omitted, ...unmanaged } = desired;
    const healed = planReconcile({
      resource: { ...resource, status: { principalId: 'AROAOLD' } },
      desired: unmanaged,
      ledger,
      observation: { entry: entry(), ownership: { owner: 'this-resource' }, associated: [admin], principal: found('AROANEW', created) },
    });
    expect(healed).toMatchObject({ kind: 'heal', policies: { associate: [{ policyArn: ADMIN, accessScope: admin.accessScope }], disassociate: [] } });
  });

  it('reports a re-created principal without a call when told to (Report)', () => {
    const reported = own(found('AROANEW', created), { principalId: 'AROAOLD' }, { onPrincipalRecreated: 'Report' });
    expect(reported).toMatchObject({ kind: 'refuse', failure: { reason: Reason.PrincipalRecreated, retryable: false } });
    expect(reported).toHaveProperty('failure.message', expect.stringContaining('id is now AROANEW') as unknown);
    expect(reported).toHaveProperty('failure.message', expect.stringContaining('bound the entry to id AROAOLD') as unknown);
  });

  it('leaves an entry whose principal is gone as it is, and says so', () => {
    expect(own({ kind: 'not-found' })).toMatchObject({ kind: 'refuse', failure: { reason: Reason.PrincipalNotFound, retryable: false } });
  });

  it('creates an entry for a principal IAM does not show (EKS decides), recording no id', () => {
    expect(planReconcile({ resource, desired, ledger, observation: { associated: null, principal: { kind: 'not-found' } } })).toMatchObject({ kind: 'create', principalId: null });
    expect(planReconcile({ resource, desired, ledger, observation: { associated: null, principal: found('AROAX', created) } })).toMatchObject({ kind: 'create', principalId: 'AROAX' });
  });

  it('adopting an entry its principal postdates claims it with the ownership tags, then re-creates it, still adopted', () => {
    const adopted = planReconcile({
      resource: { ...resource, spec: { ...resource.spec, adoptExisting: true } },
      desired,
      ledger,
      observation: { entry: entry({ tags: { note: 'by hand' }, createdAt: created }), ownership: { owner: 'nobody' }, associated: [], principal: found('AROANEW', new Date('2026-02-01Z')) },
    });
    const claim = { ...ours, [ADOPTED_TAG]: 'true' };
    expect(adopted).toMatchObject({ kind: 'heal', claim, tags: { ...claim, note: 'by hand' }, principalId: 'AROANEW', boundTo: undefined });
  });

  it('never heals an entry another owner holds', () => {
    const foreign = planReconcile({
      resource: { ...resource, status: { principalId: 'AROAOLD' } },
      desired,
      ledger,
      observation: { entry: entry({ tags: { [MANAGED_BY_TAG]: 'other' } }), ownership: { owner: 'other-controller', controllerId: 'other' }, associated: null, principal: found('AROANEW', created) },
    });
    expect(foreign).toMatchObject({ kind: 'refuse', failure: { reason: Reason.NotOwned } });
  });
});

describe('planReconcile, when a permission set moved to a new role', () => {
  const OLD = 'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_00000000000000aa';
  const moved = (previous: Observation['previous']) => planReconcile({ resource: { ...resource, status: { principalArn: OLD } }, desired, ledger, observation: { associated: null, ...(previous ? { previous } : {}) } });

  it('creates the new role\'s entry (no "re-created" note), then retires the old one it owns', () => {
    const old = entry({ principalArn: OLD });
    expect(moved({ principalArn: OLD, entry: old, ownership: { owner: 'this-resource' } })).toMatchObject({ kind: 'create', recreate: false, retire: { principalArn: OLD, entry: old } });
  });

  it('forgets an old entry that is gone or someone else\'s, without touching it', () => {
    expect(moved({ principalArn: OLD })).toMatchObject({ retire: { principalArn: OLD } });
    expect(moved({ principalArn: OLD })).not.toHaveProperty('retire.entry');
    expect(moved({ principalArn: OLD, entry: entry({ principalArn: OLD, tags: {} }), ownership: { owner: 'nobody' } })).not.toHaveProperty('retire.entry');
  });
});
