import { describe, expect, it } from 'vitest';
import { eksDefaultUsername, isServiceLinkedRole, isSsoRole, parsePrincipalArn, principalArn, principalKey } from './principals.ts';

describe('principal ARNs', () => {
  it.each([
    ['a role', 'arn:aws:iam::111122223333:role/admins', { kind: 'role', path: '/', name: 'admins' }],
    ['a role with a path', 'arn:aws:iam::111122223333:role/teams/platform/admins', { kind: 'role', path: '/teams/platform/', name: 'admins' }],
    ['a user', 'arn:aws-cn:iam::111122223333:user/alice', { kind: 'user', partition: 'aws-cn', name: 'alice' }],
    ['an SSO role', 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef', { path: '/aws-reserved/sso.amazonaws.com/eu-west-1/' }],
  ])('reads %s', (_, arn, expected) => {
    const principal = parsePrincipalArn(arn);
    expect(principal).toMatchObject(expected);
    expect(principalArn(principal!)).toBe(arn);
  });

  it.each([
    ['an assumed-role session', 'arn:aws:sts::111122223333:assumed-role/admins/alice'],
    ['an IAM group', 'arn:aws:iam::111122223333:group/admins'],
    ['a short account', 'arn:aws:iam::1111:role/admins'],
    ['another partition', 'arn:aws-iso:iam::111122223333:role/admins'],
    ['a name with a space', 'arn:aws:iam::111122223333:role/my admins'],
    ['a name too long', `arn:aws:iam::111122223333:role/${'a'.repeat(65)}`],
    ['no name', 'arn:aws:iam::111122223333:role/'],
    ['an account root', 'arn:aws:iam::111122223333:root'],
  ])('refuses %s', (_, arn) => {
    expect(parsePrincipalArn(arn)).toBeUndefined();
  });

  it('keys a principal by account, kind and name, whatever its path or letter case', () => {
    const key = (arn: string): string => principalKey(parsePrincipalArn(arn)!);
    expect(key('arn:aws:iam::111122223333:role/Admins')).toBe(key('arn:aws:iam::111122223333:role/teams/admins'));
    expect(key('arn:aws:iam::111122223333:role/admins')).not.toBe(key('arn:aws:iam::111122223333:user/admins'));
    expect(key('arn:aws:iam::111122223333:role/admins')).not.toBe(key('arn:aws:iam::444455556666:role/admins'));
  });

  it('tells service-linked and SSO roles', () => {
    expect(isServiceLinkedRole(parsePrincipalArn('arn:aws:iam::111122223333:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS')!)).toBe(true);
    expect(isServiceLinkedRole(parsePrincipalArn('arn:aws:iam::111122223333:role/AWSServiceRoleForAmazonEKS')!)).toBe(false);
    expect(isSsoRole(parsePrincipalArn('arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef')!)).toBe(true);
    expect(isSsoRole(parsePrincipalArn('arn:aws:iam::111122223333:user/AWSReservedSSO_Admin')!)).toBe(false);
  });

  it.each([
    ['a role: its sessions, without the path', 'arn:aws:iam::111122223333:role/teams/admins', 'arn:aws:sts::111122223333:assumed-role/admins/{{SessionName}}'],
    ['a role in China', 'arn:aws-cn:iam::111122223333:role/admins', 'arn:aws-cn:sts::111122223333:assumed-role/admins/{{SessionName}}'],
    ['a user: its ARN', 'arn:aws:iam::111122223333:user/people/alice', 'arn:aws:iam::111122223333:user/people/alice'],
  ])('knows the username EKS gives %s', (_, arn, username) => {
    expect(eksDefaultUsername(parsePrincipalArn(arn)!)).toBe(username);
  });
});
