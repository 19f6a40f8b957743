import type { AccessScope, AssociatedPolicy, DesiredPolicy } from './types.ts';

/** The association calls that make an entry's policies the declared set. */
export interface PolicyChanges {
  /** New policies, and policies whose scope differs (AssociateAccessPolicy replaces the scope). */
  associate: DesiredPolicy[];
  /** Associated policies the spec does not declare. */
  disassociate: AssociatedPolicy[];
}

export const NO_POLICY_CHANGES: PolicyChanges = { associate: [], disassociate: [] };

export function hasPolicyChanges(changes: PolicyChanges): boolean {
  return changes.associate.length > 0 || changes.disassociate.length > 0;
}

/** The declared set wins: what is associated and not declared goes, whoever associated it. */
export function diffPolicies(desired: readonly DesiredPolicy[], associated: readonly AssociatedPolicy[]): PolicyChanges {
  const current = new Map(associated.map((policy) => [policy.policyArn, policy]));
  const declared = new Set(desired.map((policy) => policy.policyArn));
  return {
    associate: desired.filter((policy) => {
      const existing = current.get(policy.policyArn);
      return existing === undefined || !sameScope(existing.accessScope, policy.accessScope);
    }),
    disassociate: associated.filter((policy) => !declared.has(policy.policyArn)),
  };
}

export function sameScope(a: AccessScope, b: AccessScope): boolean {
  if (a.type !== b.type) return false;
  const left = new Set(a.namespaces);
  return left.size === new Set(b.namespaces).size && b.namespaces.every((namespace) => left.has(namespace));
}

/** The short name of a policy ARN (arn:aws:eks::aws:cluster-access-policy/NAME), for people. */
export function policyName(policyArn: string): string {
  return policyArn.slice(policyArn.lastIndexOf('/') + 1);
}

export function describeScope(scope: AccessScope): string {
  return scope.type === 'cluster' ? 'cluster-wide' : `namespaces ${scope.namespaces.join(', ')}`;
}
