import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, credentials, failure, useTestBed } from '../test-support.ts';

const t = useTestBed();

const whoAmI = (sts = t.bed.sts()) => sts.send(new GetCallerIdentityCommand({}));

describe('STS GetCallerIdentity', () => {
  it('answers the default account to any credentials, in the awsQuery shape the SDK reads', async () => {
    const identity = await whoAmI();
    expect(identity).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/emulator`, UserId: `AIDAEMULATOR${ACCOUNT}` });
    expect(identity.$metadata).toMatchObject({ httpStatusCode: 200, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('answers the account a mapped access key belongs to', async () => {
    t.bed.emulator.state.setAccountForAccessKey('AKIDOTHER', '210987654321');
    const identity = await whoAmI(t.bed.sts({ credentials: credentials('AKIDOTHER') }));
    expect(identity.Account).toBe('210987654321');
    expect(identity.Arn).toBe('arn:aws:iam::210987654321:user/emulator');
  });

  it('uses the partition of the signing region', async () => {
    expect((await whoAmI(t.bed.sts({ region: 'cn-north-1' }))).Arn).toBe(`arn:aws-cn:iam::${ACCOUNT}:user/emulator`);
  });

  it('is counted as a read and logged with the caller', async () => {
    t.bed.emulator.state.setAccountForAccessKey('AKIDLOGGED', '210987654321');
    await whoAmI(t.bed.sts({ credentials: credentials('AKIDLOGGED'), customUserAgent: 'who-am-i/1' }));
    const { calls } = t.bed.emulator;
    expect(calls.count('GetCallerIdentity')).toBe(1);
    expect(calls.reads()).toBe(1);
    expect(calls.log()).toEqual([
      expect.objectContaining({ operation: 'GetCallerIdentity', accountId: '210987654321', region: 'us-east-1', accessKeyId: 'AKIDLOGGED', status: 200 }),
    ]);
    expect(calls.log()[0]?.userAgent).toContain('who-am-i/1');
  });

  it('takes fault rules, answering with STS error codes', async () => {
    t.bed.emulator.faults.add({ operation: 'GetCallerIdentity', fault: 'ServerException', count: 1 });
    t.bed.emulator.faults.add({ operation: 'GetCallerIdentity', fault: 'ThrottlingException', count: 1 });
    t.bed.emulator.faults.add({ operation: 'GetCallerIdentity', fault: 'AccessDeniedException', count: 1, message: 'not allowed' });
    const server = await failure(whoAmI());
    expect([server.name, server.$metadata?.httpStatusCode]).toEqual(['InternalFailure', 500]);
    const throttled = await failure(whoAmI());
    expect([throttled.name, throttled.$metadata?.httpStatusCode]).toEqual(['Throttling', 400]);
    const denied = await failure(whoAmI());
    expect([denied.name, denied.message, denied.$metadata?.httpStatusCode]).toEqual(['AccessDenied', 'not allowed', 403]);
    await expect(whoAmI()).resolves.toBeDefined();
    expect(t.bed.emulator.calls.log().map((call) => call.fault)).toEqual(['ServerException', 'ThrottlingException', 'AccessDeniedException', undefined]);
  });

  it('is not hit by an EKS-only rule, but by a rule for every operation', async () => {
    t.bed.emulator.faults.add({ operation: 'DescribeCluster', fault: 'ServerException' });
    await expect(whoAmI()).resolves.toBeDefined();
    t.bed.emulator.faults.add({ fault: 'ServerException', count: 1 });
    expect((await failure(whoAmI())).name).toBe('InternalFailure');
  });

  it("has a rate limit of its own (STS's bucket), and takes latency", async () => {
    t.bed.emulator.faults.setRateLimit({ requestsPerSecond: 0.001, burst: 1 });
    await whoAmI();
    const error = await failure(whoAmI());
    expect([error.name, error.message]).toEqual(['Throttling', 'Rate exceeded']);
    t.bed.emulator.faults.setRateLimit(undefined);
    t.bed.emulator.faults.setLatency(150, 'GetCallerIdentity');
    const started = Date.now();
    await whoAmI();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('loses the response like an EKS call', async () => {
    t.bed.emulator.faults.add({ operation: 'GetCallerIdentity', fault: 'LoseResponse', count: 1 });
    expect(((await failure(whoAmI())) as Error & { code?: string }).code).toBe('ECONNRESET');
  });

  it('answers InvalidAction (not counted) to an action it does not have', async () => {
    const response = await fetch(`${t.bed.emulator.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetSessionToken&Version=2011-06-15',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('text/xml');
    const body = await response.text();
    expect(body).toContain('<Code>InvalidAction</Code>');
    expect(body).toContain(`<RequestId>${response.headers.get('x-amzn-requestid')}</RequestId>`);
    expect(t.bed.emulator.calls.total()).toBe(0);
  });
});
