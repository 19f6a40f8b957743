// The emulator's IAM audit records (the contract in /work/contract-audit.md): one JSON object
// per line of `<dir>/<pid>-<random>.jsonl`, one line per call answered, with what IAM's
// authorizer would see. Read strictly: a record this code cannot take as IAM would see it is an
// error naming its file and line, never skipped.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecord as EmulatorAuditRecord } from '../../../src/emulator/index.ts';

export interface AuditRecord {
  time: string;
  service: 'eks' | 'sts' | 'iam';
  action: string;
  resourceArn: string;
  accountId: string;
  region: string;
  callerArn: string;
  userAgent?: string;
  status: number;
  error?: string;
  requestTags?: Record<string, string>;
  tagKeys?: string[];
  resourceTags?: Record<string, string>;
  principalArn?: string;
  accessEntryType?: string;
  kubernetesGroups?: string[];
  username?: string;
  clusterName?: string;
  policyArn?: string;
  accessScope?: { type: string; namespaces?: string[] };
  roleSessionName?: string;
  externalId?: string;
}

/** Fails to compile when the emulator writes a record this reader's type does not describe. */
const _producerFitsReader: EmulatorAuditRecord extends AuditRecord ? true : never = true;

/** A record and where it was read, for the report. */
export interface LocatedRecord {
  record: AuditRecord;
  at: string;
}

export interface AuditLog {
  files: string[];
  records: LocatedRecord[];
}

type Check = (value: unknown) => boolean;
const isString: Check = (value) => typeof value === 'string';
const isStrings: Check = (value) => Array.isArray(value) && value.every(isString);
const isStringMap: Check = (value) => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isString);
const isScope: Check = (value) => {
  const scope = value as { type?: unknown; namespaces?: unknown } | null;
  return typeof scope === 'object' && scope !== null && isString(scope.type) && (scope.namespaces === undefined || isStrings(scope.namespaces));
};

const REQUIRED: Record<string, Check> = {
  time: isString,
  service: (value) => value === 'eks' || value === 'sts' || value === 'iam',
  action: (value) => isString(value) && /^(eks|sts|iam):[A-Za-z]+$/.test(value as string),
  resourceArn: isString,
  accountId: isString,
  region: isString,
  callerArn: isString,
  status: (value) => Number.isInteger(value),
};
const OPTIONAL: Record<string, Check> = {
  userAgent: isString,
  error: isString,
  requestTags: isStringMap,
  tagKeys: isStrings,
  resourceTags: isStringMap,
  principalArn: isString,
  accessEntryType: isString,
  kubernetesGroups: isStrings,
  username: isString,
  clusterName: isString,
  policyArn: isString,
  accessScope: isScope,
  roleSessionName: isString,
  externalId: isString,
};

/** One line as a record, or what is wrong with it. */
export function parseRecord(line: string): AuditRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return `not JSON (${(err as Error).message})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const fields = value as Record<string, unknown>;
  const missing = Object.keys(REQUIRED).filter((key) => fields[key] === undefined);
  if (missing.length > 0) return `lacks ${missing.join(', ')}`;
  const malformed = Object.entries({ ...REQUIRED, ...OPTIONAL }).filter(([key, check]) => fields[key] !== undefined && !check(fields[key])).map(([key]) => key);
  if (malformed.length > 0) return `has malformed ${malformed.map((key) => `${key} ${JSON.stringify(fields[key])}`).join(', ')}`;
  return value as AuditRecord;
}

/** Every record of every `*.jsonl` file in the directory; throws naming each line it cannot read. */
export function readAuditLog(dir: string): AuditLog {
  const files = readdirSync(dir).filter((file) => file.endsWith('.jsonl')).sort();
  const records: LocatedRecord[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      const at = `${file}:${index + 1}`;
      const parsed = parseRecord(line);
      if (typeof parsed === 'string') problems.push(`${at} ${parsed}`);
      else records.push({ record: parsed, at });
    });
  }
  if (problems.length > 0) throw new Error(`unreadable audit records in ${dir}:\n  ${problems.join('\n  ')}`);
  return { files, records };
}
