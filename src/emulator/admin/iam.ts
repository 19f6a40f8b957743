// Admin routes over IAM: roles and users made and removed out of band (as Terraform or the
// console would), so tests, demos and CLI tests can seed the principals their entries name.
// Errors carry IAM's codes (EntityAlreadyExists, NoSuchEntity, ValidationError).
import { EksError } from '../core/errors.ts';
import { optionalString, requiredString, type JsonObject } from '../core/json.ts';
import { queryErrorAnswer } from '../core/query-protocol.ts';
import { present } from '../core/optional.ts';
import type { EmulatorServices } from '../core/services.ts';
import type { CreateRoleInput, CreateUserInput, ListPrincipalsFilter } from '../iam/iam-state.ts';
import { IAM_SERVICE } from '../iam/wire.ts';
import { created, need, ok, type AdminAnswer, type AdminRequest, type AdminRoute } from './types.ts';

export const IAM_ROUTES: readonly AdminRoute[] = [
  ['GET', '/_emulator/iam/roles', iam(({ state }, { location, query }) => ok({ roles: state.iam.listRoles(listFilter(location.accountId, query)) }))],
  ['POST', '/_emulator/iam/roles', iam(({ state }, { body, location }) => created({ role: state.iam.createRole(roleInput(body), location) }))],
  ['DELETE', '/_emulator/iam/roles/{name}', iam(({ state }, { params, location }) => removed('role', state.iam.deleteRole(need(params.name), location), params.name))],
  ['GET', '/_emulator/iam/users', iam(({ state }, { location, query }) => ok({ users: state.iam.listUsers(listFilter(location.accountId, query)) }))],
  ['POST', '/_emulator/iam/users', iam(({ state }, { body, location }) => created({ user: state.iam.createUser(userInput(body), location) }))],
  ['DELETE', '/_emulator/iam/users/{name}', iam(({ state }, { params, location }) => removed('user', state.iam.deleteUser(need(params.name), location), params.name))],
  ['POST', '/_emulator/iam/principals', iam(({ state }, { body }) => created({ principal: state.iam.createPrincipal(requiredString(body, 'arn')) }))],
  ['GET', '/_emulator/iam/principals/{arn}', iam(({ state }, { params }) => found(state.iam.principal(need(params.arn)), params.arn))],
];

/** Runs a handler, answering the errors IAM would give with IAM's code and status. */
function iam(handler: (services: EmulatorServices, request: AdminRequest) => AdminAnswer): (services: EmulatorServices, request: AdminRequest) => AdminAnswer {
  return (services, request) => {
    try {
      return handler(services, request);
    } catch (error) {
      if (!(error instanceof EksError)) throw error;
      const { status, error: code } = queryErrorAnswer(IAM_SERVICE, error);
      return { status, body: { error: code, message: error.message } };
    }
  };
}

function roleInput(body: JsonObject): CreateRoleInput {
  const { maxSessionDuration } = body;
  if (maxSessionDuration !== undefined && typeof maxSessionDuration !== 'number') throw new Error('maxSessionDuration must be a number of seconds.');
  return {
    roleName: requiredString(body, 'roleName'),
    ...present('path', optionalString(body, 'path')),
    ...present('assumeRolePolicyDocument', optionalString(body, 'assumeRolePolicyDocument')),
    ...present('description', optionalString(body, 'description')),
    ...present('maxSessionDuration', maxSessionDuration),
  };
}

function userInput(body: JsonObject): CreateUserInput {
  return { userName: requiredString(body, 'userName'), ...present('path', optionalString(body, 'path')) };
}

/** `?accountId=` (else every account) and `?pathPrefix=`. */
function listFilter(accountId: string | undefined, query: URLSearchParams): ListPrincipalsFilter {
  return { ...present('accountId', accountId), ...present('pathPrefix', query.get('pathPrefix') ?? undefined) };
}

function removed(kind: 'role' | 'user', principal: object | undefined, name: string | undefined): AdminAnswer {
  if (principal !== undefined) return ok({ removed: principal });
  return { status: 404, body: { error: 'NoSuchEntity', message: `The ${kind} with name ${name} cannot be found.` } };
}

function found(principal: object | undefined, arn: string | undefined): AdminAnswer {
  if (principal !== undefined) return ok({ principal });
  return { status: 404, body: { error: 'NoSuchEntity', message: `IAM has no role or user with the ARN ${arn}.` } };
}
