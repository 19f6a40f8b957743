import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  ListAccessPoliciesCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAccessEntryCommand,
} from '@aws-sdk/client-eks';
import { CreateRoleCommand, GetRoleCommand, GetUserCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AUDIT_DIR_ENV, auditFile, type AuditRecord } from './audit.ts';
import { startEmulator } from '../index.ts';
import { ACCOUNT, failure, policy, role, useTestBed } from '../test-support.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'emulator-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'nested', 'audit.jsonl');
const t = useTestBed({ auditFile: file });

const CALLER = `arn:aws:iam::${ACCOUNT}:user/emulator`;
const OTHER = '210987654321';

function readRecords(from = file): AuditRecord[] {
  return readFileSync(from, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditRecord);
}

/** The records of the calls `act` makes, and nothing before them. */
async function recordsOf(act: () => Promise<unknown>): Promise<AuditRecord[]> {
  const before = readRecords().length;
  await act();
  return readRecords().slice(before);
}

/** The one record the call made. */
async function recordOf(act: () => Promise<unknown>): Promise<AuditRecord> {
  const records = await recordsOf(act);
  expect(records).toHaveLength(1);
  return records[0]!;
}

const create = (tags?: Record<string, string>) =>
  t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), kubernetesGroups: ['team-a'], ...(tags ? { tags } : {}) }));

async function entryArn(): Promise<string> {
  const { accessEntry } = await t.eks.send(new DescribeAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev') }));
  return accessEntry!.accessEntryArn!;
}

describe('the IAM audit record', () => {
  it("of a create: the cluster ARN and its tags, who, where, and the request's tags, principal, type, groups and username", async () => {
    t.bed.emulator.state.createCluster('tagged', { tags: { env: 'prod' } });
    const record = await recordOf(() =>
      t.eks.send(
        new CreateAccessEntryCommand({
          clusterName: 'tagged',
          principalArn: role('dev'),
          type: 'STANDARD',
          kubernetesGroups: ['team-a'],
          username: 'dev',
          tags: { 'managed-by': 'ctl', team: 'a' },
        }),
      ),
    );
    expect(record).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      service: 'eks',
      action: 'eks:CreateAccessEntry',
      resourceArn: `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/tagged`,
      accountId: ACCOUNT,
      region: 'us-east-1',
      callerArn: CALLER,
      userAgent: expect.stringContaining('aws-sdk-js') as unknown,
      status: 200,
      requestTags: { 'managed-by': 'ctl', team: 'a' },
      tagKeys: ['managed-by', 'team'],
      resourceTags: { env: 'prod' },
      principalArn: role('dev'),
      accessEntryType: 'STANDARD',
      kubernetesGroups: ['team-a'],
      username: 'dev',
    });
  });

  it('of a tag: the entry ARN, the tags added, and the tags it had before', async () => {
    await create({ team: 'a' });
    const resourceArn = await entryArn();
    const record = await recordOf(() => t.eks.send(new TagResourceCommand({ resourceArn, tags: { 'managed-by': 'ctl' } })));
    expect(record).toMatchObject({ action: 'eks:TagResource', resourceArn, status: 200, requestTags: { 'managed-by': 'ctl' }, tagKeys: ['managed-by'], resourceTags: { team: 'a' } });
  });

  it('of an update on a tagged entry: the entry ARN, its tags and type before, and the groups and username asked for', async () => {
    await create({ 'managed-by': 'ctl' });
    const resourceArn = await entryArn();
    const record = await recordOf(() => t.eks.send(new UpdateAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev'), kubernetesGroups: ['team-b'] })));
    expect(record).toMatchObject({
      action: 'eks:UpdateAccessEntry',
      resourceArn,
      status: 200,
      resourceTags: { 'managed-by': 'ctl' },
      principalArn: role('dev'),
      clusterName: 'demo',
      accessEntryType: 'STANDARD',
      kubernetesGroups: ['team-b'],
    });
    expect(record).not.toHaveProperty('username');
  });

  it('of an associate: the entry ARN, the policy and the scope', async () => {
    await create({ 'managed-by': 'ctl' });
    const resourceArn = await entryArn();
    const record = await recordOf(() =>
      t.eks.send(
        new AssociateAccessPolicyCommand({
          clusterName: 'demo',
          principalArn: role('dev'),
          policyArn: policy('AmazonEKSViewPolicy'),
          accessScope: { type: 'namespace', namespaces: ['team-a'] },
        }),
      ),
    );
    expect(record).toMatchObject({
      action: 'eks:AssociateAccessPolicy',
      resourceArn,
      status: 200,
      resourceTags: { 'managed-by': 'ctl' },
      policyArn: policy('AmazonEKSViewPolicy'),
      accessScope: { type: 'namespace', namespaces: ['team-a'] },
    });
  });

  it('of an untag: the keys removed, and the tags before (the removed ones included)', async () => {
    await create({ 'managed-by': 'ctl', team: 'a' });
    const resourceArn = await entryArn();
    const record = await recordOf(() => t.eks.send(new UntagResourceCommand({ resourceArn, tagKeys: ['managed-by'] })));
    expect(record).toMatchObject({ action: 'eks:UntagResource', resourceArn, status: 200, tagKeys: ['managed-by'], resourceTags: { 'managed-by': 'ctl', team: 'a' } });
    expect(record).not.toHaveProperty('requestTags');
  });

  it("of an AssumeRole: STS, the role ARN, the session name and external id; later calls name the session and act in the role's account", async () => {
    const roleArn = `arn:aws:iam::${OTHER}:role/eks-manager`;
    t.bed.emulator.state.createCluster('demo', { accountId: OTHER });
    let credentials = { accessKeyId: '', secretAccessKey: '', sessionToken: '' };
    const assumed = await recordOf(async () => {
      const { Credentials } = await t.bed.sts().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ctl', ExternalId: 'ext-1' }));
      credentials = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
    });
    expect(assumed).toMatchObject({
      service: 'sts',
      action: 'sts:AssumeRole',
      resourceArn: roleArn,
      accountId: ACCOUNT,
      callerArn: CALLER,
      status: 200,
      roleSessionName: 'ctl',
      externalId: 'ext-1',
    });
    const described = await recordOf(() => t.bed.client({ credentials }).send(new DescribeClusterCommand({ name: 'demo' })));
    expect(described).toMatchObject({
      action: 'eks:DescribeCluster',
      resourceArn: `arn:aws:eks:us-east-1:${OTHER}:cluster/demo`,
      accountId: OTHER,
      callerArn: `arn:aws:sts::${OTHER}:assumed-role/eks-manager/ctl`,
    });
    const whoAmI = await recordOf(() => t.bed.sts({ credentials }).send(new GetCallerIdentityCommand({})));
    expect(whoAmI).toMatchObject({ action: 'sts:GetCallerIdentity', resourceArn: '*', accountId: OTHER });
  });

  it('of failed calls too: the status and error answered, and an entry that does not exist named with "*" for its id', async () => {
    const missing = await recordOf(() => failure(t.eks.send(new DescribeAccessEntryCommand({ clusterName: 'demo', principalArn: role('ghost') }))));
    expect(missing).toMatchObject({
      action: 'eks:DescribeAccessEntry',
      resourceArn: `arn:aws:eks:us-east-1:${ACCOUNT}:access-entry/demo/role/${ACCOUNT}/ghost/*`,
      status: 404,
      error: 'ResourceNotFoundException',
      principalArn: role('ghost'),
      clusterName: 'demo',
    });
    expect(missing).not.toHaveProperty('resourceTags');
    t.bed.emulator.faults.add({ operation: 'CreateAccessEntry', fault: 'ThrottlingException', count: 1 });
    const throttled = await recordOf(() => failure(create({ team: 'a' })));
    expect(throttled).toMatchObject({ action: 'eks:CreateAccessEntry', status: 429, error: 'ThrottlingException', requestTags: { team: 'a' } });
    expect(t.bed.emulator.state.getAccessEntry('demo', role('dev'))).toBeUndefined();
  });

  it('of IAM calls: the role or user ARN with its path (as asked, for one not made yet), the caller for GetUser without a name, "*" for ListRoles', async () => {
    const iam = t.bed.iam();
    const created = await recordOf(() => iam.send(new CreateRoleCommand({ RoleName: 'deployer', Path: '/ci/', AssumeRolePolicyDocument: '{}' })));
    expect(created).toMatchObject({ service: 'iam', action: 'iam:CreateRole', resourceArn: `arn:aws:iam::${ACCOUNT}:role/ci/deployer`, region: 'us-east-1', status: 200 });
    expect(await recordOf(() => iam.send(new GetRoleCommand({ RoleName: 'Deployer' })))).toMatchObject({ action: 'iam:GetRole', resourceArn: `arn:aws:iam::${ACCOUNT}:role/ci/deployer` });
    const missing = await recordOf(() => failure(iam.send(new GetRoleCommand({ RoleName: 'ghost' }))));
    expect(missing).toMatchObject({ action: 'iam:GetRole', resourceArn: `arn:aws:iam::${ACCOUNT}:role/ghost`, status: 404, error: 'NoSuchEntity' });
    expect(await recordOf(() => iam.send(new ListRolesCommand({})))).toMatchObject({ action: 'iam:ListRoles', resourceArn: '*' });
    expect(await recordOf(() => iam.send(new GetUserCommand({})))).toMatchObject({ action: 'iam:GetUser', resourceArn: CALLER });
  });

  it('of a call on no resource: "*"', async () => {
    expect(await recordOf(() => t.eks.send(new ListAccessPoliciesCommand({})))).toMatchObject({ action: 'eks:ListAccessPolicies', resourceArn: '*', status: 200 });
  });

  it('is said by RunningEmulator.auditFile', () => {
    expect(t.bed.emulator.auditFile).toBe(file);
  });
});

describe('where the audit records go', () => {
  const previous = process.env[AUDIT_DIR_ENV];
  afterEach(() => {
    if (previous === undefined) delete process.env[AUDIT_DIR_ENV];
    else process.env[AUDIT_DIR_ENV] = previous;
  });

  it('with EKS_EMULATOR_AUDIT_DIR, each emulator appends to a file of its own there', async () => {
    const auditDir = path.join(dir, 'by-env');
    process.env[AUDIT_DIR_ENV] = auditDir;
    const emulators = [await startEmulator(), await startEmulator()];
    try {
      for (const emulator of emulators) {
        emulator.state.createCluster('demo');
        await fetch(`${emulator.endpoint}/clusters/demo`);
      }
    } finally {
      await Promise.all(emulators.map((emulator) => emulator.close()));
    }
    const files = readdirSync(auditDir).sort();
    expect(files).toHaveLength(2);
    expect(files.map((name) => path.join(auditDir, name))).toEqual(emulators.map((emulator) => emulator.auditFile).sort());
    for (const name of files) {
      expect(name).toMatch(new RegExp(`^${process.pid}-[0-9a-f]{12}\\.jsonl$`));
      expect(readRecords(path.join(auditDir, name))).toMatchObject([{ action: 'eks:DescribeCluster', status: 200 }]);
    }
  });

  it('the option wins over the environment; with neither, nothing is written', () => {
    expect(auditFile('/tmp/x.jsonl', { [AUDIT_DIR_ENV]: '/elsewhere' })).toBe('/tmp/x.jsonl');
    expect(auditFile(undefined, {})).toBeUndefined();
    expect(auditFile(undefined, { [AUDIT_DIR_ENV]: '' })).toBeUndefined();
  });

  it('an emulator started with neither has no audit file', async () => {
    delete process.env[AUDIT_DIR_ENV];
    const emulator = await startEmulator();
    await emulator.close();
    expect(emulator.auditFile).toBeUndefined();
  });
});
