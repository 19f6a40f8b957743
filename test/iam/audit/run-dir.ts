// Where one integration run's emulators write their IAM audit records, and how the audit step
// finds that run. `npm test` makes a fresh directory and passes it to both steps in
// EKS_IAM_AUDIT_RUN_DIR, so two runs at once never mix; run alone, the integration project makes
// its own under the system temp dir and records its path in .testenv/ for `npm run test:iam-audit`.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The run's directory, given by `npm test` to both steps. */
export const AUDIT_RUN_DIR_ENV = 'EKS_IAM_AUDIT_RUN_DIR';
/** What the emulator reads (its contract): each emulator appends to `<dir>/<pid>-<random>.jsonl`. */
export const EMULATOR_AUDIT_DIR_ENV = 'EKS_EMULATOR_AUDIT_DIR';

const LAST_RUN_FILE = fileURLToPath(new URL('../../../.testenv/iam-audit-last-run', import.meta.url));

/** Where a run is looked up: the process's environment and the repository's last-run file, unless a test says otherwise. */
export interface RunLookup {
  env: NodeJS.ProcessEnv;
  lastRunFile: string;
}
const DEFAULT_LOOKUP: RunLookup = { env: process.env, lastRunFile: LAST_RUN_FILE };
/** Written by the integration run's teardown: the records are complete. */
const FINISHED_MARKER = 'integration-run-finished';

/** For the integration run's global setup: a directory holding no records yet, made known to the emulators it starts. */
export function startAuditRun({ env, lastRunFile }: RunLookup = DEFAULT_LOOKUP): string {
  const given = env[AUDIT_RUN_DIR_ENV];
  const dir = given ?? mkdtempSync(join(tmpdir(), 'eks-iam-audit-'));
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) {
    throw new Error(`${AUDIT_RUN_DIR_ENV}=${dir} is not empty: it holds another run's IAM audit records. Give each run a fresh directory (npm test does).`);
  }
  env[EMULATOR_AUDIT_DIR_ENV] = dir;
  mkdirSync(dirname(lastRunFile), { recursive: true });
  writeFileSync(lastRunFile, `${dir}\n`);
  return dir;
}

export function finishAuditRun(dir: string): void {
  writeFileSync(join(dir, FINISHED_MARKER), `${new Date().toISOString()}\n`);
}

/** For the audit step: the finished run to audit, or why there is none. */
export function finishedAuditRun({ env, lastRunFile }: RunLookup = DEFAULT_LOOKUP): string {
  const given = env[AUDIT_RUN_DIR_ENV];
  const dir = given ?? (existsSync(lastRunFile) ? readFileSync(lastRunFile, 'utf8').trim() : undefined);
  if (!dir) throw new Error(`no integration run to audit: run npm test, or npm run test:integration before npm run test:iam-audit (or set ${AUDIT_RUN_DIR_ENV})`);
  if (!existsSync(join(dir, FINISHED_MARKER))) {
    throw new Error(`the integration run writing to ${dir} has not finished (or never started): run the audit after it`);
  }
  return dir;
}
