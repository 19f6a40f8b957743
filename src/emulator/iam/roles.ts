// CreateRole, GetRole, DeleteRole, ListRoles, from their query-protocol members to IAM's answers.
import type { OperationContext } from '../core/context.ts';
import { resourceNotFound } from '../core/errors.ts';
import { assertNoProblems, formNumber } from '../core/member-constraints.ts';
import { present } from '../core/optional.ts';
import { paginate } from '../core/pagination.ts';
import type { XmlMembers } from '../core/query-protocol.ts';
import { sortKey } from './principals.ts';
import { checkRole, DEFAULT_LIST_ITEMS, listProblems, nameProblems } from './rules.ts';
import { roleXml } from './wire.ts';

const member = (form: URLSearchParams, name: string): string | undefined => form.get(name) ?? undefined;

export function createRole({ state, location }: OperationContext, form: URLSearchParams): XmlMembers {
  const input = {
    roleName: member(form, 'RoleName'),
    path: member(form, 'Path'),
    assumeRolePolicyDocument: member(form, 'AssumeRolePolicyDocument'),
    description: member(form, 'Description'),
    maxSessionDuration: formNumber(form, 'MaxSessionDuration'),
  };
  // On the wire the trust policy is required: checked here, before the state would give a default.
  checkRole(input.roleName, input.path, input);
  const role = state.iam.createRole(
    {
      roleName: input.roleName ?? '',
      ...present('path', input.path),
      ...present('assumeRolePolicyDocument', input.assumeRolePolicyDocument),
      ...present('description', input.description),
      ...present('maxSessionDuration', input.maxSessionDuration),
    },
    location,
  );
  return { Role: roleXml(role) };
}

export function getRole({ state, location }: OperationContext, form: URLSearchParams): XmlMembers {
  return { Role: roleXml(state.iam.requireRole(roleName(form), location)) };
}

export function deleteRole({ state, location }: OperationContext, form: URLSearchParams): undefined {
  const name = roleName(form);
  if (state.iam.deleteRole(name, location) === undefined) throw resourceNotFound(`The role with name ${name} cannot be found.`);
  return undefined;
}

/** In name order, `MaxItems` (default 100, at most 1,000) a page; `Marker` is the last page's. */
export function listRoles({ state, location }: OperationContext, form: URLSearchParams): XmlMembers {
  const maxItems = formNumber(form, 'MaxItems');
  const marker = member(form, 'Marker');
  assertNoProblems(listProblems({ ...present('maxItems', maxItems), ...present('marker', marker) }));
  const roles = state.iam.listRoles({ accountId: location.accountId, ...present('pathPrefix', member(form, 'PathPrefix')) });
  const page = paginate(roles, (role) => sortKey(role, role.roleName), {
    maxResults: maxItems ?? DEFAULT_LIST_ITEMS,
    token: marker ?? null,
    tokenName: 'Marker',
  });
  return { Roles: page.items.map(roleXml), IsTruncated: String(page.nextToken !== undefined), ...present('Marker', page.nextToken) };
}

/** RoleName, checked as IAM checks it. */
function roleName(form: URLSearchParams): string {
  const name = member(form, 'RoleName');
  assertNoProblems(nameProblems('roleName', name));
  return name ?? '';
}
