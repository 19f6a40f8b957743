import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, credentials, failure, useTestBed } from '../test-support.ts';

const TARGET = '210987654321';
const OTHER = '111122223333';
const MANAGER = `arn:aws:iam::${TARGET}:role/eks-manager`;
const denial = (caller: string, roleArn = MANAGER): string => `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;

const t = useTestBed();

const assume = (sts: STSClient, input: { RoleArn?: string; ExternalId?: string; DurationSeconds?: number } = {}) =>
  sts.send(new AssumeRoleCommand({ RoleArn: MANAGER, RoleSessionName: 'controller', ...input }));

/** An STS client whose access key is in `account`. */
function stsIn(account: string) {
  t.bed.emulator.state.setAccountForAccessKey(`AKID${account}`, account);
  return t.bed.sts({ credentials: credentials(`AKID${account}`) });
}

describe('role trust', () => {
  it('lets anyone assume a role without a trust entry', async () => {
    await expect(assume(stsIn(OTHER))).resolves.toBeDefined();
    await expect(assume(t.bed.sts(), { ExternalId: 'whatever' })).resolves.toBeDefined();
  });

  it('answers AccessDenied (403) to a missing or wrong ExternalId, with one message for both', async () => {
    t.bed.emulator.state.setRoleTrust(MANAGER, { externalId: 'cluster-prod' });
    const missing = await failure(assume(t.bed.sts()));
    expect([missing.name, missing.message, missing.$metadata?.httpStatusCode]).toEqual(['AccessDenied', denial(`arn:aws:iam::${ACCOUNT}:user/emulator`), 403]);
    const wrong = await failure(assume(t.bed.sts(), { ExternalId: 'cluster-dev' }));
    expect([wrong.name, wrong.message]).toEqual([missing.name, missing.message]);
    await expect(assume(t.bed.sts(), { ExternalId: 'cluster-prod' })).resolves.toBeDefined();
    expect(t.bed.emulator.calls.outcomes().AssumeRole).toEqual({ AccessDenied: 2, ok: 1 });
  });

  it('admits only the callers listed: by account, root ARN, or principal ARN', async () => {
    const { state } = t.bed.emulator;
    state.setRoleTrust(MANAGER, { allowedCallers: [ACCOUNT] });
    await expect(assume(t.bed.sts())).resolves.toBeDefined();
    const stranger = await failure(assume(stsIn(OTHER)));
    expect([stranger.name, stranger.message]).toEqual(['AccessDenied', denial(`arn:aws:iam::${OTHER}:user/emulator`)]);
    state.setRoleTrust(MANAGER, { allowedCallers: [`arn:aws:iam::${OTHER}:root`] });
    await expect(assume(stsIn(OTHER))).resolves.toBeDefined();
    state.setRoleTrust(MANAGER, { allowedCallers: [`arn:aws:iam::${OTHER}:user/emulator`] });
    await expect(assume(stsIn(OTHER))).resolves.toBeDefined();
    expect((await failure(assume(t.bed.sts()))).name).toBe('AccessDenied');
  });

  it('admits the sessions of a listed role (role chaining), and checks the external id too', async () => {
    const hub = `arn:aws:iam::${OTHER}:role/hub`;
    const { state } = t.bed.emulator;
    state.setRoleTrust(MANAGER, { allowedCallers: [hub], externalId: 'x1' });
    const { Credentials } = await assume(t.bed.sts(), { RoleArn: hub });
    const viaHub = t.bed.sts({ credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! } });
    await expect(assume(viaHub, { ExternalId: 'x1' })).resolves.toBeDefined();
    const noId = await failure(assume(viaHub));
    expect(noId.message).toBe(denial(`arn:aws:sts::${OTHER}:assumed-role/hub/controller`));
    expect((await failure(assume(t.bed.sts(), { ExternalId: 'x1' }))).name).toBe('AccessDenied');
  });

  it("enforces the role's MaxSessionDuration", async () => {
    t.bed.emulator.state.setRoleTrust(MANAGER, { maxSessionDuration: 3600 });
    const error = await failure(assume(t.bed.sts(), { DurationSeconds: 3601 }));
    expect([error.name, error.message]).toEqual(['ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.']);
    await expect(assume(t.bed.sts(), { DurationSeconds: 3600 })).resolves.toBeDefined();
  });

  it('refuses entries it could never honour, naming the field', () => {
    const { state } = t.bed.emulator;
    expect(() => state.setRoleTrust('arn:aws:iam::210987654321:user/u', {})).toThrow(/roleArn must be an IAM role ARN/);
    expect(() => state.setRoleTrust(MANAGER, { externalId: 'x' })).toThrow(/externalId must be 2 to 1224/);
    expect(() => state.setRoleTrust(MANAGER, { allowedCallers: ['12345'] })).toThrow(/allowedCallers/);
    expect(() => state.setRoleTrust(MANAGER, { maxSessionDuration: 900 })).toThrow(/maxSessionDuration/);
    expect(() => state.setRoleTrust(MANAGER, { externalID: 'abc' } as never)).toThrow(/got 'externalID'/);
  });

  it('is listed, replaced, removed, and forgotten on reset', () => {
    const { state } = t.bed.emulator;
    state.setRoleTrust(MANAGER, { externalId: 'one' });
    state.setRoleTrust(MANAGER, { externalId: 'two', allowedCallers: ['*'] });
    expect(state.roleTrust(MANAGER)).toEqual({ externalId: 'two', allowedCallers: ['*'] });
    expect(state.roleTrusts()).toEqual({ [MANAGER]: { externalId: 'two', allowedCallers: ['*'] } });
    expect(state.removeRoleTrust(MANAGER)).toBe(true);
    expect(state.removeRoleTrust(MANAGER)).toBe(false);
    state.setRoleTrust(MANAGER, { externalId: 'three' });
    state.reset();
    expect(state.roleTrusts()).toEqual({});
  });

  it('has admin routes', async () => {
    const admin = async (method: string, path: string, body?: unknown) => {
      const { status, json } = await t.bed.admin(method, path, body);
      return { status, body: json };
    };
    const path = `/role-trust/${encodeURIComponent(MANAGER)}`;
    expect(await admin('PUT', path, { externalId: 'abc', allowedCallers: [ACCOUNT] })).toEqual({
      status: 200,
      body: { roleArn: MANAGER, trust: { externalId: 'abc', allowedCallers: [ACCOUNT] } },
    });
    expect((await admin('GET', '/role-trust')).body).toEqual({ roles: { [MANAGER]: { externalId: 'abc', allowedCallers: [ACCOUNT] } } });
    expect(await failure(assume(t.bed.sts()))).toMatchObject({ name: 'AccessDenied' });
    expect((await admin('PUT', path, { externalId: 1 })).status).toBe(400);
    expect((await admin('DELETE', path)).status).toBe(200);
    expect((await admin('DELETE', path)).status).toBe(404);

    const { Credentials } = await assume(t.bed.sts());
    const sessions = (await admin('GET', '/sessions')).body;
    expect(sessions).toEqual({
      sessionLifetime: null,
      sessions: [expect.objectContaining({ accessKeyId: Credentials?.AccessKeyId, roleArn: MANAGER, accountId: TARGET, expired: false })],
    });
    expect(JSON.stringify(sessions)).not.toContain(Credentials!.SessionToken!);
    expect((await admin('PUT', '/session-lifetime', { seconds: 30 })).body).toEqual({ seconds: 30 });
    expect(t.bed.emulator.state.sessionLifetime()).toBe(30);
    expect((await admin('PUT', '/session-lifetime', {})).body).toEqual({ seconds: null });
    expect((await admin('POST', '/sessions/expire', {})).body).toEqual({ expired: 1 });
    expect((await admin('GET', '/sessions')).body.sessions).toEqual([expect.objectContaining({ expired: true })]);
  });
});
