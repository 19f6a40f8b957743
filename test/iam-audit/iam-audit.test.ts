// The iam-audit project, run by `npm test` after the integration project: every AWS call the
// controller made anywhere in the integration suite, as the emulator recorded what IAM would
// see, must be allowed by the shipped policy (rules in test/iam/audit/audit.ts).
import { rmSync } from 'node:fs';
import { expect, it } from 'vitest';
import { auditCalls, requireControllerCalls } from '../iam/audit/audit.ts';
import { selectControllerCalls } from '../iam/audit/calls.ts';
import { readAuditLog } from '../iam/audit/records.ts';
import { denialReport, summary } from '../iam/audit/report.ts';
import { finishedAuditRun } from '../iam/audit/run-dir.ts';

it('allows every AWS call the controller made in the integration suite', async () => {
  const dir = finishedAuditRun();
  const log = readAuditLog(dir);
  const selection = selectControllerCalls(log.records);
  requireControllerCalls(log, selection, dir);
  const result = await auditCalls(selection);
  process.stdout.write(`${summary(log, selection, result)}\n  records: ${dir}\n`);
  if (result.denials.length > 0) expect.fail(`${denialReport(result)}\n\n(records kept in ${dir})`);
  rmSync(dir, { recursive: true, force: true });
});
