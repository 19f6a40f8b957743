// What the IAM audit prints: how much it evaluated and how, and each call IAM would deny, with
// what IAM would see and the statement that came closest to allowing it.
import type { AuditResult, Denial } from './audit.ts';
import type { IdSource, Selection } from './calls.ts';
import type { AuditLog } from './records.ts';

const ID_SOURCES: Record<IdSource, string> = {
  'user-agent': 'from the user agent',
  request: "from the call's own request",
  entry: "from the entry's tags",
  none: 'none shown',
};

export function summary(log: AuditLog, selection: Selection, result: AuditResult): string {
  const ids = result.idSources;
  return [
    `IAM audit: ${result.evaluated} controller calls evaluated (${result.distinct} distinct requests) from ${log.records.length} records in ${log.files.length} files;`,
    `  left out: ${selection.byTests} calls the tests made themselves (${selection.assumeRoleByTests} sts:AssumeRole), ` +
      `${selection.needingNoPermission} sts:GetCallerIdentity (needs no permission), ${selection.onMissingEntries} calls on entries that did not exist;`,
    `  controller id from the user agent ${ids['user-agent']}, from the call's own request ${ids.request}, from the entry's tags ${ids.entry}, none shown ${ids.none};`,
    `  ${result.claims} claims judged with the adoption policy attached, ${result.implied} implied iam:PassRole checks;`,
    `  ${result.denials.length === 0 ? 'every call allowed' : `${result.denials.length} distinct requests denied`}.`,
  ].join('\n');
}

export function denialReport(result: AuditResult): string {
  const total = result.denials.reduce((sum, denial) => sum + denial.count, 0);
  return [
    `${total} controller calls (${result.denials.length} distinct requests) would be denied by the shipped IAM policies:`,
    ...result.denials.map(describe),
  ].join('\n\n');
}

function describe({ call, count, decision, policies }: Denial): string {
  const { request, record } = call;
  const answered = record.status === 0 ? 'unanswered' : `answered ${record.status}${record.error ? ` ${record.error}` : ''}`;
  const context = Object.entries(request.context).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return [
    `- ${request.action} on ${request.resource}${call.impliedBy ? ` (implied by ${call.impliedBy})` : ''}`,
    `  ${count} call${count === 1 ? '' : 's'}, first at ${call.at} (${answered}), by ${request.principal}`,
    `  controller id: ${call.controllerId === undefined ? 'none shown' : `${call.controllerId} (${ID_SOURCES[call.idSource]})`}; judged under ${policies.join(' + ')}`,
    `  context: ${context.length > 0 ? context.join(', ') : '(none)'}`,
    `  ${decision.result}: ${decision.explanation}`,
  ].join('\n');
}
