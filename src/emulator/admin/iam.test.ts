import { GetRoleCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, useTestBed } from '../test-support.ts';

const t = useTestBed();
const admin = (method: string, path: string, body?: unknown) => t.bed.admin(method, path, body);
const OTHER = '210987654321';

describe('admin API: IAM', () => {
  it('makes a role that the SDK then finds, lists it, and deletes it', async () => {
    const made = await admin('POST', '/iam/roles', { roleName: 'deployer', path: '/ci/', description: 'CI' });
    expect(made.status).toBe(201);
    expect(made.json.role).toMatchObject({ arn: `arn:aws:iam::${ACCOUNT}:role/ci/deployer`, roleId: expect.stringMatching(/^AROA/) as unknown, description: 'CI' });
    const { Role } = await t.bed.iam().send(new GetRoleCommand({ RoleName: 'deployer' }));
    expect(Role?.RoleId).toBe((made.json.role as { roleId: string }).roleId);
    expect((await admin('GET', '/iam/roles?pathPrefix=/ci/')).json.roles).toEqual([made.json.role]);
    expect((await admin('GET', '/iam/roles?pathPrefix=/other/')).json.roles).toEqual([]);
    expect((await admin('DELETE', '/iam/roles/deployer')).status).toBe(200);
    expect(await admin('DELETE', '/iam/roles/deployer')).toEqual({
      status: 404,
      json: { error: 'NoSuchEntity', message: 'The role with name deployer cannot be found.' },
    });
  });

  it('makes users, in another account when asked', async () => {
    expect((await admin('POST', '/iam/users', { userName: 'alice', accountId: OTHER })).status).toBe(201);
    expect((await admin('GET', `/iam/users?accountId=${OTHER}`)).json.users).toMatchObject([{ userName: 'alice', arn: `arn:aws:iam::${OTHER}:user/alice` }]);
    expect((await admin('GET', `/iam/users?accountId=${ACCOUNT}`)).json.users).toEqual([]);
    expect((await admin('DELETE', `/iam/users/alice?accountId=${OTHER}`)).status).toBe(200);
  });

  it('makes a principal from its ARN, and finds one by ARN', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:user/people/bob`;
    const made = await admin('POST', '/iam/principals', { arn });
    expect(made).toMatchObject({ status: 201, json: { principal: { arn, userName: 'bob', path: '/people/' } } });
    const { User } = await t.bed.iam().send(new GetUserCommand({ UserName: 'bob' }));
    expect(User?.Arn).toBe(arn);
    expect((await admin('GET', `/iam/principals/${encodeURIComponent(arn)}`)).json.principal).toEqual(made.json.principal);
    expect((await admin('GET', `/iam/principals/${encodeURIComponent(`arn:aws:iam::${ACCOUNT}:user/bob`)}`)).status).toBe(404);
    expect((await admin('GET', '/state')).json.iam).toEqual({ roles: [], users: [made.json.principal] });
  });

  it.each([
    { what: 'a name in use', path: '/iam/roles', body: { roleName: 'taken' }, status: 409, error: 'EntityAlreadyExists', message: /already exists/ },
    { what: 'a bad name', path: '/iam/roles', body: { roleName: 'a b' }, status: 400, error: 'ValidationError', message: /roleName/ },
    { what: 'a trust policy that is not JSON', path: '/iam/roles', body: { roleName: 'x', assumeRolePolicyDocument: '{' }, status: 400, error: 'MalformedPolicyDocument', message: /invalid Json/ },
    { what: 'no userName', path: '/iam/users', body: {}, status: 400, error: 'InvalidInput', message: /userName is required/ },
    { what: 'an ARN that is no principal', path: '/iam/principals', body: { arn: 'arn:aws:s3:::bucket' }, status: 400, error: 'BadRequest', message: /not an IAM role or user ARN/ },
  ])('refuses $what with IAM’s code', async ({ path, body, status, error, message }) => {
    t.bed.emulator.state.iam.createRole({ roleName: 'taken' });
    const answer = await admin('POST', path, body);
    expect([answer.status, answer.json.error]).toEqual([status, error]);
    expect(String(answer.json.message)).toMatch(message);
  });
});
