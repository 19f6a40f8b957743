// plan for a terminal: what changes, resource by resource, then the summary. Colour only when
// stdout is a terminal (and NO_COLOR is unset): piped, it is plain text.
import { styleText } from 'node:util';
import type { PlanAction, PlanReport, ResourcePlan } from './model.ts';
import { changeLines, skippedLine, summaryLine } from './describe.ts';

type Style = Parameters<typeof styleText>[0];

const ACTION_STYLE: Record<PlanAction, Style> = { create: 'green', update: 'yellow', adopt: 'cyan', delete: 'red', blocked: ['red', 'bold'], none: 'dim' };
const ACTION_SIGN: Record<PlanAction, string> = { create: '+', update: '~', adopt: '±', delete: '-', blocked: '!', none: ' ' };

export function renderText(report: PlanReport, colour: boolean): string {
  const paint = (style: Style, text: string): string => (colour ? styleText(style, text, { validateStream: false }) : text);
  const out: string[] = [`Plan of AccessEntries for controller id ${report.controllerId} (validation: ${report.validation}${report.prune ? ', with --prune' : ''})`, ''];
  const shown = report.resources.filter((plan) => plan.action !== 'none' || plan.reason !== undefined);
  for (const plan of shown) out.push(...resourceLines(plan, paint));
  if (shown.length > 0) out.push('');
  for (const error of report.errors) out.push(paint(['red', 'bold'], `error: ${error.subject}: ${error.message}`));
  for (const note of report.notes) out.push(`note: ${note}`);
  const skipped = skippedLine(report);
  if (skipped) out.push(`note: ${skipped}`);
  out.push('', paint('bold', `Plan: ${summaryLine(report)}.`));
  return `${out.join('\n')}\n`;
}

function resourceLines(plan: ResourcePlan, paint: (style: Style, text: string) => string): string[] {
  const where = [plan.region, plan.accountId].filter(Boolean).join(', ');
  const head = `${ACTION_SIGN[plan.action]} ${plan.action.padEnd(7)} ${plan.name}  cluster ${plan.cluster}${where ? ` (${where})` : ''}  ${plan.principalArn}`;
  const lines = [paint(ACTION_STYLE[plan.action], head)];
  if (plan.reason !== undefined || plan.message !== undefined) lines.push(`      ${plan.reason ? `${plan.reason}: ` : ''}${plan.message ?? ''}`);
  for (const change of changeLines(plan, (text) => text)) {
    const text = `      ${change.sign} ${change.text}${change.effect ? `  (${change.effect})` : ''}`;
    lines.push(change.effect ? paint(EFFECT_STYLE[change.effect], text) : text);
  }
  const prefix = plan.action === 'blocked' ? '' : 'warning: ';
  for (const issue of plan.issues ?? []) lines.push(`      ${prefix}${issue}`);
  return lines;
}

const EFFECT_STYLE: Record<'grant' | 'revoke', Style> = { grant: 'green', revoke: 'red' };
