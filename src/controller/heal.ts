// The two ways an entry is replaced rather than edited, because EKS keys and binds entries by
// principal: a principal deleted and created again under the same ARN (re-create the entry for its
// new id), and a permission set provisioned again as a new role (the new role's entry is created
// first, then the old one removed, so access never lapses).
import { ADOPTED_TAG, MANAGED_BY_TAG, OWNER_TAG } from '../api/names.ts';
import { EventReason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import type { DesiredEntry, ObservedEntry } from '../eks/types.ts';
import type { ChangeNote } from './apply.ts';
import type { ReconcilePlan, Retirement } from './plan.ts';
import { recreatedWhat } from './principal-verdict.ts';

export interface HealInput {
  desired: DesiredEntry;
  observed: ObservedEntry;
  plan: Extract<ReconcilePlan, { kind: 'heal' }>;
  token: string;
}

/**
 * Deletes the entry EKS bound to the old id and creates it again with the same groups, username
 * and tags: EKS binds the new one to the principal as it is now. The moment between the two calls
 * costs no access: the old entry let nobody in. Throws when a call fails (the next reconcile finds
 * the entry gone and creates it).
 */
export async function healEntry(gateway: AccessEntryGateway, { desired, observed, plan, token }: HealInput): Promise<{ entry: ObservedEntry; note: ChangeNote }> {
  if (plan.claim) await gateway.tag(desired, observed.accessEntryArn, plan.claim);
  await gateway.delete(desired);
  const entry = await gateway.create({ ...desired, tags: plan.tags }, token);
  const message =
    `${recreatedWhat(observed, plan)}, so EKS refused every login of it: deleted the access entry and created it again for ` +
    `id ${plan.principal.id}, with the same groups, username, tags and access policies (${entry.accessEntryArn})`;
  return { entry, note: { reason: EventReason.PrincipalRecreated, message, warning: true } };
}

export interface RetireInput {
  desired: DesiredEntry;
  retirement: Retirement;
  permissionSet: string | undefined;
}

/**
 * Removes the entry of the principal the resource had before, now that the new one is in place:
 * deleted if this resource created it, handed back (its tags removed) if it adopted it.
 */
export async function retireEntry(gateway: AccessEntryGateway, { desired, retirement, permissionSet }: RetireInput): Promise<ChangeNote> {
  const { principalArn, entry } = retirement;
  const moved = `${permissionSet ? `Permission set ${permissionSet} now resolves to` : 'The principal is now'} ${desired.principalArn}, whose access entry is in place`;
  if (entry === undefined) return { reason: EventReason.PermissionSetReprovisioned, message: `${moved}; the entry of ${principalArn}, the role before, was already gone or is not this resource's` };
  const ref = { ...desired, principalArn };
  if (entry.tags[ADOPTED_TAG] === 'true') {
    await gateway.untag(ref, entry.accessEntryArn, [MANAGED_BY_TAG, OWNER_TAG, ADOPTED_TAG]);
    return { reason: EventReason.PermissionSetReprovisioned, message: `${moved}; then handed back the adopted entry of ${principalArn}, the role before (its tags removed)` };
  }
  await gateway.delete(ref);
  return { reason: EventReason.PermissionSetReprovisioned, message: `${moved}; then deleted the entry of ${principalArn}, the role before: access never lapsed` };
}
