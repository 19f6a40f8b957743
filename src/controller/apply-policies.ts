import { EventReason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import { describeScope, policyName, type PolicyChanges } from '../eks/policy-diff.ts';
import type { AssociatedPolicy, EntryRef } from '../eks/types.ts';
import type { ChangeNote } from './apply.ts';

export interface PolicyInput {
  /** What is associated now (none for an entry just created). */
  associated: AssociatedPolicy[];
  changes: PolicyChanges;
  /** Policy ARNs the status listed before: removing one of those is the spec's doing, not drift. */
  known: ReadonlySet<string>;
}

export interface AppliedPolicies {
  /** The associations as the calls left them. */
  policies: AssociatedPolicy[];
  notes: ChangeNote[];
  error?: unknown;
}

/**
 * Makes the association calls the diff needs: removals first, so a permission granted outside
 * Git is gone before anything is added. A failed call stops the rest; what the earlier ones did
 * is returned with the error. An association nobody declared here is a permission someone granted
 * outside Git: its removal is a Warning Event naming it.
 */
export async function applyPolicies(gateway: AccessEntryGateway, ref: EntryRef, input: PolicyInput): Promise<AppliedPolicies> {
  let policies = [...input.associated];
  const notes: ChangeNote[] = [];
  try {
    for (const policy of input.changes.disassociate) {
      await gateway.disassociatePolicy(ref, policy.policyArn);
      policies = policies.filter((p) => p.policyArn !== policy.policyArn);
      notes.push(disassociated(policy, input.known.has(policy.policyArn)));
    }
    for (const policy of input.changes.associate) {
      const rescoped = policies.some((p) => p.policyArn === policy.policyArn);
      const result = await gateway.associatePolicy(ref, policy);
      policies = [...policies.filter((p) => p.policyArn !== policy.policyArn), result];
      notes.push({
        reason: EventReason.PolicyAssociated,
        message: `${rescoped ? 'Re-scoped' : 'Associated'} access policy ${policyName(policy.policyArn)} (${describeScope(policy.accessScope)})`,
      });
    }
  } catch (error) {
    return { policies: sorted(policies), notes, error };
  }
  return { policies: sorted(policies), notes };
}

function disassociated(policy: AssociatedPolicy, known: boolean): ChangeNote {
  const name = `${policyName(policy.policyArn)} (${describeScope(policy.accessScope)})`;
  return known
    ? { reason: EventReason.PolicyDisassociated, message: `Disassociated access policy ${name}: the spec no longer declares it` }
    : {
        reason: EventReason.PolicyDisassociated,
        message: `Removed access policy ${name}, which was associated outside this AccessEntry: spec.accessPolicies is the whole set`,
        warning: true,
      };
}

function sorted(policies: AssociatedPolicy[]): AssociatedPolicy[] {
  return [...policies].sort((a, b) => a.policyArn.localeCompare(b.policyArn));
}
