import { CreateRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, failure, useTestBed } from '../test-support.ts';

const t = useTestBed();
const TRUST = '{"Version":"2012-10-17","Statement":[]}';

/** A raw query-protocol request, as a client other than the SDK would send it. */
async function post(body: string, authorization?: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${t.bed.emulator.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization === undefined ? {} : { authorization }) },
    body,
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

const signedFor = (service: string, region = 'us-east-1'): string => `AWS4-HMAC-SHA256 Credential=AKID/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;

describe("IAM's query protocol on the emulator's port", () => {
  const previous = process.env.AWS_ENDPOINT_URL_IAM;
  afterEach(() => {
    if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_IAM;
    else process.env.AWS_ENDPOINT_URL_IAM = previous;
  });

  it('answers in the IAM namespace, errors as <ErrorResponse> with Type, Code, Message and RequestId', async () => {
    const ok = await post('Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=' + encodeURIComponent(TRUST), signedFor('iam'));
    expect([ok.status, ok.type]).toEqual([200, 'text/xml']);
    expect(ok.text).toMatch(/^<CreateRoleResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><CreateRoleResult><Role><Path>\/<\/Path><RoleName>r<\/RoleName>/);
    expect(ok.text).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/CreateRoleResponse>$/);
    const missing = await post('Action=GetRole&Version=2010-05-08&RoleName=ghost', signedFor('iam'));
    expect(missing.status).toBe(404);
    expect(missing.text).toMatch(
      /^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>NoSuchEntity<\/Code><Message>The role with name ghost cannot be found\.<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
  });

  it('deletes with an answer that has no Result element', async () => {
    t.bed.emulator.state.iam.createRole({ roleName: 'r' });
    const deleted = await post('Action=DeleteRole&Version=2010-05-08&RoleName=r', signedFor('iam'));
    expect(deleted.status).toBe(200);
    expect(deleted.text).toMatch(/^<DeleteRoleResponse xmlns="[^"]+"><ResponseMetadata><RequestId>[^<]+<\/RequestId><\/ResponseMetadata><\/DeleteRoleResponse>$/);
  });

  it("tells IAM from STS by the signature's service, and unsigned requests by the form's Version", async () => {
    t.bed.emulator.state.iam.createRole({ roleName: 'r' });
    expect((await post('Action=GetRole&Version=2010-05-08&RoleName=r')).text).toContain('<GetRoleResult>');
    expect((await post('Action=GetCallerIdentity&Version=2011-06-15')).text).toContain('<GetCallerIdentityResult>');
    const stsAskedForIam = await post('Action=GetRole&Version=2010-05-08&RoleName=r', signedFor('sts'));
    expect([stsAskedForIam.status, stsAskedForIam.text]).toEqual([400, expect.stringContaining('<Code>InvalidAction</Code>') as unknown]);
    const iamAskedForSts = await post('Action=GetCallerIdentity&Version=2011-06-15', signedFor('iam'));
    expect(iamAskedForSts.status).toBe(400);
    expect(iamAskedForSts.text).toContain('xmlns="https://iam.amazonaws.com/doc/2010-05-08/"');
    expect(iamAskedForSts.text).toContain('IAM has only CreateRole, GetRole, DeleteRole, ListRoles, CreateUser, GetUser, DeleteUser');
    await expect(t.bed.sts().send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: ACCOUNT });
  });

  it('is reached unchanged through AWS_ENDPOINT_URL_IAM', async () => {
    process.env.AWS_ENDPOINT_URL_IAM = t.bed.emulator.endpoint;
    const iam = new IAMClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    try {
      await iam.send(new CreateRoleCommand({ RoleName: 'from-env', AssumeRolePolicyDocument: TRUST }));
      expect(t.bed.emulator.state.iam.getRole('from-env')).toBeDefined();
    } finally {
      iam.destroy();
    }
  });

  it("acts in the partition's one IAM region whatever region the client signed for, and makes ARNs of that partition", async () => {
    await t.bed.iam({ region: 'eu-west-1' }).send(new CreateRoleCommand({ RoleName: 'eu', AssumeRolePolicyDocument: TRUST }));
    const { Role } = await t.bed.iam({ region: 'cn-north-1' }).send(new CreateRoleCommand({ RoleName: 'cn', AssumeRolePolicyDocument: TRUST }));
    expect(Role?.Arn).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/cn`);
    expect(t.bed.emulator.calls.log().map((call) => [call.operation, call.region, call.roleName])).toEqual([
      ['CreateRole', 'us-east-1', 'eu'],
      ['CreateRole', 'cn-north-1', 'cn'],
    ]);
  });
});

describe('IAM calls like the others', () => {
  it('are counted (writes and reads), logged with the role or user they name, and take fault rules narrowed to a role', async () => {
    const iam = t.bed.iam();
    await iam.send(new CreateRoleCommand({ RoleName: 'a', AssumeRolePolicyDocument: TRUST }));
    t.bed.emulator.faults.add({ operation: 'GetRole', fault: 'ThrottlingException', roleName: 'a', count: 1 });
    const throttled = await failure(iam.send(new GetRoleCommand({ RoleName: 'a' })));
    expect([throttled.name, throttled.$metadata?.httpStatusCode]).toEqual(['Throttling', 400]);
    t.bed.emulator.faults.add({ operation: 'ListRoles', fault: 'ServerException', count: 1 });
    const failed = await failure(iam.send(new ListRolesCommand({})));
    expect([failed.name, failed.$metadata?.httpStatusCode]).toEqual(['ServiceFailureException', 500]);
    await iam.send(new GetRoleCommand({ RoleName: 'a' }));
    const { calls } = t.bed.emulator;
    expect([calls.count('CreateRole'), calls.count('GetRole'), calls.count('ListRoles'), calls.writes(), calls.reads()]).toEqual([1, 2, 1, 1, 3]);
    expect(calls.log().map(({ operation, roleName, status, error, fault }) => ({ operation, roleName, status, error, fault }))).toEqual([
      { operation: 'CreateRole', roleName: 'a', status: 200, error: undefined, fault: undefined },
      { operation: 'GetRole', roleName: 'a', status: 400, error: 'Throttling', fault: 'ThrottlingException' },
      { operation: 'ListRoles', roleName: undefined, status: 500, error: 'ServiceFailure', fault: 'ServerException' },
      { operation: 'GetRole', roleName: 'a', status: 200, error: undefined, fault: undefined },
    ]);
  });

  it('answer refused credentials with the codes IAM uses', async () => {
    t.bed.emulator.faults.add({ operation: 'GetRole', fault: 'ExpiredTokenException', count: 1 });
    const error = await failure(t.bed.iam().send(new GetRoleCommand({ RoleName: 'a' })));
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['ExpiredToken', 403]);
  });

  it("have a rate-limit bucket of their own, one per account, not taken by EKS's or STS's calls", async () => {
    t.bed.emulator.state.iam.createRole({ roleName: 'a' });
    t.bed.emulator.faults.setRateLimit({ requestsPerSecond: 0.001, burst: 1 });
    await t.bed.sts().send(new GetCallerIdentityCommand({}));
    await t.bed.iam().send(new GetRoleCommand({ RoleName: 'a' }));
    // Another region signed for: still the same (global) bucket.
    const error = await failure(t.bed.iam({ region: 'eu-west-1' }).send(new GetRoleCommand({ RoleName: 'a' })));
    expect([error.name, error.message]).toEqual(['Throttling', 'Rate exceeded']);
  });
});
