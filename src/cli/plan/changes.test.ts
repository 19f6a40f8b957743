import { describe, expect, it } from 'vitest';
import type { DesiredEntry, ObservedEntry } from '../../eks/types.ts';
import { planOfEntry, scopeEffect } from './changes.ts';
import { exitCode } from './command.ts';
import type { PlanReport } from './model.ts';

const desired: DesiredEntry = {
  region: 'us-east-1', clusterName: 'demo', principalArn: 'arn:aws:iam::123456789012:role/dev', type: 'STANDARD',
  kubernetesGroups: ['devs'], tags: { team: 'a' }, accessPolicies: [{ policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', accessScope: { type: 'cluster', namespaces: [] } }],
};
const observed: ObservedEntry = { accessEntryArn: 'arn:x', principalArn: desired.principalArn, type: 'STANDARD', kubernetesGroups: ['devs'], username: 'u', tags: { team: 'a' } };
const none = { tagsToSet: {}, tagKeysToRemove: [] };

describe('the controller\'s plan, as changes and calls', () => {
  it('a create: every field, then each association, in the executor\'s order', () => {
    const plan = planOfEntry({ kind: 'create', recreate: false, principalId: null, policies: { associate: desired.accessPolicies ?? [], disassociate: [] } }, desired, { associated: null });
    expect(plan.action).toBe('create');
    expect(plan.calls).toEqual(['CreateAccessEntry', 'AssociateAccessPolicy']);
    expect(plan.changes).toContainEqual({ field: 'kubernetesGroups', action: 'add', item: 'devs', effect: 'grant' });
  });

  it('a sync with nothing to change is none; an adoption with nothing but its tags is still an adoption', () => {
    expect(planOfEntry({ kind: 'sync', adopt: false, principalId: undefined, changes: none, policies: null }, desired, { entry: observed, associated: null })).toMatchObject({ action: 'none', calls: [] });
    expect(planOfEntry({ kind: 'sync', adopt: true, principalId: undefined, changes: { ...none, tagsToSet: { 'eksaccess.dev/adopted': 'true' } }, policies: null }, desired, { entry: observed, associated: null })).toMatchObject({ action: 'adopt', calls: ['TagResource'] });
  });

  it('a username reset says it goes back to EKS\'s default', () => {
    const plan = planOfEntry({ kind: 'sync', adopt: false, principalId: undefined, changes: { ...none, update: { kubernetesGroups: ['devs'], fields: ['username'] } }, policies: null }, desired, { entry: observed, associated: null });
    expect(plan.changes).toEqual([{ field: 'username', action: 'change', before: 'u', after: "(EKS's default)" }]);
  });

  it.each([
    [{ type: 'namespace', namespaces: ['a'] }, { type: 'cluster', namespaces: [] }, 'grant'],
    [{ type: 'cluster', namespaces: [] }, { type: 'namespace', namespaces: ['a'] }, 'revoke'],
    [{ type: 'namespace', namespaces: ['a', 'b'] }, { type: 'namespace', namespaces: ['a'] }, 'revoke'],
    [{ type: 'namespace', namespaces: ['a'] }, { type: 'namespace', namespaces: ['b'] }, 'grant'],
  ] as const)('a scope %j → %j %ss', (before, after, effect) => {
    expect(scopeEffect({ ...before, namespaces: [...before.namespaces] }, { ...after, namespaces: [...after.namespaces] })).toBe(effect);
  });
});

describe('plan\'s exit status', () => {
  const report = (summary: Partial<PlanReport['summary']>, errors = 0): PlanReport =>
    ({ summary: { create: 0, update: 0, adopt: 0, delete: 0, none: 0, blocked: 0, invalid: 0, ...summary }, errors: Array.from({ length: errors }, () => ({ subject: 's', message: 'm' })) }) as unknown as PlanReport;
  it.each([
    ['nothing to do (blocked resources are not changes)', report({ none: 3, blocked: 1 }), 0],
    ['changes pending', report({ update: 1 }), 2],
    ['a deletion pending', report({ delete: 1 }), 2],
    ['a document the API server refuses', report({ create: 1, blocked: 1, invalid: 1 }), 1],
    ['an error', report({ create: 1 }, 1), 1],
  ])('%s', (_, given, code) => {
    expect(exitCode(given)).toBe(code);
  });
});
