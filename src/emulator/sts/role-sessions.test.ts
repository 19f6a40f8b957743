import { describe, expect, it } from 'vitest';
import { AccountDirectory } from '../core/accounts.ts';
import { parseRoleArn } from '../core/arn.ts';
import { RoleAssumption } from './role-assumption.ts';
import { SessionDirectory, userPrincipal } from './role-sessions.ts';

const NOW = new Date('2025-03-01T10:00:00.750Z');
const role = parseRoleArn('arn:aws:iam::210987654321:role/ops/eks-manager')!;
const issue = (directory: SessionDirectory, sessionName = 's1', lifetimeSeconds = 900) =>
  directory.issue({ role, sessionName, lifetimeSeconds, assumedBy: 'arn:aws:iam::123456789012:user/emulator' }, NOW);

describe('SessionDirectory', () => {
  it('issues whole-second expirations and the session ARN without the role path', () => {
    const { session } = issue(new SessionDirectory());
    expect(session.issuedAt.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(session.expiration.toISOString()).toBe('2025-03-01T10:15:00.000Z');
    expect(session).toMatchObject({ accountId: '210987654321', roleArn: role.arn, arn: 'arn:aws:sts::210987654321:assumed-role/eks-manager/s1' });
  });

  it('hands out copies', () => {
    const directory = new SessionDirectory();
    const { session } = issue(directory);
    session.expiration.setTime(0);
    expect(directory.find(session.accessKeyId)?.expiration.getTime()).not.toBe(0);
    expect(directory.find(undefined)).toBeUndefined();
  });

  it('expires by key, by role, or all, counting only sessions still valid', () => {
    const directory = new SessionDirectory();
    const one = issue(directory, 'one').session;
    issue(directory, 'two');
    expect(directory.expire({ accessKeyId: one.accessKeyId }, NOW)).toBe(1);
    expect(directory.expire({ accessKeyId: one.accessKeyId }, NOW)).toBe(0);
    expect(directory.expire({ roleArn: 'arn:aws:iam::210987654321:role/other' }, NOW)).toBe(0);
    expect(directory.expire({}, NOW)).toBe(1);
    expect(directory.list().every((session) => session.expiration.getTime() === NOW.getTime())).toBe(true);
  });

  it('forgets the oldest sessions past its limit', () => {
    const directory = new SessionDirectory(2);
    const first = issue(directory, 'a').session;
    issue(directory, 'b');
    const { evicted } = issue(directory, 'c');
    expect(evicted).toEqual([first.accessKeyId]);
    expect(directory.list().map((session) => session.sessionName)).toEqual(['b', 'c']);
  });
});

describe('RoleAssumption', () => {
  it('maps issued keys to the role account and unmaps the ones it forgets', () => {
    const accounts = new AccountDirectory('123456789012');
    const roles = new RoleAssumption(accounts, { now: () => NOW, maxSessions: 1 });
    const caller = userPrincipal('123456789012', 'us-east-1');
    const first = roles.assume({ roleArn: role.arn, roleSessionName: 'aa' }, caller);
    expect(accounts.accountFor(first.accessKeyId)).toBe('210987654321');
    const second = roles.assume({ roleArn: role.arn, roleSessionName: 'bb' }, caller);
    expect(accounts.list()).toEqual({ [second.accessKeyId]: '210987654321' });
  });

  it('refuses a lifetime that is not a whole number of seconds', () => {
    const roles = new RoleAssumption(new AccountDirectory('123456789012'), { now: () => NOW });
    expect(() => roles.setSessionLifetime(0)).toThrow(/whole number of seconds ≥ 1/);
    roles.setSessionLifetime(5);
    expect(roles.assume({ roleArn: role.arn, roleSessionName: 'aa', durationSeconds: 3600 }, userPrincipal('123456789012', 'us-east-1')).expiration.toISOString()).toBe(
      '2025-03-01T10:00:05.000Z',
    );
  });
});
