import { describe, expect, it } from 'vitest';
import type { IamPrincipal } from './principals.ts';
import { isRoleOf, matchPermissionSet } from './sso.ts';

const arn = (path: string, name: string): string => `arn:aws:iam::111111111111:role${path}${name}`;
const role = (path: string, name: string): IamPrincipal => ({ arn: arn(path, name), id: `AROA${name.length}`, createDate: new Date(0) });
const SSO = '/aws-reserved/sso.amazonaws.com/';

describe('which roles Identity Center provisioned for a permission set', () => {
  it.each([
    { what: 'the role under the SSO path', path: SSO, name: 'AWSReservedSSO_Admin_0123456789abcdef', match: true },
    { what: 'with a region segment after the path', path: `${SSO}eu-west-1/`, name: 'AWSReservedSSO_Admin_0123456789ABCDEF', match: true },
    { what: 'a permission set whose name starts the same', path: SSO, name: 'AWSReservedSSO_Admin_ReadOnly_0123456789abcdef', match: false },
    { what: 'a longer name', path: SSO, name: 'AWSReservedSSO_AdminX_0123456789abcdef', match: false },
    { what: 'a suffix that is not 16 hex digits', path: SSO, name: 'AWSReservedSSO_Admin_0123456789abcdeg', match: false },
    { what: 'another case of the name', path: SSO, name: 'AWSReservedSSO_admin_0123456789abcdef', match: false },
    { what: 'the name outside the SSO path', path: '/', name: 'AWSReservedSSO_Admin_0123456789abcdef', match: false },
    { what: 'two segments after the path', path: `${SSO}eu-west-1/x/`, name: 'AWSReservedSSO_Admin_0123456789abcdef', match: false },
  ])('$what: $match', ({ path, name, match }) => {
    expect(isRoleOf('Admin', arn(path, name))).toBe(match);
  });

  it('finds one, none, or several (sorted), and never a user', () => {
    const one = role(SSO, 'AWSReservedSSO_Admin_0123456789abcdef');
    expect(matchPermissionSet('Admin', [one, role(SSO, 'AWSReservedSSO_Admin_Extra_0123456789abcdef')])).toEqual({ kind: 'one', role: one });
    expect(matchPermissionSet('View', [one])).toEqual({ kind: 'none' });
    const other = role(`${SSO}us-east-1/`, 'AWSReservedSSO_Admin_fedcba9876543210');
    expect(matchPermissionSet('Admin', [other, one])).toEqual({ kind: 'several', roles: [one, other] });
    expect(isRoleOf('Admin', `arn:aws:iam::111111111111:user${SSO}AWSReservedSSO_Admin_0123456789abcdef`)).toBe(false);
  });
});
