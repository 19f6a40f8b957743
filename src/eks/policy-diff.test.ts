import { describe, expect, it } from 'vitest';
import { diffPolicies, hasPolicyChanges, policyName } from './policy-diff.ts';
import type { AssociatedPolicy, DesiredPolicy } from './types.ts';

const arn = (name: string): string => `arn:aws:eks::aws:cluster-access-policy/${name}`;
const cluster = (name: string): DesiredPolicy => ({ policyArn: arn(name), accessScope: { type: 'cluster', namespaces: [] } });
const namespaced = (name: string, ...namespaces: string[]): DesiredPolicy => ({ policyArn: arn(name), accessScope: { type: 'namespace', namespaces } });
const associated = (policy: DesiredPolicy): AssociatedPolicy => ({ ...policy, associatedAt: new Date(0) });

describe('diffPolicies', () => {
  it.each<[string, DesiredPolicy[], AssociatedPolicy[], [string[], string[]]]>([
    ['nothing declared, nothing associated', [], [], [[], []]],
    ['in sync, namespaces in another order', [namespaced('View', 'b', 'a')], [associated(namespaced('View', 'a', 'b'))], [[], []]],
    ['a new policy', [cluster('Admin')], [], [['Admin'], []]],
    ['a namespace added to the scope', [namespaced('View', 'a', 'b')], [associated(namespaced('View', 'a'))], [['View'], []]],
    ['a scope widened to the cluster outside Git', [namespaced('View', 'a')], [associated(cluster('View'))], [['View'], []]],
    ['a policy removed from the spec, or associated outside Git', [cluster('View')], [associated(cluster('View')), associated(cluster('ClusterAdmin'))], [[], ['ClusterAdmin']]],
    ['an empty declared set: everything goes', [], [associated(cluster('View')), associated(namespaced('Edit', 'x'))], [[], ['View', 'Edit']]],
  ])('%s', (_label, desired, current, [associate, disassociate]) => {
    const changes = diffPolicies(desired, current);
    expect(changes.associate.map((p) => policyName(p.policyArn))).toEqual(associate);
    expect(changes.disassociate.map((p) => policyName(p.policyArn))).toEqual(disassociate);
    expect(hasPolicyChanges(changes)).toBe(associate.length + disassociate.length > 0);
  });
});
