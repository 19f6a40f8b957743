import { CreateAccessEntryCommand } from '@aws-sdk/client-eks';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { EmulatorState } from '../state.ts';
import { ACCOUNT, useTestBed } from '../test-support.ts';

const t = useTestBed();
const OTHER = '210987654321';
const SSO_ROLE = `arn:aws:iam::${OTHER}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef`;

describe('state.iam', () => {
  it("makes roles and users in the default account (or the one given), with a trust policy for the role's own account by default", () => {
    const { iam } = t.bed.emulator.state;
    const role = iam.createRole({ roleName: 'deployer', path: '/ci/' });
    expect(role).toMatchObject({ accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:role/ci/deployer`, path: '/ci/', roleName: 'deployer', maxSessionDuration: 3600 });
    expect(JSON.parse(role.assumeRolePolicyDocument)).toMatchObject({ Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] });
    expect(iam.createUser({ userName: 'alice' }, { accountId: OTHER }).arn).toBe(`arn:aws:iam::${OTHER}:user/alice`);
    expect(iam.getUser('alice')).toBeUndefined();
    expect(iam.getUser('ALICE', { accountId: OTHER })?.userName).toBe('alice');
    expect(iam.listRoles().map((r) => r.arn)).toEqual([role.arn]);
    expect(iam.listUsers({ accountId: ACCOUNT })).toEqual([]);
  });

  it('applies the rules of the API: bad names, paths and trust policies, names in use, are refused with what to fix', () => {
    const { iam } = t.bed.emulator.state;
    expect(() => iam.createRole({ roleName: 'a b' })).toThrow(/at 'roleName' failed to satisfy constraint/);
    expect(() => iam.createRole({ roleName: 'a', path: 'ci' })).toThrow(/at 'path' failed to satisfy constraint/);
    expect(() => iam.createRole({ roleName: 'a', assumeRolePolicyDocument: 'nope' })).toThrow('This policy contains invalid Json');
    iam.createRole({ roleName: 'a' });
    expect(() => iam.createRole({ roleName: 'A' })).toThrow('Role with name A already exists.');
    expect(() => iam.createRole({ roleName: 'b' }, { accountId: '12' })).toThrow(/accountId must be 12 digits/);
  });

  it('makes a principal from its ARN (path, name, account, partition), and finds it and its id by exact ARN', () => {
    const { iam } = t.bed.emulator.state;
    const role = iam.createPrincipal(SSO_ROLE);
    expect(role).toMatchObject({ accountId: OTHER, arn: SSO_ROLE, path: '/aws-reserved/sso.amazonaws.com/eu-west-1/', roleName: 'AWSReservedSSO_Admin_0123456789abcdef' });
    const china = iam.createPrincipal('arn:aws-cn:iam::123456789012:user/ops/bob');
    expect(china).toMatchObject({ accountId: ACCOUNT, arn: 'arn:aws-cn:iam::123456789012:user/ops/bob', userName: 'bob' });
    expect(iam.principal(SSO_ROLE)).toEqual(role);
    expect(iam.principalId(SSO_ROLE)).toBe('roleId' in role ? role.roleId : undefined);
    expect(iam.principalId(`arn:aws:iam::${OTHER}:role/AWSReservedSSO_Admin_0123456789abcdef`)).toBeUndefined();
    expect(() => iam.createPrincipal(`arn:aws:sts::${OTHER}:assumed-role/x/y`)).toThrow(/is not an IAM role or user ARN/);
  });

  it('gives a role made again under the same ARN a new id, and forgets everything on reset', () => {
    const { iam } = t.bed.emulator.state;
    const first = iam.createRole({ roleName: 'deployer' });
    expect(iam.deleteRole('Deployer')?.roleId).toBe(first.roleId);
    expect(iam.deleteRole('deployer')).toBeUndefined();
    const second = iam.createRole({ roleName: 'deployer' });
    expect(second.roleId).not.toBe(first.roleId);
    expect(iam.principalId(second.arn)).toBe(second.roleId);
    t.bed.emulator.state.reset();
    expect(iam.listRoles()).toEqual([]);
  });

  it('dates principals to the whole second by the state clock', () => {
    const state = new EmulatorState({ accountId: ACCOUNT, defaultRegion: 'us-east-1', now: () => new Date('2026-03-04T05:06:07.890Z') });
    expect(state.iam.createRole({ roleName: 'r' }).createDate).toEqual(new Date('2026-03-04T05:06:07Z'));
  });
});

describe('what other services see of IAM', () => {
  it('an access entry remembers the id of the principal IAM had when it was made (issue 19), and none when IAM had none', async () => {
    const role = t.bed.emulator.state.iam.createRole({ roleName: 'dev' });
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role.arn }));
    await t.eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: `arn:aws:iam::${ACCOUNT}:role/unknown` }));
    const seeded = t.bed.emulator.state.seedAccessEntry('demo', { principalArn: t.bed.emulator.state.iam.createUser({ userName: 'alice' }).arn });
    expect(t.bed.emulator.state.getAccessEntry('demo', role.arn)?.principalId).toBe(role.roleId);
    expect(t.bed.emulator.state.getAccessEntry('demo', `arn:aws:iam::${ACCOUNT}:role/unknown`)).not.toHaveProperty('principalId');
    expect(seeded.principalId).toMatch(/^AIDA/);
  });

  it("AssumeRole of a role IAM has names the session after the role's id, as STS does", async () => {
    const role = t.bed.emulator.state.iam.createRole({ roleName: 'ops' });
    const { AssumedRoleUser } = await t.bed.sts().send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'me' }));
    expect(AssumedRoleUser?.AssumedRoleId).toBe(`${role.roleId}:me`);
    const { Role } = await t.bed.iam().send(new GetRoleCommand({ RoleName: 'ops' }));
    expect(Role?.RoleId).toBe(role.roleId);
  });
});
