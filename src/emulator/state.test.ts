import { describe, expect, it } from 'vitest';
import { EmulatorState } from './state.ts';

const ROLE = 'arn:aws:iam::123456789012:role/dev';

function frozenState(): EmulatorState {
  const clock = new Date('2025-01-01T00:00:00Z');
  const state = new EmulatorState({ accountId: '123456789012', defaultRegion: 'us-east-1', now: () => new Date(clock) });
  state.createCluster('demo');
  return state;
}

describe('EmulatorState', () => {
  it('hands out copies: changing a returned record does not change the state', () => {
    const state = frozenState();
    const entry = state.seedAccessEntry('demo', { principalArn: ROLE, kubernetesGroups: ['a'], tags: { t: '1' } });
    entry.kubernetesGroups.push('b');
    entry.tags.t = '2';
    entry.modifiedAt.setFullYear(1999);
    expect(state.getAccessEntry('demo', ROLE)).toMatchObject({ kubernetesGroups: ['a'], tags: { t: '1' } });
    expect(state.getAccessEntry('demo', ROLE)?.modifiedAt.getUTCFullYear()).toBe(2025);
  });

  it('seeds what the API would refuse, as EKS itself or a human could', () => {
    const state = frozenState();
    const entry = state.seedAccessEntry('demo', { principalArn: ROLE, kubernetesGroups: ['system:masters'], username: 'eks:admin' });
    expect(entry).toMatchObject({ kubernetesGroups: ['system:masters'], username: 'eks:admin', type: 'STANDARD' });
  });

  it('moves modifiedAt on every edit even when the clock stands still', () => {
    const state = frozenState();
    const first = state.seedAccessEntry('demo', { principalArn: ROLE }).modifiedAt.getTime();
    const second = state.editAccessEntry('demo', ROLE, { username: 'x' }).modifiedAt.getTime();
    const third = state.editAccessEntry('demo', ROLE, { tags: { a: 'b' } }).modifiedAt.getTime();
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
  });

  it('edits replace only the fields given', () => {
    const state = frozenState();
    state.seedAccessEntry('demo', { principalArn: ROLE, kubernetesGroups: ['a'], username: 'u', tags: { k: 'v' } });
    expect(state.editAccessEntry('demo', ROLE, { tags: { z: 'z' } })).toMatchObject({ kubernetesGroups: ['a'], username: 'u', tags: { z: 'z' } });
  });

  it('throws ResourceNotFoundException for a missing cluster and returns undefined for a missing entry', () => {
    const state = frozenState();
    expect(() => state.listAccessEntries('nope')).toThrow(expect.objectContaining({ name: 'ResourceNotFoundException' }));
    expect(state.getAccessEntry('demo', ROLE)).toBeUndefined();
    expect(state.removeAccessEntry('demo', ROLE)).toBe(false);
  });

  it('reset() forgets clusters and restores the default quota', () => {
    const state = frozenState();
    state.setEntryQuota(0);
    state.reset();
    expect(state.listClusters()).toEqual([]);
    state.createCluster('demo');
    expect(() =>
      state.createAccessEntry(
        'demo',
        { principal: { arn: ROLE, partition: 'aws', accountId: '123456789012', kind: 'role', path: '/', name: 'dev' }, type: 'STANDARD', kubernetesGroups: [], username: 'u', tags: {} },
      ),
    ).not.toThrow();
  });

  it('reset() forgets added access policies and the association delay set since start', () => {
    const state = new EmulatorState({ accountId: '123456789012', defaultRegion: 'us-east-1', associationDelayMs: 1000 });
    state.addAccessPolicy('AmazonEKSTomorrowPolicy');
    state.setAssociationDelay(5000, { operations: ['ListAssociatedAccessPolicies'] });
    state.reset();
    expect(state.findAccessPolicy('arn:aws:eks::aws:cluster-access-policy/AmazonEKSTomorrowPolicy')).toBeUndefined();
    expect(state.associationDelay()).toEqual({ ms: 1000, operations: ['AssociateAccessPolicy'] });
  });

  it('hides a new entry from association calls for the delay, by its own clock', () => {
    let now = new Date('2025-01-01T00:00:00Z');
    const state = new EmulatorState({ accountId: '123456789012', defaultRegion: 'us-east-1', now: () => new Date(now) });
    state.createCluster('demo');
    state.seedAccessEntry('demo', { principalArn: ROLE });
    state.setAssociationDelay(1000);
    expect(() => state.requireEntryForAssociation('demo', ROLE, 'AssociateAccessPolicy')).toThrow(expect.objectContaining({ name: 'ResourceNotFoundException' }));
    expect(state.requireEntryForAssociation('demo', ROLE, 'ListAssociatedAccessPolicies').principalArn).toBe(ROLE);
    now = new Date(now.getTime() + 1000);
    expect(state.requireEntryForAssociation('demo', ROLE, 'AssociateAccessPolicy').principalArn).toBe(ROLE);
  });

  it('rejects a quota that is not a whole number', () => {
    expect(() => frozenState().setEntryQuota(1.5)).toThrow(/whole number/);
  });
});
