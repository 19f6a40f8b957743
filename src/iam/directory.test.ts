import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../eks/errors.ts';
import type { AwsTarget } from '../eks/types.ts';
import { PrincipalDirectory } from './directory.ts';
import type { IamPrincipal, PrincipalReader } from './principals.ts';

const ACCOUNT = '111111111111';
const TARGET: AwsTarget = { region: 'eu-west-1' };
const role = (name: string, path = '/'): IamPrincipal => ({ arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}`, id: `AROA${name.toUpperCase()}`, createDate: new Date('2026-01-01Z') });
const iamError = (name: string) => new AwsCallError('GetRole', Object.assign(new Error(name), { name }), 'iam');

/** IAM as a list of roles and users, counting every call it answers. */
class FakeIam implements PrincipalReader {
  roles: IamPrincipal[] = [];
  users: IamPrincipal[] = [];
  calls: string[] = [];
  fail: Record<string, string> = {};

  #answer(operation: string): void {
    this.calls.push(operation);
    const error = this.fail[operation];
    if (error) throw iamError(error);
  }
  async getRole(_target: AwsTarget, name: string) {
    this.#answer('GetRole');
    return this.roles.find((r) => r.arn.endsWith(`/${name}`));
  }
  async getUser(_target: AwsTarget, name: string) {
    this.#answer('GetUser');
    return this.users.find((u) => u.arn.endsWith(`/${name}`));
  }
  async listRoles(_target: AwsTarget, pathPrefix?: string) {
    this.#answer(pathPrefix ? `ListRoles ${pathPrefix}` : 'ListRoles');
    return this.roles.filter((r) => r.arn.includes(`:role${pathPrefix ?? '/'}`));
  }
}

function setUp(options: { threshold?: number } = {}) {
  const iam = new FakeIam();
  let now = 0;
  const directory = new PrincipalDirectory({
    reader: iam,
    callerAccount: async () => ACCOUNT,
    ttlMs: 600_000,
    now: () => now,
    ...(options.threshold !== undefined ? { snapshotThreshold: options.threshold } : {}),
  });
  return { iam, directory, advance: (ms: number) => void (now += ms) };
}

describe('PrincipalDirectory.lookup', () => {
  it('reads a principal once per resync period, however many entries ask, and again after it (or when asked afresh)', async () => {
    const { iam, directory, advance } = setUp();
    iam.roles.push(role('dev'));
    const answers = await Promise.all(Array.from({ length: 5 }, () => directory.lookup(TARGET, role('dev').arn)));
    expect(answers.every((a) => a.kind === 'found' && a.principal.id === 'AROADEV')).toBe(true);
    advance(599_000);
    await directory.lookup(TARGET, role('dev').arn);
    expect(iam.calls).toEqual(['GetRole']);
    advance(1_000);
    await directory.lookup(TARGET, role('dev').arn);
    await directory.lookup(TARGET, role('dev').arn, { fresh: true });
    expect(iam.calls).toEqual(['GetRole', 'GetRole', 'GetRole']);
  });

  it('reads users with GetUser, and takes a name of another path for another principal', async () => {
    const { iam, directory } = setUp();
    const alice = { ...role('x'), arn: `arn:aws:iam::${ACCOUNT}:user/ops/alice`, id: 'AIDAALICE' };
    iam.users.push(alice);
    iam.roles.push(role('deployer', '/ci/'));
    expect(await directory.lookup(TARGET, alice.arn)).toMatchObject({ kind: 'found', principal: { id: 'AIDAALICE' } });
    expect(await directory.lookup(TARGET, `arn:aws:iam::${ACCOUNT}:role/deployer`)).toEqual({ kind: 'not-found' });
    expect(iam.calls).toEqual(['GetUser', 'GetRole']);
  });

  it('does not keep "not found" or a failure: the next reconcile asks again', async () => {
    const { iam, directory } = setUp();
    expect(await directory.lookup(TARGET, role('late').arn)).toEqual({ kind: 'not-found' });
    iam.roles.push(role('late'));
    expect(await directory.lookup(TARGET, role('late').arn)).toMatchObject({ kind: 'found' });
    iam.fail.GetRole = 'Throttling';
    expect(await directory.lookup(TARGET, role('other').arn)).toMatchObject({ kind: 'unknown' });
    delete iam.fail.GetRole;
    expect(await directory.lookup(TARGET, role('other').arn)).toEqual({ kind: 'not-found' });
  });

  it('does not check a principal of another account than the credentials, nor one IAM refuses to show, and says why', async () => {
    const { iam, directory } = setUp();
    const foreign = await directory.lookup(TARGET, 'arn:aws:iam::999999999999:role/x');
    expect(foreign).toMatchObject({ kind: 'unchecked', reason: expect.stringContaining('belongs to account 999999999999') as unknown });
    iam.fail.GetRole = 'AccessDenied';
    expect(await directory.lookup(TARGET, role('dev').arn)).toMatchObject({ kind: 'unchecked', reason: expect.stringContaining('iam:GetRole') as unknown });
    expect(iam.calls).toEqual(['GetRole']);
  });

  it('reads an account with many managed roles with one ListRoles pass per resync, a role the listing lacks with GetRole', async () => {
    const { iam, directory, advance } = setUp({ threshold: 3 });
    const names = ['a', 'b', 'c', 'd', 'e'];
    iam.roles.push(...names.map((n) => role(n)));
    for (const name of names) await directory.lookup(TARGET, role(name).arn);
    // The first three were read one by one; from the third on the account counts as many.
    advance(600_000);
    for (const name of names) expect(await directory.lookup(TARGET, role(name).arn)).toMatchObject({ kind: 'found' });
    iam.roles.push(role('new'));
    expect(await directory.lookup(TARGET, role('new').arn)).toMatchObject({ kind: 'found' });
    expect(iam.calls.filter((c) => c === 'ListRoles')).toHaveLength(2);
    expect(iam.calls.filter((c) => c === 'GetRole')).toHaveLength(3);
  });

  it('falls back to GetRole where IAM refuses ListRoles', async () => {
    const { iam, directory } = setUp({ threshold: 1 });
    iam.roles.push(role('a'), role('b'));
    iam.fail.ListRoles = 'AccessDenied';
    await directory.lookup(TARGET, role('a').arn);
    expect(await directory.lookup(TARGET, role('b').arn)).toMatchObject({ kind: 'found' });
    expect(iam.calls).toEqual(['ListRoles', 'GetRole', 'GetRole']);
  });
});

describe('PrincipalDirectory.ssoRoles', () => {
  it('lists the roles under the SSO path once per resync, sooner when asked for a fresher list', async () => {
    const { iam, directory, advance } = setUp();
    const sso = role('AWSReservedSSO_Admin_0123456789abcdef', '/aws-reserved/sso.amazonaws.com/eu-west-1/');
    iam.roles.push(sso, role('deployer'));
    expect(await directory.ssoRoles(TARGET)).toMatchObject({ accountId: ACCOUNT, roles: [sso] });
    advance(10_000);
    await directory.ssoRoles(TARGET);
    await directory.ssoRoles(TARGET, { maxAgeMs: 5_000 });
    expect(iam.calls).toEqual(['ListRoles /aws-reserved/sso.amazonaws.com/', 'ListRoles /aws-reserved/sso.amazonaws.com/']);
  });

  it('throws what IAM answered when it cannot list them', async () => {
    const { iam, directory } = setUp();
    iam.fail['ListRoles /aws-reserved/sso.amazonaws.com/'] = 'AccessDenied';
    await expect(directory.ssoRoles(TARGET)).rejects.toMatchObject({ awsName: 'AccessDenied' });
  });
});
