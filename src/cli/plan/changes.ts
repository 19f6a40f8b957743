// The controller's plan for one entry (planReconcile), as the changes a reviewer reads and the EKS
// writes the controller will make for it (pure). The calls follow the executor's order: tags, the
// update, untags, then disassociations before associations (apply.ts, apply-policies.ts).
import { ADOPTED_TAG, RESERVED_CONTROLLER_TAG_PREFIX } from '../../api/names.ts';
import type { EntryChanges } from '../../eks/diff.ts';
import type { PolicyChanges } from '../../eks/policy-diff.ts';
import type { AccessScope, AssociatedPolicy, DesiredEntry, ObservedEntry } from '../../eks/types.ts';
import type { Observation, ReconcilePlan } from '../../controller/plan.ts';
import type { PlanAction, PlannedChange } from './model.ts';

export interface PlanOfEntry {
  action: Extract<PlanAction, 'create' | 'update' | 'adopt' | 'none'>;
  changes: PlannedChange[];
  calls: string[];
  /** A create of an entry the resource had, deleted outside the controller. */
  recreate?: boolean;
}

/** What a create, adopt, sync or heal plan changes, then the previous principal's entry it retires; a refusal is the caller's (it is blocked). */
export function planOfEntry(plan: Exclude<ReconcilePlan, { kind: 'refuse' }>, desired: DesiredEntry, observation: Observation): PlanOfEntry {
  const planned = planOfKind(plan, desired, observation);
  const retired = retirement(plan);
  if (retired.calls.length === 0) return planned;
  const action = planned.action === 'none' ? 'update' : planned.action;
  return { ...planned, action, changes: [...planned.changes, ...retired.changes], calls: [...planned.calls, ...retired.calls] };
}

function planOfKind(plan: Exclude<ReconcilePlan, { kind: 'refuse' }>, desired: DesiredEntry, observation: Observation): PlanOfEntry {
  switch (plan.kind) {
    case 'create': {
      const policies = policyChanges(plan.policies, []);
      return { action: 'create', changes: [...createdFields(desired), ...policies.changes], calls: ['CreateAccessEntry', ...policies.calls], ...(plan.recreate ? { recreate: true } : {}) };
    }
    case 'heal': {
      // The principal was re-created: the entry is deleted and made anew for its new id (the executor's order: heal.ts).
      const policies = policyChanges(plan.policies, []);
      const entryArn = observation.entry?.accessEntryArn ?? '';
      const rebound: PlannedChange = { field: 'entry', action: 'change', item: entryArn, before: `principal id ${plan.boundTo ?? '(unknown)'}`, after: `principal id ${plan.principalId}`, effect: 'grant' };
      const calls = [...(plan.claim ? ['TagResource'] : []), 'DeleteAccessEntry', 'CreateAccessEntry', ...policies.calls];
      return { action: 'update', changes: [rebound, ...policies.changes], calls };
    }
    case 'sync': {
      const entry = entryChanges(plan.changes, observation.entry);
      const policies = policyChanges(plan.policies, observation.associated ?? []);
      const changes = [...entry.changes, ...policies.changes];
      const calls = [...entry.calls, ...policies.calls];
      if (plan.adopt) return { action: 'adopt', changes, calls };
      return { action: calls.length > 0 ? 'update' : 'none', changes, calls };
    }
  }
}

/** The entry of the principal the resource had before (a permission set re-provisioned), removed once the new one is in place. */
function retirement(plan: Exclude<ReconcilePlan, { kind: 'refuse' }>): { changes: PlannedChange[]; calls: string[] } {
  const entry = plan.retire?.entry;
  if (entry === undefined) return { changes: [], calls: [] };
  if (entry.tags[ADOPTED_TAG] === 'true') return { changes: [{ field: 'entry', action: 'handBack', item: entry.accessEntryArn }], calls: ['UntagResource'] };
  return { changes: [{ field: 'entry', action: 'remove', item: entry.accessEntryArn, effect: 'revoke' }], calls: ['DeleteAccessEntry'] };
}

/** Every field a new entry gets. */
function createdFields(desired: DesiredEntry): PlannedChange[] {
  const changes: PlannedChange[] = [];
  if (desired.type !== 'STANDARD') changes.push({ field: 'type', action: 'add', after: desired.type });
  for (const group of desired.kubernetesGroups) changes.push({ field: 'kubernetesGroups', action: 'add', item: group, effect: 'grant' });
  if (desired.username !== undefined) changes.push({ field: 'username', action: 'add', after: desired.username });
  for (const [key, value] of sortedEntries(desired.tags)) changes.push({ field: 'tags', action: 'add', item: key, after: value });
  return changes;
}

function entryChanges(changes: EntryChanges, observed: ObservedEntry | undefined): { changes: PlannedChange[]; calls: string[] } {
  const list: PlannedChange[] = [];
  const calls: string[] = [];
  const before = observed?.tags ?? {};
  if (Object.keys(changes.tagsToSet).length > 0) {
    calls.push('TagResource');
    for (const [key, value] of sortedEntries(changes.tagsToSet)) {
      list.push(key in before ? { field: 'tags', action: 'change', item: key, before: before[key] ?? '', after: value } : { field: 'tags', action: 'add', item: key, after: value });
    }
  }
  if (changes.update) {
    calls.push('UpdateAccessEntry');
    list.push(...updateChanges(changes.update, observed));
  }
  if (changes.tagKeysToRemove.length > 0) {
    calls.push('UntagResource');
    for (const key of changes.tagKeysToRemove) list.push({ field: 'tags', action: 'remove', item: key, before: before[key] ?? '' });
  }
  return { changes: list, calls };
}

function updateChanges(update: NonNullable<EntryChanges['update']>, observed: ObservedEntry | undefined): PlannedChange[] {
  const list: PlannedChange[] = [];
  if (update.fields.includes('kubernetesGroups')) {
    const now = new Set(observed?.kubernetesGroups ?? []);
    const next = new Set(update.kubernetesGroups);
    for (const group of [...next].sort()) if (!now.has(group)) list.push({ field: 'kubernetesGroups', action: 'add', item: group, effect: 'grant' });
    for (const group of [...now].sort()) if (!next.has(group)) list.push({ field: 'kubernetesGroups', action: 'remove', item: group, effect: 'revoke' });
  }
  if (update.fields.includes('username')) {
    // No username in the update gives the entry EKS's default back.
    list.push({ field: 'username', action: 'change', before: observed?.username ?? '', after: update.username ?? EKS_DEFAULT_USERNAME });
  }
  return list;
}

/** What an update without a username leaves: the username EKS gives every entry that names none. */
export const EKS_DEFAULT_USERNAME = "(EKS's default)";

function policyChanges(changes: PolicyChanges | null, associated: readonly AssociatedPolicy[]): { changes: PlannedChange[]; calls: string[] } {
  if (changes === null) return { changes: [], calls: [] };
  const current = new Map(associated.map((policy) => [policy.policyArn, policy.accessScope]));
  const list: PlannedChange[] = [];
  for (const policy of changes.disassociate) list.push({ field: 'accessPolicies', action: 'remove', item: policy.policyArn, before: policy.accessScope, effect: 'revoke' });
  for (const policy of changes.associate) {
    const before = current.get(policy.policyArn);
    list.push(
      before === undefined
        ? { field: 'accessPolicies', action: 'add', item: policy.policyArn, after: policy.accessScope, effect: 'grant' }
        : { field: 'accessPolicies', action: 'change', item: policy.policyArn, before, after: policy.accessScope, effect: scopeEffect(before, policy.accessScope) },
    );
  }
  const calls = [...changes.disassociate.map(() => 'DisassociateAccessPolicy'), ...changes.associate.map(() => 'AssociateAccessPolicy')];
  return { changes: list, calls };
}

/** A scope that reaches anything the old one did not grants; one that only narrows revokes. */
export function scopeEffect(before: AccessScope, after: AccessScope): 'grant' | 'revoke' {
  if (after.type === 'cluster') return before.type === 'cluster' ? 'revoke' : 'grant';
  if (before.type === 'cluster') return 'revoke';
  const old = new Set(before.namespaces);
  return after.namespaces.some((namespace) => !old.has(namespace)) ? 'grant' : 'revoke';
}

/** Tags the controller keeps for itself (ownership, adoption): shown in JSON, summarised for people. */
export function isControllerTag(key: string): boolean {
  return key.startsWith(RESERVED_CONTROLLER_TAG_PREFIX);
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
