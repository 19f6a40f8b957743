import {
  CreateRoleCommand,
  DeleteRoleCommand,
  GetRoleCommand,
  ListRolesCommand,
  paginateListRoles,
  type IAMClient,
  type Role,
} from '@aws-sdk/client-iam';
import { beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, credentials, failure, useTestBed } from '../test-support.ts';

const t = useTestBed();
let iam: IAMClient;
beforeEach(() => {
  iam = t.bed.iam();
});

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const SSO_PATH = '/aws-reserved/sso.amazonaws.com/eu-west-1/';

const createRole = (RoleName: string, extra: { Path?: string; Description?: string; MaxSessionDuration?: number } = {}, client = iam) =>
  client.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST, ...extra }));

describe('CreateRole and GetRole', () => {
  it('make a role with its path, ARN, unique id and creation date, and give it back as IAM does', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const { Role: created } = await createRole('AWSReservedSSO_Admin_0123456789abcdef', { Path: SSO_PATH, Description: 'admins' });
    expect(created).toEqual({
      Path: SSO_PATH,
      RoleName: 'AWSReservedSSO_Admin_0123456789abcdef',
      RoleId: expect.stringMatching(/^AROA[A-Z0-9]{17}$/) as unknown,
      Arn: `arn:aws:iam::${ACCOUNT}:role${SSO_PATH}AWSReservedSSO_Admin_0123456789abcdef`,
      CreateDate: expect.any(Date) as unknown,
      AssumeRolePolicyDocument: encodeURIComponent(TRUST),
      Description: 'admins',
      MaxSessionDuration: 3600,
    });
    expect(created!.CreateDate!.getTime()).toBeGreaterThanOrEqual(before);
    expect(created!.CreateDate!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(decodeURIComponent(created!.AssumeRolePolicyDocument!)).toBe(TRUST);
    const { Role: got } = await iam.send(new GetRoleCommand({ RoleName: 'AWSReservedSSO_Admin_0123456789abcdef' }));
    expect(got).toEqual(created);
  });

  it('default the path to / and find a role whatever the case of its name', async () => {
    await createRole('Deployer');
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'deployer' }));
    expect([Role?.RoleName, Role?.Path, Role?.Arn]).toEqual(['Deployer', '/', `arn:aws:iam::${ACCOUNT}:role/Deployer`]);
  });

  it('refuse a name in use, whatever its case: EntityAlreadyExists (409)', async () => {
    await createRole('deployer');
    const error = await failure(createRole('DEPLOYER', { Path: '/other/' }));
    expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual(['EntityAlreadyExistsException', 'Role with name DEPLOYER already exists.', 409]);
  });

  it('answer NoSuchEntity (404) for a role that does not exist', async () => {
    const error = await failure(iam.send(new GetRoleCommand({ RoleName: 'ghost' })));
    expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual(['NoSuchEntityException', 'The role with name ghost cannot be found.', 404]);
  });

  it.each([
    { what: 'a name with a space', input: { RoleName: 'bad name' }, message: "Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+" },
    { what: 'a name of 65 characters', input: { RoleName: 'r'.repeat(65) }, message: 'Member must have length less than or equal to 64' },
    { what: 'a path without its leading /', input: { RoleName: 'r', Path: 'team/' }, message: "Value 'team/' at 'path' failed to satisfy constraint" },
    { what: 'a path without its trailing /', input: { RoleName: 'r', Path: '/team' }, message: "Value '/team' at 'path' failed to satisfy constraint" },
    { what: 'a session limit under an hour', input: { RoleName: 'r', MaxSessionDuration: 900 }, message: 'Member must have value greater than or equal to 3600' },
  ])('refuse $what: ValidationError (400) in IAM words', async ({ input, message }) => {
    const error = await failure(iam.send(new CreateRoleCommand({ AssumeRolePolicyDocument: TRUST, ...input })));
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['ValidationError', 400]);
    expect(error.message).toMatch(/^1 validation error detected: /);
    expect(error.message).toContain(message);
  });

  it('gather every problem of a request into one ValidationError', async () => {
    const error = await failure(iam.send(new CreateRoleCommand({ RoleName: 'bad name', Path: 'x', AssumeRolePolicyDocument: TRUST })));
    expect(error.message).toMatch(/^2 validation errors detected: Value 'bad name' at 'roleName'.*; Value 'x' at 'path'/);
  });

  it('refuse a trust policy that is not JSON: MalformedPolicyDocument', async () => {
    const error = await failure(iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: '{"Version": ' })));
    expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual(['MalformedPolicyDocumentException', 'This policy contains invalid Json', 400]);
  });

  it('give the same name a new id and creation date when the role is made again', async () => {
    const { Role: first } = await createRole('deployer');
    await iam.send(new DeleteRoleCommand({ RoleName: 'deployer' }));
    const { Role: second } = await createRole('deployer');
    expect(second?.Arn).toBe(first?.Arn);
    expect(second?.RoleId).not.toBe(first?.RoleId);
  });
});

describe('DeleteRole', () => {
  it('removes the role, then answers NoSuchEntity', async () => {
    await createRole('deployer');
    await iam.send(new DeleteRoleCommand({ RoleName: 'Deployer' }));
    expect((await failure(iam.send(new GetRoleCommand({ RoleName: 'deployer' })))).name).toBe('NoSuchEntityException');
    const error = await failure(iam.send(new DeleteRoleCommand({ RoleName: 'deployer' })));
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['NoSuchEntityException', 404]);
  });
});

describe('ListRoles', () => {
  const names = async (input: { PathPrefix?: string; MaxItems?: number } = {}, client = iam): Promise<string[]> => {
    const roles: Role[] = [];
    for await (const page of paginateListRoles({ client, pageSize: input.MaxItems ?? 100 }, { ...input })) roles.push(...(page.Roles ?? []));
    return roles.map((role) => role.RoleName!);
  };

  it('lists the roles in name order, case ignored, with IsTruncated false on the last page', async () => {
    for (const name of ['charlie', 'Alpha', 'bravo']) await createRole(name);
    const page = await iam.send(new ListRolesCommand({}));
    expect(page.Roles?.map((role) => role.RoleName)).toEqual(['Alpha', 'bravo', 'charlie']);
    expect(page.IsTruncated).toBe(false);
    expect(page.Marker).toBeUndefined();
    expect(page.Roles?.[0]).toMatchObject({ Path: '/', RoleId: expect.stringMatching(/^AROA/) as unknown, CreateDate: expect.any(Date) as unknown });
  });

  it('pages with MaxItems and Marker, IsTruncated until the last page, neither repeating nor skipping', async () => {
    const all = Array.from({ length: 7 }, (_, i) => `role-${i}`);
    for (const name of all) await createRole(name);
    const first = await iam.send(new ListRolesCommand({ MaxItems: 3 }));
    expect(first.Roles).toHaveLength(3);
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toEqual(expect.any(String));
    expect(await names({ MaxItems: 3 })).toEqual(all);
  });

  it('keeps only the roles under PathPrefix', async () => {
    await createRole('AWSReservedSSO_Admin_1', { Path: SSO_PATH });
    await createRole('AWSReservedSSO_View_2', { Path: '/aws-reserved/sso.amazonaws.com/' });
    await createRole('deployer');
    expect(await names({ PathPrefix: '/aws-reserved/sso.amazonaws.com/' })).toEqual(['AWSReservedSSO_Admin_1', 'AWSReservedSSO_View_2']);
    expect(await names({ PathPrefix: SSO_PATH })).toEqual(['AWSReservedSSO_Admin_1']);
    expect(await names({ PathPrefix: '/' })).toHaveLength(3);
  });

  it('refuses a MaxItems out of 1–1000, a prefix without its /, and a Marker it did not give', async () => {
    const tooMany = await failure(iam.send(new ListRolesCommand({ MaxItems: 1001 })));
    expect([tooMany.name, tooMany.message]).toEqual([
      'ValidationError',
      "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000",
    ]);
    expect((await failure(iam.send(new ListRolesCommand({ PathPrefix: 'aws-reserved/' })))).name).toBe('ValidationError');
    const marker = await failure(iam.send(new ListRolesCommand({ Marker: 'not-a-marker' })));
    expect([marker.name, marker.$metadata?.httpStatusCode]).toEqual(['InvalidInputException', 400]);
    expect(marker.message).toContain('Marker');
  });

  it("shows each account only its own roles; a session's calls land in the role's account", async () => {
    const other = '210987654321';
    t.bed.emulator.state.setAccountForAccessKey('AKIDOTHER', other);
    const otherIam = t.bed.iam({ credentials: credentials('AKIDOTHER') });
    await createRole('deployer');
    await createRole('deployer', {}, otherIam);
    await createRole('auditor', {}, otherIam);
    expect(await names()).toEqual(['deployer']);
    expect(await names({}, otherIam)).toEqual(['auditor', 'deployer']);
    const { Role } = await otherIam.send(new GetRoleCommand({ RoleName: 'deployer' }));
    expect(Role?.Arn).toBe(`arn:aws:iam::${other}:role/deployer`);
  });
});
