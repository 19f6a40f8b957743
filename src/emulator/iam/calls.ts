// IAM on the emulator's port, over IAM's query protocol (`POST /` with `Action=GetRole&
// Version=2010-05-08&…`, signed for the service `iam` in us-east-1, IAM being global): roles and
// users, kept per account, the account chosen as for EKS calls (access key, or assumed role).
import type { ServerResponse } from 'node:http';
import { partitionForRegion, principalArn } from '../core/arn.ts';
import type { Authorization } from '../core/audit.ts';
import type { ServiceCall } from '../core/call-pipeline.ts';
import type { OperationContext } from '../core/context.ts';
import { present } from '../core/optional.ts';
import { queryProtocol, sendQueryError, type XmlMembers } from '../core/query-protocol.ts';
import { IAM_OPERATIONS, isIamOperation, type IamOperation } from '../operations.ts';
import { createRole, deleteRole, getRole, listRoles } from './roles.ts';
import { createUser, deleteUser, getUser } from './users.ts';
import { IAM_SERVICE, IAM_VERSION } from './wire.ts';

type Handler = (context: OperationContext, form: URLSearchParams) => XmlMembers | undefined;

const HANDLERS: Record<IamOperation, Handler> = {
  CreateRole: createRole,
  GetRole: getRole,
  DeleteRole: deleteRole,
  ListRoles: listRoles,
  CreateUser: createUser,
  GetUser: getUser,
  DeleteUser: deleteUser,
};

/** The call the form names, or undefined when it names no IAM action the emulator has (already answered). */
export function decodeIamCall(form: URLSearchParams, response: ServerResponse, requestId: string): ServiceCall | undefined {
  const action = form.get('Action');
  if (!isIamOperation(action)) {
    const message = `Could not find operation ${action ?? '(no Action)'} for version ${IAM_VERSION}; the emulator's IAM has only ${IAM_OPERATIONS.join(', ')}.`;
    sendQueryError(response, IAM_SERVICE, { status: 400, error: 'InvalidAction', message }, requestId);
    return undefined;
  }
  const roleName = form.get('RoleName') ?? undefined;
  const userName = form.get('UserName') ?? undefined;
  return {
    operation: action,
    target: { operation: action, ...present('roleName', roleName), ...present('userName', userName) },
    protocol: queryProtocol(IAM_SERVICE, action, requestId),
    authorize: (context) => authorizeIamCall(action, context, form),
    run: (context) => HANDLERS[action](context, form),
  };
}

/**
 * On the role or user the call names (its ARN as IAM has it, else as the request would make
 * it), the caller itself for GetUser without a name, and `*` for ListRoles.
 */
function authorizeIamCall(action: IamOperation, { state, location, principal }: OperationContext, form: URLSearchParams): Authorization {
  if (action === 'ListRoles') return { resourceArn: '*' };
  const kind = action.endsWith('Role') ? 'role' : 'user';
  const name = form.get(kind === 'role' ? 'RoleName' : 'UserName');
  if (name === null) return { resourceArn: action === 'GetUser' ? principal.arn : '*' };
  const existing = kind === 'role' ? state.iam.getRole(name, location) : state.iam.getUser(name, location);
  if (existing !== undefined && !action.startsWith('Create')) return { resourceArn: existing.arn };
  const path = (action.startsWith('Create') ? form.get('Path') : undefined) ?? '/';
  return { resourceArn: principalArn({ partition: partitionForRegion(location.region), accountId: location.accountId, kind, path, name }) };
}
