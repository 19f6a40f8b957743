import { describe, expect, it } from 'vitest';
import { isEmptyPlan, planChanges } from './diff.ts';
import type { DesiredEntry, ObservedEntry } from './types.ts';

const ROLE = 'arn:aws:iam::123456789012:role/dev';
const base: DesiredEntry = {
  region: 'us-east-1',
  clusterName: 'demo',
  principalArn: ROLE,
  type: 'STANDARD',
  kubernetesGroups: ['dev', 'view'],
  tags: { team: 'a' },
};
const observed: ObservedEntry = {
  accessEntryArn: 'arn:aws:eks:us-east-1:123456789012:access-entry/demo/role/123456789012/dev/abc',
  principalArn: ROLE,
  type: 'STANDARD',
  kubernetesGroups: ['view', 'dev'],
  username: 'arn:aws:sts::123456789012:assumed-role/dev/{{SessionName}}',
  tags: { team: 'a' },
};

describe('planChanges', () => {
  it('plans nothing when groups match in another order and the username is left to EKS', () => {
    expect(isEmptyPlan(planChanges(base, observed, ['team']))).toBe(true);
  });

  it.each([
    ['a group added', { kubernetesGroups: ['dev', 'view', 'edit'] }, ['dev', 'edit', 'view'], observed.username],
    ['all groups removed', { kubernetesGroups: [] }, [], observed.username],
    ['a username set', { username: 'alice' }, ['dev', 'view'], 'alice'],
  ])('sends complete groups and username when %s', (_case, change, groups, username) => {
    const plan = planChanges({ ...base, ...change }, observed, []);
    expect(plan.update).toEqual({ kubernetesGroups: groups, username });
  });

  it('never diffs the groups EKS reports on node entries', () => {
    const node: DesiredEntry = { ...base, type: 'EC2_LINUX', kubernetesGroups: [] };
    const plan = planChanges(node, { ...observed, type: 'EC2_LINUX', kubernetesGroups: ['system:nodes'] }, ['team']);
    expect(plan.update).toBeUndefined();
  });

  it('sets changed and new tags, and removes only keys it managed before', () => {
    const plan = planChanges(
      { ...base, tags: { team: 'b', env: 'prod' } },
      { ...observed, tags: { team: 'a', old: 'x', foreign: 'y' } },
      ['team', 'old'],
    );
    expect(plan.tagsToSet).toEqual({ team: 'b', env: 'prod' });
    expect(plan.tagKeysToRemove).toEqual(['old']);
  });

  it('does not try to remove a managed tag that is already gone', () => {
    const plan = planChanges(base, observed, ['team', 'gone']);
    expect(plan.tagKeysToRemove).toEqual([]);
  });
});
