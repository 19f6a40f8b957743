// The IAM audit's reader and evaluator, on fixture records shaped as the emulator writes them
// (the contract in test/iam/audit/records.ts): what it evaluates, under which id, and what it
// reports when the shipped policy would deny a call.
import { mkdirSync, mkdtempSync as makeTempDir, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { auditCalls, requireControllerCalls } from '../iam/audit/audit.ts';
import { controllerIdOf, selectControllerCalls } from '../iam/audit/calls.ts';
import { parseRecord, readAuditLog, type AuditRecord } from '../iam/audit/records.ts';
import { denialReport, summary } from '../iam/audit/report.ts';
import { AUDIT_RUN_DIR_ENV, EMULATOR_AUDIT_DIR_ENV, finishAuditRun, finishedAuditRun, startAuditRun } from '../iam/audit/run-dir.ts';

const madeDirs: string[] = [];
const mkdtempSync = (prefix: string): string => {
  const dir = makeTempDir(prefix);
  madeDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

const fixture = (name: string): string => fileURLToPath(new URL(`../iam/fixtures/${name}/`, import.meta.url));

describe('the IAM audit, on calls the shipped policy allows', () => {
  const log = readAuditLog(fixture('audit-allowed'));
  const selection = selectControllerCalls(log.records);

  it('evaluates the controller calls only, and the iam:PassRole a node entry implies', async () => {
    expect(log.records).toHaveLength(20);
    expect(selection.byTests).toBe(1);
    expect(selection.needingNoPermission).toBe(1);
    const result = await auditCalls(selection);
    expect(result).toMatchObject({ evaluated: 18, distinct: 17, claims: 1, implied: 1, denials: [] });
    expect(selection.calls.filter((call) => call.impliedBy).map((call) => [call.request.action, call.request.resource, call.request.context])).toEqual([
      ['iam:PassRole', 'arn:aws:iam::123456789012:role/demo-nodes', { 'iam:PassedToService': 'ec2.amazonaws.com' }],
    ]);
    expect(summary(log, selection, result)).toBe(
      [
        'IAM audit: 18 controller calls evaluated (17 distinct requests) from 20 records in 1 files;',
        '  left out: 1 calls the tests made themselves (0 sts:AssumeRole), 1 sts:GetCallerIdentity (needs no permission), 1 calls on entries that did not exist;',
        "  controller id from the user agent 0, from the call's own request 5, from the entry's tags 11, none shown 2;",
        '  1 claims judged with the adoption policy attached, 1 implied iam:PassRole checks;',
        '  every call allowed.',
      ].join('\n'),
    );
  });

  it('counts a call the emulator failed on purpose: production would have made it', () => {
    const failed = selection.calls.filter((call) => call.record.status >= 500);
    expect(failed.map((call) => [call.request.action, call.record.error])).toEqual([['eks:TagResource', 'ServerException']]);
  });

  it('gives IAM the keys it has for each action, and no others (eks:clusterName is no key of CreateAccessEntry)', () => {
    const create = selection.calls.find((call) => call.request.action === 'eks:CreateAccessEntry')!;
    expect(Object.keys(create.request.context).sort()).toEqual(
      ['aws:RequestTag/eksaccess.dev/access-entry', 'aws:RequestTag/eksaccess.dev/managed-by', 'aws:RequestTag/team', 'aws:TagKeys', 'eks:accessEntryType', 'eks:kubernetesGroups', 'eks:principalArn'].sort(),
    );
    const associate = selection.calls.find((call) => call.request.action === 'eks:AssociateAccessPolicy')!;
    expect(associate.request.context).toMatchObject({ 'eks:policyArn': 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', 'eks:accessScope': 'namespace', 'eks:namespaces': ['team-a'] });
    const assume = selection.calls.find((call) => call.request.action === 'sts:AssumeRole')!;
    expect(assume.request).toMatchObject({
      resourceAccount: '222222222222',
      context: { 'sts:RoleSessionName': 'it-controller', 'sts:ExternalId': 'platform-team', 'aws:ResourceAccount': '222222222222' },
    });
  });
});

describe('what the audit leaves out', () => {
  const ua = 'aws-sdk-js/3 eks-access-entry-controller/pod-1';
  const entry = 'arn:aws:eks:us-east-1:123456789012:access-entry/demo/role/123456789012/team-a';
  const record = (resourceArn: string, status: number): AuditRecord => ({
    time: 't', service: 'eks', action: 'eks:DeleteAccessEntry', resourceArn, accountId: '123456789012', region: 'us-east-1', callerArn: 'arn:aws:iam::123456789012:user/emulator', userAgent: ua, status,
  });

  it('is a call on an entry that did not exist, never an injected 404 on one that did', () => {
    const selection = selectControllerCalls([
      { record: record(`${entry}/*`, 404), at: 'a:1' },
      { record: { ...record(`${entry}/0ec8a1b2`, 404), error: 'ResourceNotFoundException', resourceTags: { 'eksaccess.dev/managed-by': 'x' } }, at: 'a:2' },
    ]);
    expect(selection.onMissingEntries).toBe(1);
    expect(selection.calls.map((call) => call.at)).toEqual(['a:2']);
  });
});

describe('the IAM audit, on calls the shipped policy denies', () => {
  const log = readAuditLog(fixture('audit-denied'));

  it('lists each denied request once, with its count, what IAM saw and the statement that came closest', async () => {
    const result = await auditCalls(selectControllerCalls(log.records));
    expect(result.denials.map((denial) => [denial.call.request.action, denial.call.request.resource, denial.count])).toEqual([
      ['eks:UpdateAccessEntry', 'arn:aws:eks:us-east-1:123456789012:access-entry/demo/role/123456789012/team-b/8cc6a1e2-1b2f-4e0a-9a59-5c1f2d1e0a01', 2],
      ['eks:TagResource', 'arn:aws:eks:us-east-1:123456789012:access-entry/demo/role/123456789012/cluster-creator/8cc6a1e2-1b2f-4e0a-9a59-5c1f2d1e0a01', 1],
      ['sts:AssumeRole', 'arn:aws:iam::999999999999:role/eks-access-entry-controller', 1],
    ]);
    const report = denialReport(result);
    expect(report).toContain('4 controller calls (3 distinct requests) would be denied by the shipped IAM policies:');
    expect(report).toContain(
      [
        '- eks:UpdateAccessEntry on arn:aws:eks:us-east-1:123456789012:access-entry/demo/role/123456789012/team-b/8cc6a1e2-1b2f-4e0a-9a59-5c1f2d1e0a01',
        '  2 calls, first at 41329-77aa01.jsonl:2 (answered 200), by arn:aws:iam::123456789012:user/emulator',
        '  controller id: ctl-a (from the user agent); judged under controller-policy',
        '  context: aws:ResourceTag/eksaccess.dev/managed-by="ctl-b", aws:ResourceTag/eksaccess.dev/access-entry="team-b", eks:principalArn="arn:aws:iam::123456789012:role/team-b", ' +
          'eks:accessEntryType="STANDARD", eks:kubernetesGroups=["b"], eks:clusterName="demo"',
        '  ImplicitlyDenied: closest statement ChangeOnlyThisControllersEntries (controller-policy) failed StringEquals aws:ResourceTag/eksaccess.dev/managed-by "ctl-a" (request has "ctl-b")',
      ].join('\n'),
    );
    expect(report).toContain('failed StringEquals aws:ResourceAccount ["222222222222","333333333333","444444444444","666666666666"] (request has "999999999999")');
    expect(report).toContain('- eks:TagResource on arn:aws:eks:us-east-1:123456789012:access-entry/demo/role/123456789012/cluster-creator/');
  });
});

describe('the controller id a call is judged under', () => {
  const base: AuditRecord = { time: 't', service: 'eks', action: 'eks:UpdateAccessEntry', resourceArn: 'arn:aws:eks:us-east-1:1:access-entry/demo/role/1/a/b', accountId: '1', region: 'r', callerArn: 'c', status: 200 };

  it('is the one the user agent carries before any tag', () => {
    const record = { ...base, userAgent: 'x eks-access-entry-controller/pod-1 controller-id/ctl-a', resourceTags: { 'eksaccess.dev/managed-by': 'ctl-b' } };
    expect(controllerIdOf(record)).toEqual({ id: 'ctl-a', source: 'user-agent' });
  });

  it('else the one the call writes, else the entry shows', () => {
    expect(controllerIdOf({ ...base, requestTags: { 'eksaccess.dev/managed-by': 'ctl-a' }, resourceTags: { 'eksaccess.dev/managed-by': 'ctl-b' } })).toEqual({ id: 'ctl-a', source: 'request' });
    expect(controllerIdOf({ ...base, action: 'sts:AssumeRole', roleSessionName: 'ctl-a' })).toEqual({ id: 'ctl-a', source: 'request' });
    expect(controllerIdOf({ ...base, resourceTags: { 'eksaccess.dev/managed-by': 'ctl-b' } })).toEqual({ id: 'ctl-b', source: 'entry' });
    expect(controllerIdOf({ ...base, resourceTags: {} })).toEqual({ id: undefined, source: 'none' });
  });
});

describe('the audit log reader', () => {
  it('names the file and line of each record it cannot take, and what is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iam-audit-test-'));
    const good = JSON.stringify({ time: 't', service: 'eks', action: 'eks:DescribeCluster', resourceArn: 'a', accountId: '1', region: 'r', callerArn: 'c', status: 200 });
    writeFileSync(join(dir, '1-a.jsonl'), `${good}\n{"time":\n${JSON.stringify({ ...JSON.parse(good), status: '200', tagKeys: 'k' })}\n`);
    writeFileSync(join(dir, 'notes.txt'), 'not a record');
    expect(() => readAuditLog(dir)).toThrow(/1-a\.jsonl:2 not JSON.*\n {2}1-a\.jsonl:3 has malformed status "200", tagKeys "k"/s);
  });

  it('refuses a record lacking what IAM needs', () => {
    expect(parseRecord('{"time":"t","service":"eks","action":"eks:DescribeCluster"}')).toBe('lacks resourceArn, accountId, region, callerArn, status');
    expect(parseRecord('{"time":"t","service":"eks","action":"DescribeCluster","resourceArn":"a","accountId":"1","region":"r","callerArn":"c","status":200}')).toBe(
      'has malformed action "DescribeCluster"',
    );
  });

  it('fails an audit of no controller call, so a silent producer cannot pass it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iam-audit-test-'));
    const log = readAuditLog(dir);
    expect(() => requireControllerCalls(log, selectControllerCalls(log.records), dir)).toThrow(`no controller call to audit in ${dir}: 0 audit files, 0 records`);
    const fixtureLog = readAuditLog(fixture('audit-allowed'));
    expect(() => requireControllerCalls(fixtureLog, selectControllerCalls(fixtureLog.records), 'x')).not.toThrow();
  });
});

describe('the run directory', () => {
  const lookup = (env: NodeJS.ProcessEnv) => ({ env, lastRunFile: join(mkdtempSync(join(tmpdir(), 'iam-audit-test-')), 'last-run') });

  it('is given to the emulators, and audited only once the run has finished', () => {
    const given = join(mkdtempSync(join(tmpdir(), 'iam-audit-test-')), 'run');
    const where = lookup({ [AUDIT_RUN_DIR_ENV]: given });
    expect(startAuditRun(where)).toBe(given);
    expect(where.env[EMULATOR_AUDIT_DIR_ENV]).toBe(given);
    expect(() => finishedAuditRun(where)).toThrow(`the integration run writing to ${given} has not finished`);
    finishAuditRun(given);
    expect(finishedAuditRun(where)).toBe(given);
    expect(finishedAuditRun({ env: {}, lastRunFile: where.lastRunFile })).toBe(given);
  });

  it('must start empty: two runs never write to one directory', () => {
    const given = mkdtempSync(join(tmpdir(), 'iam-audit-test-'));
    mkdirSync(join(given, 'x'));
    expect(() => startAuditRun(lookup({ [AUDIT_RUN_DIR_ENV]: given }))).toThrow(`${AUDIT_RUN_DIR_ENV}=${given} is not empty`);
  });

  it('without one given, is a fresh directory of its own', () => {
    const where = lookup({});
    const made = startAuditRun(where);
    const another = startAuditRun(lookup({}));
    madeDirs.push(made, another);
    expect(made).toContain(join(tmpdir(), 'eks-iam-audit-'));
    expect(another).not.toBe(made);
  });
});
