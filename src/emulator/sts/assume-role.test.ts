import { CreateAccessEntryCommand, DescribeClusterCommand, ListAccessEntriesCommand } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACCOUNT, credentials, failure, role, useTestBed } from '../test-support.ts';

const TARGET = '210987654321';
const MANAGER = `arn:aws:iam::${TARGET}:role/eks-manager`;

const t = useTestBed();

afterEach(() => vi.useRealTimers());

const assume = (input: { RoleArn?: string; RoleSessionName?: string; DurationSeconds?: number; ExternalId?: string }, sts: STSClient = t.bed.sts()) =>
  sts.send(new AssumeRoleCommand({ RoleArn: MANAGER, RoleSessionName: 'controller', ...input }));

/** SDK credentials from an AssumeRole answer. */
async function assumed(input: Parameters<typeof assume>[0] = {}, sts?: STSClient) {
  const { Credentials } = await assume(input, sts);
  return { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
}

describe('STS AssumeRole', () => {
  it('answers temporary credentials and the assumed-role user in the shape the SDK reads', async () => {
    const before = Date.now();
    const out = await assume({ DurationSeconds: 900 });
    const after = Date.now();
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(out.Credentials).toEqual({
      AccessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/),
      SecretAccessKey: expect.stringMatching(/^\S{40}$/),
      SessionToken: expect.any(String),
      Expiration: expect.any(Date),
    });
    // 900 s after the call was served, in whole seconds as STS writes it: between these bounds.
    const expiration = out.Credentials!.Expiration!.getTime();
    expect(expiration).toBeGreaterThan(before + 899_000);
    expect(expiration).toBeLessThanOrEqual(after + 900_000);
    expect(out.AssumedRoleUser).toEqual({
      AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}:controller$/),
      Arn: `arn:aws:sts::${TARGET}:assumed-role/eks-manager/controller`,
    });
  });

  it('defaults to one hour, keeps the role id per role, and drops the role path from the session ARN', async () => {
    const first = await assume({ RoleArn: `arn:aws:iam::${TARGET}:role/teams/platform/eks-manager` });
    const second = await assume({ RoleArn: `arn:aws:iam::${TARGET}:role/teams/platform/eks-manager`, RoleSessionName: 'other' });
    const remaining = first.Credentials!.Expiration!.getTime() - Date.now();
    expect(remaining).toBeGreaterThan(3_590_000);
    expect(remaining).toBeLessThanOrEqual(3_600_000);
    expect(first.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${TARGET}:assumed-role/eks-manager/controller`);
    expect(first.AssumedRoleUser?.AssumedRoleId?.split(':')[0]).toBe(second.AssumedRoleUser?.AssumedRoleId?.split(':')[0]);
    expect(first.Credentials?.AccessKeyId).not.toBe(second.Credentials?.AccessKeyId);
  });

  it('lands EKS calls signed with the temporary credentials in the role account', async () => {
    t.bed.emulator.state.createCluster('prod', { accountId: TARGET });
    const eks = t.bed.client({ credentials: await assumed() });
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: 'prod' }));
    expect(cluster?.arn).toBe(`arn:aws:eks:us-east-1:${TARGET}:cluster/prod`);
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'prod', principalArn: role('dev') }));
    expect(t.bed.emulator.state.getAccessEntry('prod', role('dev'), { accountId: TARGET })).toBeDefined();
    // `demo` is in the default account: the role's account cannot see it.
    expect((await failure(eks.send(new DescribeClusterCommand({ name: 'demo' })))).name).toBe('ResourceNotFoundException');
  });

  it('answers GetCallerIdentity with the role account and the assumed-role ARN', async () => {
    const sts = t.bed.sts({ credentials: await assumed({ RoleSessionName: 'who' }) });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({
      Account: TARGET,
      Arn: `arn:aws:sts::${TARGET}:assumed-role/eks-manager/who`,
      UserId: expect.stringMatching(/^AROA[A-Z2-7]{17}:who$/),
    });
  });

  it('maps the temporary key with the other access keys, and lists the session', async () => {
    const { accessKeyId } = await assumed();
    const { state } = t.bed.emulator;
    expect(state.accountForAccessKey(accessKeyId)).toBe(TARGET);
    expect(state.accessKeyAccounts()).toMatchObject({ [accessKeyId]: TARGET });
    expect(state.sessionForAccessKey(accessKeyId)).toMatchObject({
      roleArn: MANAGER,
      accountId: TARGET,
      sessionName: 'controller',
      assumedBy: `arn:aws:iam::${ACCOUNT}:user/emulator`,
    });
    expect(state.sessions()).toHaveLength(1);
    state.reset();
    expect(state.sessionForAccessKey(accessKeyId)).toBeUndefined();
    expect(state.accountForAccessKey(accessKeyId)).toBe(ACCOUNT);
  });

  it('logs which role each call was made under, and AssumeRole with the role it asked for', async () => {
    t.bed.emulator.state.createCluster('prod', { accountId: TARGET });
    const creds = await assumed();
    await t.bed.client({ credentials: creds }).send(new ListAccessEntriesCommand({ clusterName: 'prod' }));
    const { calls } = t.bed.emulator;
    expect(calls.count('AssumeRole')).toBe(1);
    expect(calls.reads()).toBe(2);
    expect(calls.log()).toEqual([
      expect.objectContaining({ operation: 'AssumeRole', accountId: ACCOUNT, roleArn: MANAGER, accessKeyId: 'x', status: 200 }),
      expect.objectContaining({
        operation: 'ListAccessEntries',
        accountId: TARGET,
        accessKeyId: creds.accessKeyId,
        assumedRole: `arn:aws:sts::${TARGET}:assumed-role/eks-manager/controller`,
        status: 200,
      }),
    ]);
    expect(calls.log()[0]).not.toHaveProperty('assumedRole');
  });

  it('chains roles: a session assumes another role, at most for an hour', async () => {
    const second = `arn:aws:iam::111122223333:role/deployer`;
    const chained = t.bed.sts({ credentials: await assumed() });
    const out = await assume({ RoleArn: second, RoleSessionName: 'hop' }, chained);
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::111122223333:assumed-role/deployer/hop');
    expect(t.bed.emulator.state.sessionForAccessKey(out.Credentials?.AccessKeyId)?.assumedBy).toBe(`arn:aws:sts::${TARGET}:assumed-role/eks-manager/controller`);
    const tooLong = await failure(assume({ RoleArn: second, DurationSeconds: 7200 }, chained));
    expect([tooLong.name, tooLong.message, tooLong.$metadata?.httpStatusCode]).toEqual([
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      400,
    ]);
    await expect(assume({ RoleArn: second, DurationSeconds: 7200 })).resolves.toBeDefined();
  });

  it('uses the partition of the role ARN', async () => {
    const out = await assume({ RoleArn: `arn:aws-cn:iam::${TARGET}:role/eks-manager` }, t.bed.sts({ region: 'cn-north-1' }));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws-cn:sts::${TARGET}:assumed-role/eks-manager/controller`);
  });
});

describe('AssumeRole input rules', () => {
  it('answers ValidationError for an ARN that is not a role, and for a short one', async () => {
    const notRole = await failure(assume({ RoleArn: `arn:aws:iam::${TARGET}:user/someone` }));
    expect([notRole.name, notRole.message, notRole.$metadata?.httpStatusCode]).toEqual(['ValidationError', 'Request ARN is invalid', 400]);
    expect((await failure(assume({ RoleArn: `arn:aws:iam:${TARGET}:role/missing-colon` }))).message).toBe('Request ARN is invalid');
    const short = await failure(assume({ RoleArn: 'eks-manager' }));
    expect(short.message).toBe("1 validation error detected: Value 'eks-manager' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20");
    expect(t.bed.emulator.calls.countResult('ValidationError', 'AssumeRole')).toBe(3);
  });

  it('checks DurationSeconds (900 to 43200), the session name and the external id, all at once', async () => {
    const low = await failure(assume({ DurationSeconds: 899 }));
    expect(low.message).toBe("1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
    const high = await failure(assume({ DurationSeconds: 43_201 }));
    expect(high.message).toContain('Member must have value less than or equal to 43200');
    await expect(assume({ DurationSeconds: 43_200 })).resolves.toBeDefined();
    const many = await failure(assume({ RoleSessionName: 'has space', ExternalId: 'x' }));
    expect(many.name).toBe('ValidationError');
    expect(many.message).toMatch(/^2 validation errors detected: Value 'has space' at 'roleSessionName' .*pattern: \[\\w\+=,\.@-\]\*; Value 'x' at 'externalId' .*length greater than or equal to 2$/);
  });

  it('needs a RoleSessionName', async () => {
    const missing = await failure(t.bed.sts().send(new AssumeRoleCommand({ RoleArn: MANAGER, RoleSessionName: undefined })));
    expect(missing.message).toBe("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  });
});

describe('temporary credentials', () => {
  it('answer ExpiredTokenException on EKS and ExpiredToken on STS once past Expiration (state clock)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const creds = await assumed({ DurationSeconds: 900 });
    const eks = t.bed.client({ credentials: creds });
    await expect(eks.send(new ListAccessEntriesCommand({ clusterName: 'demo' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    vi.setSystemTime(Date.now() + 900_000);
    const expired = await failure(eks.send(new ListAccessEntriesCommand({ clusterName: 'demo' })));
    expect([expired.name, expired.message, expired.$metadata?.httpStatusCode]).toEqual(['ExpiredTokenException', 'The security token included in the request is expired', 403]);
    const sts = await failure(t.bed.sts({ credentials: creds }).send(new GetCallerIdentityCommand({})));
    expect([sts.name, sts.$metadata?.httpStatusCode]).toEqual(['ExpiredToken', 403]);
    expect(t.bed.emulator.calls.log().at(-1)).toMatchObject({ operation: 'GetCallerIdentity', error: 'ExpiredToken', assumedRole: expect.stringContaining('eks-manager') });
  });

  it('answer UnrecognizedClientException when the session token is missing or not the issued one', async () => {
    const { sessionToken, ...withoutToken } = await assumed();
    const missing = await failure(t.bed.client({ credentials: withoutToken }).send(new ListAccessEntriesCommand({ clusterName: 'demo' })));
    expect([missing.name, missing.message, missing.$metadata?.httpStatusCode]).toEqual(['UnrecognizedClientException', 'The security token included in the request is invalid.', 403]);
    const wrong = await failure(t.bed.sts({ credentials: { ...withoutToken, sessionToken: `${sessionToken}x` } }).send(new GetCallerIdentityCommand({})));
    expect([wrong.name, wrong.$metadata?.httpStatusCode]).toEqual(['InvalidClientTokenId', 403]);
  });

  it('can be ended early, by key or by role, and through the admin API', async () => {
    const { state } = t.bed.emulator;
    const one = await assumed();
    const two = await assumed();
    expect(state.expireSessions({ accessKeyId: one.accessKeyId })).toBe(1);
    expect((await failure(t.bed.client({ credentials: one }).send(new DescribeClusterCommand({ name: 'demo' })))).name).toBe('ExpiredTokenException');
    expect((await t.bed.admin('POST', '/sessions/expire', { roleArn: MANAGER })).json).toEqual({ expired: 1 });
    expect((await failure(t.bed.client({ credentials: two }).send(new DescribeClusterCommand({ name: 'demo' })))).name).toBe('ExpiredTokenException');
  });

  it('take fault rules like any STS call, narrowed to a role if wanted', async () => {
    t.bed.emulator.faults.add({ operation: 'AssumeRole', fault: 'ThrottlingException', count: 1, roleArn: MANAGER });
    await expect(assume({ RoleArn: `arn:aws:iam::${TARGET}:role/other` })).resolves.toBeDefined();
    const throttled = await failure(assume({}));
    expect([throttled.name, throttled.$metadata?.httpStatusCode]).toEqual(['Throttling', 400]);
    await expect(assume({})).resolves.toBeDefined();
    t.bed.emulator.faults.setLatency(120, 'AssumeRole');
    const started = Date.now();
    await assume({});
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(t.bed.emulator.calls.log().map((call) => call.fault)).toEqual([undefined, 'ThrottlingException', undefined, undefined]);
  });

  it('issue a shorter lifetime than asked when told to', async () => {
    t.bed.emulator.state.setSessionLifetime(5);
    const { Credentials } = await assume({ DurationSeconds: 3600 });
    expect(Credentials!.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(5_000);
    t.bed.emulator.state.setSessionLifetime(undefined);
    const { Credentials: normal } = await assume({ DurationSeconds: 3600 });
    expect(normal!.Expiration!.getTime() - Date.now()).toBeGreaterThan(3_590_000);
  });
});

describe('fromTemporaryCredentials (@aws-sdk/credential-providers)', () => {
  const provider = (params: { RoleArn: string; ExternalId?: string; DurationSeconds?: number }) =>
    fromTemporaryCredentials({ params: { RoleSessionName: 'provider', ...params }, masterCredentials: credentials('AKIDBASE'), clientConfig: { endpoint: t.bed.emulator.endpoint } });

  it('assumes the role once and signs EKS calls in the role account', async () => {
    t.bed.emulator.state.createCluster('prod', { accountId: TARGET, region: 'eu-west-1' });
    const eks = t.bed.client({ region: 'eu-west-1', credentials: provider({ RoleArn: MANAGER }) });
    await eks.send(new DescribeClusterCommand({ name: 'prod' }));
    await eks.send(new ListAccessEntriesCommand({ clusterName: 'prod' }));
    const log = t.bed.emulator.calls.log();
    expect(log.map((call) => [call.operation, call.accountId, call.region])).toEqual([
      ['AssumeRole', ACCOUNT, 'eu-west-1'],
      ['DescribeCluster', TARGET, 'eu-west-1'],
      ['ListAccessEntries', TARGET, 'eu-west-1'],
    ]);
    expect(log[0]).toMatchObject({ accessKeyId: 'AKIDBASE', roleArn: MANAGER });
    expect(log[2]?.assumedRole).toBe(`arn:aws:sts::${TARGET}:assumed-role/eks-manager/provider`);
  });

  it('finds the emulator through AWS_ENDPOINT_URL_STS when clientConfig has no endpoint', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_STS', t.bed.emulator.endpoint);
    try {
      const viaEnv = fromTemporaryCredentials({ params: { RoleArn: MANAGER, RoleSessionName: 'env' }, masterCredentials: credentials('AKIDBASE') });
      const eks = t.bed.client({ credentials: viaEnv });
      await expect(eks.send(new DescribeClusterCommand({ name: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      expect(t.bed.emulator.calls.log()[1]).toMatchObject({ operation: 'DescribeCluster', accountId: TARGET });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('passes the ExternalId the trust entry asks for, and surfaces AccessDenied without it', async () => {
    t.bed.emulator.state.setRoleTrust(MANAGER, { externalId: 'cluster-prod' });
    const good = t.bed.client({ credentials: provider({ RoleArn: MANAGER, ExternalId: 'cluster-prod' }) });
    await expect(good.send(new DescribeClusterCommand({ name: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const bad = t.bed.client({ credentials: provider({ RoleArn: MANAGER }) });
    const denied = await failure(bad.send(new DescribeClusterCommand({ name: 'nope' })));
    expect([denied.name, denied.message]).toEqual(['AccessDenied', `User: arn:aws:iam::${ACCOUNT}:user/emulator is not authorized to perform: sts:AssumeRole on resource: ${MANAGER}`]);
  });

  it('refreshes the credentials when they near their Expiration, by the SDK clock', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const eks = t.bed.client({ credentials: provider({ RoleArn: MANAGER, DurationSeconds: 900 }) });
    const list = () => eks.send(new ListAccessEntriesCommand({ clusterName: 'demo' })).catch((error: Error) => error.name);
    await list();
    await list();
    expect(t.bed.emulator.calls.count('AssumeRole')).toBe(1);
    // The SDK renews credentials that expire within 5 minutes: 11 minutes on, before they expire.
    vi.setSystemTime(Date.now() + 11 * 60_000);
    await list();
    expect(t.bed.emulator.calls.count('AssumeRole')).toBe(2);
    const keys = t.bed.emulator.calls
      .log()
      .filter((call) => call.operation === 'ListAccessEntries')
      .map((call) => call.accessKeyId);
    expect(new Set(keys).size).toBe(2);
    expect(t.bed.emulator.calls.countResult('ExpiredTokenException')).toBe(0);
  });

  it('renews on every call when the emulator issues sessions shorter than the SDK refresh window', async () => {
    t.bed.emulator.state.setSessionLifetime(60);
    const eks = t.bed.client({ credentials: provider({ RoleArn: MANAGER }) });
    for (let i = 0; i < 3; i++) await eks.send(new DescribeClusterCommand({ name: 'nope' })).catch(() => undefined);
    // Credentials that expire within 5 minutes are stale to the SDK the moment they arrive.
    expect(t.bed.emulator.calls.count('AssumeRole')).toBeGreaterThanOrEqual(3);
    const keys = t.bed.emulator.calls
      .log()
      .filter((call) => call.operation === 'DescribeCluster')
      .map((call) => call.accessKeyId);
    expect(new Set(keys).size).toBe(3);
  });
});
