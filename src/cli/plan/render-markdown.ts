// plan as a pull-request comment: a summary line, then a table of what changes. Permissions granted
// and taken away carry a marker and bold type, so a reviewer sees them before anything else.
import { changeLines, skippedLine, summaryLine, type ChangeLine } from './describe.ts';
import type { PlanAction, PlanReport, ResourcePlan } from './model.ts';

/** The first line of every comment: CI finds its earlier comment by it, to update it rather than add another. */
export const COMMENT_MARKER = '<!-- eks-access-entries plan -->';

const ACTION_LABEL: Record<PlanAction, string> = {
  create: '🟢 create',
  update: '🟡 update',
  adopt: '🔵 adopt',
  delete: '🔴 delete',
  blocked: '⛔ **blocked**',
  none: 'unchanged',
};

export function renderMarkdown(report: PlanReport): string {
  const out = [COMMENT_MARKER, `### AccessEntry plan: ${summaryLine(report)}`, ''];
  const shown = report.resources.filter((plan) => plan.action !== 'none' || plan.reason !== undefined);
  if (shown.length > 0) {
    out.push('| | AccessEntry | Cluster | Principal | Changes |', '|---|---|---|---|---|');
    for (const plan of shown) out.push(row(plan));
    out.push('');
  } else out.push('No AccessEntry changes.', '');
  if (report.errors.length > 0) {
    out.push('**Errors** (the plan is incomplete):', '');
    for (const error of report.errors) out.push(`- ${cell(error.subject)}: ${cell(error.message)}`);
    out.push('');
  }
  const skipped = skippedLine(report);
  const details = [...report.notes, ...(skipped ? [skipped] : [])];
  out.push(`<sub>Controller id ${code(report.controllerId)} · validation: ${report.validation}${report.prune ? ' · with --prune' : ''} · ➕ grants access · ➖ takes access away</sub>`);
  if (details.length > 0) out.push('', '<details><summary>Notes</summary>', '', ...details.map((note) => `- ${cell(note)}`), '', '</details>');
  return `${out.join('\n')}\n`;
}

function row(plan: ResourcePlan): string {
  const where = [plan.region, plan.accountId].filter(Boolean).join(', ');
  const cluster = `${code(plan.cluster)}${where ? `<br><sub>${cell(where)}</sub>` : ''}`;
  return `| ${ACTION_LABEL[plan.action]} | ${code(plan.name)} | ${cluster} | ${code(plan.principalArn)} | ${changesCell(plan)} |`;
}

function changesCell(plan: ResourcePlan): string {
  const parts: string[] = [];
  if (plan.reason !== undefined || plan.message !== undefined) parts.push(`${plan.reason ? `**${plan.reason}**: ` : ''}${cell(plan.message ?? '')}`);
  parts.push(...changeLines(plan, code).map(changeItem));
  if (plan.action === 'blocked') parts.push(...(plan.issues ?? []).map((issue) => code(issue)));
  return parts.join('<br>') || '—';
}

function changeItem(line: ChangeLine): string {
  if (line.sentence) return line.text;
  if (line.effect === 'grant') return `➕ **grants ${line.text}**`;
  if (line.effect === 'revoke') return `➖ **removes ${line.text}**`;
  return `${line.sign === '-' ? 'removes' : line.sign === '+' ? 'sets' : 'changes'} ${line.text}`;
}

/** A code span that holds any text: as many backticks around it as it cannot contain. */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
  return `${fence}${padded.replaceAll('|', '\\|')}${fence}`;
}

/** Text in a table cell: pipes and line breaks would end it, HTML would be rendered. */
function cell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll(/\r?\n/g, ' ');
}
