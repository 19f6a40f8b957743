// report as text (aligned columns), CSV (RFC 4180) and markdown; JSON is the model itself.
import { describeScope, policyName } from '../../eks/policy-diff.ts';
import type { AccessReport, ReportedEntry } from './model.ts';

const HEADERS = ['cluster', 'region', 'account', 'principalArn', 'type', 'groups', 'username', 'policies', 'managedBy'] as const;

function columns(entry: ReportedEntry): string[] {
  return [entry.cluster, entry.region, entry.account, entry.principalArn, entry.type, entry.groups.join(' '), entry.username, policiesText(entry), managedByText(entry)];
}

function policiesText(entry: ReportedEntry): string {
  if (entry.policies === null) return '';
  return entry.policies.map((policy) => `${policyName(policy.policyArn)} (${describeScope(policy.accessScope)})`).join('; ');
}

export function managedByText(entry: ReportedEntry): string {
  if (entry.managedBy === 'nobody') return 'nobody';
  const owner = entry.accessEntry ? ` (AccessEntry ${entry.accessEntry})` : '';
  return entry.managedBy === 'this-controller' ? `this controller${owner}` : `controller ${entry.controllerId ?? ''}${owner}`;
}

export function renderText(report: AccessReport): string {
  const rows = [HEADERS.map((header) => header.toUpperCase()), ...report.entries.map(columns)];
  const widths = HEADERS.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length)));
  return `${rows.map((row) => row.map((value, index) => (index === row.length - 1 ? value : value.padEnd(widths[index] ?? 0))).join('  ').trimEnd()).join('\n')}\n`;
}

export function renderCsv(report: AccessReport): string {
  const quote = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return [HEADERS.join(','), ...report.entries.map((entry) => columns(entry).map(quote).join(','))].map((line) => `${line}\r\n`).join('');
}

export function renderMarkdown(report: AccessReport): string {
  const cell = (value: string): string => (value === '' ? '' : `\`${value.replaceAll('|', '\\|').replaceAll('`', "'")}\``);
  const lines = [
    `### Access entries: ${report.entries.length} on ${report.clusters.filter((c) => c.error === undefined).length} cluster(s)`,
    '',
    '| Cluster | Region | Account | Principal | Type | Groups | Username | Policies | Managed by |',
    '|---|---|---|---|---|---|---|---|---|',
    ...report.entries.map((entry) => `| ${columns(entry).map((value, index) => (index === 8 ? value.replaceAll('|', '\\|') : cell(value))).join(' | ')} |`),
  ];
  const unreachable = report.clusters.filter((cluster) => cluster.error !== undefined);
  if (unreachable.length > 0) lines.push('', '**Not reached:**', ...unreachable.map((c) => `- ${c.cluster} in ${c.region}: ${(c.error ?? '').replaceAll('|', '\\|')}`));
  return `${lines.join('\n')}\n`;
}
