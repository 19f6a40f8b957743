import { describe, expect, it } from 'vitest';
import { diffEntry, hasChanges } from './diff.ts';
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
const unmanaged = { managedTagKeys: ['team'] };

describe('diffEntry', () => {
  it('finds nothing when groups match in another order and the username is left to EKS', () => {
    expect(hasChanges(diffEntry(base, observed, unmanaged))).toBe(false);
  });

  it.each([
    ['a group added', { kubernetesGroups: ['dev', 'view', 'edit'] }, { kubernetesGroups: ['dev', 'edit', 'view'], username: observed.username, fields: ['kubernetesGroups'] }],
    ['all groups removed', { kubernetesGroups: [] }, { kubernetesGroups: [], username: observed.username, fields: ['kubernetesGroups'] }],
    ['a username set', { username: 'alice' }, { kubernetesGroups: ['dev', 'view'], username: 'alice', fields: ['username'] }],
  ])('sends complete groups and username when %s', (_case, change, update) => {
    expect(diffEntry({ ...base, ...change }, observed, unmanaged).update).toEqual(update);
  });

  it('resets a username this resource set once the spec drops it, leaving it out of the update', () => {
    const changes = diffEntry(base, { ...observed, username: 'alice' }, { managedTagKeys: [], managedUsername: 'alice' });
    expect(changes.update).toEqual({ kubernetesGroups: ['dev', 'view'], fields: ['username'] });
  });

  it('never resets a username it did not set', () => {
    expect(diffEntry(base, { ...observed, username: 'set-by-a-person' }, unmanaged).update).toBeUndefined();
  });

  it('never diffs the groups or username EKS reports on node entries', () => {
    const node: DesiredEntry = { ...base, type: 'EC2_LINUX', kubernetesGroups: [] };
    const changes = diffEntry(node, { ...observed, type: 'EC2_LINUX', kubernetesGroups: ['system:nodes'] }, { managedTagKeys: ['team'], managedUsername: 'x' });
    expect(changes.update).toBeUndefined();
  });

  it('sets changed and new tags, and removes only keys it managed before', () => {
    const changes = diffEntry(
      { ...base, tags: { team: 'b', env: 'prod' } },
      { ...observed, tags: { team: 'a', old: 'x', foreign: 'y' } },
      { managedTagKeys: ['team', 'old'] },
    );
    expect(changes.tagsToSet).toEqual({ team: 'b', env: 'prod' });
    expect(changes.tagKeysToRemove).toEqual(['old']);
  });

  it('does not try to remove a managed tag that is already gone', () => {
    expect(diffEntry(base, observed, { managedTagKeys: ['team', 'gone'] }).tagKeysToRemove).toEqual([]);
  });
});
