// A planned change in words, for the text and markdown renderings alike (pure). `code` marks
// values: nothing on a terminal, backticks in markdown.
import { describeScope, policyName } from '../../eks/policy-diff.ts';
import type { AccessScope } from '../../eks/types.ts';
import { shown } from './applied.ts';
import { isControllerTag } from './changes.ts';
import type { PlanAction, PlannedChange, PlanReport, ResourcePlan } from './model.ts';
import { Verb } from './messages.ts';

export type Code = (text: string) => string;

export interface ChangeLine {
  sign: '+' | '-' | '~';
  text: string;
  effect?: 'grant' | 'revoke';
  /** A sentence of its own, read without a verb before it. */
  sentence?: true;
}

/** The lines a resource's changes read as: the controller's own tags summed up in one. */
export function changeLines(plan: ResourcePlan, code: Code): ChangeLine[] {
  const own = plan.changes.filter((change) => change.field === 'tags' && change.item !== undefined && isControllerTag(change.item));
  const lines = plan.changes.filter((change) => !own.includes(change)).map((change) => changeLine(change, code));
  if (own.length > 0) {
    const keys = own.map((change) => code(change.item ?? '')).join(', ');
    const sign = own.every((change) => change.action === 'remove') ? '-' : own.every((change) => change.action === 'add') ? '+' : '~';
    lines.push({ sign, text: `controller tags ${keys}` });
  }
  return lines;
}

function changeLine(change: PlannedChange, code: Code): ChangeLine {
  const sign = change.action === 'add' ? '+' : change.action === 'change' ? '~' : '-';
  const effect = change.effect ? { effect: change.effect } : {};
  return { sign, text: changeText(change, code), ...effect, ...(change.action === 'handBack' ? { sentence: true as const } : {}) };
}

function changeText(change: PlannedChange, code: Code): string {
  const item = change.item ?? '';
  const before = (): string => code(shown(change.before));
  const after = (): string => code(shown(change.after));
  switch (change.field) {
    case 'type':
      return `type ${after()}`;
    case 'kubernetesGroups':
      return `group ${code(item)}`;
    case 'username':
      return change.action === 'add' ? `username ${after()}` : `username ${before()} → ${after()}`;
    case 'tags':
      return tagText(change, code(item), before, after);
    case 'accessPolicies':
      return change.action === 'change'
        ? `policy ${code(policyName(item))}: ${scope(change.before, code)} → ${scope(change.after, code)}`
        : `policy ${code(policyName(item))} (${scope(change.action === 'add' ? change.after : change.before, code)})`;
    case 'entry':
      return change.action === 'handBack' ? `hands the entry back: this controller's tags are removed, the entry and its access stay in EKS` : `entry ${code(item)}`;
  }
}

function tagText(change: PlannedChange, key: string, before: () => string, after: () => string): string {
  if (change.action === 'add') return `tag ${key} = ${after()}`;
  if (change.action === 'change') return `tag ${key}: ${before()} → ${after()}`;
  return `tag ${key}`;
}

function scope(value: string | AccessScope | undefined, code: Code): string {
  if (value === undefined || typeof value === 'string') return value ?? '';
  return value.type === 'cluster' ? 'cluster-wide' : `namespaces ${value.namespaces.map(code).join(', ')}`;
}

/** `1 to create, 2 to update, 1 blocked (1 invalid), 4 unchanged`: the actions present, in a fixed order. */
export function summaryLine(report: PlanReport): string {
  const order: PlanAction[] = ['create', 'update', 'adopt', 'delete', 'blocked', 'none'];
  const parts = order
    .filter((action) => report.summary[action] > 0)
    .map((action) => `${report.summary[action]} ${Verb[action]}${action === 'blocked' && report.summary.invalid > 0 ? ` (${report.summary.invalid} invalid)` : ''}`);
  const errors = report.errors.length > 0 ? `, ${report.errors.length} error${report.errors.length === 1 ? '' : 's'}` : '';
  return parts.length === 0 ? `no AccessEntries${errors}` : `${parts.join(', ')}${errors}`;
}

export function hasChanges(report: PlanReport): boolean {
  return report.summary.create + report.summary.update + report.summary.adopt + report.summary.delete > 0;
}

export function skippedLine(report: PlanReport): string | undefined {
  if (report.skipped.total === 0) return undefined;
  const kinds = Object.entries(report.skipped.byKind).sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `${n} ${kind}`);
  const documents = report.skipped.total === 1 ? '1 document that is not an AccessEntry' : `${report.skipped.total} documents that are not AccessEntries`;
  return `skipped ${documents} (${kinds.join(', ')})`;
}

export { describeScope };
