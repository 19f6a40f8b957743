// CreateUser, GetUser, DeleteUser, from their query-protocol members to IAM's answers.
import type { OperationContext } from '../core/context.ts';
import { EksError, resourceNotFound } from '../core/errors.ts';
import { assertNoProblems } from '../core/member-constraints.ts';
import { present } from '../core/optional.ts';
import type { XmlMembers } from '../core/query-protocol.ts';
import type { IamUser } from './principals.ts';
import { nameProblems, pathProblems } from './rules.ts';
import { userXml } from './wire.ts';

export function createUser({ state, location }: OperationContext, form: URLSearchParams): XmlMembers {
  const userName = form.get('UserName') ?? undefined;
  const path = form.get('Path') ?? undefined;
  assertNoProblems([...nameProblems('userName', userName), ...pathProblems(path)]);
  return { User: userXml(state.iam.createUser({ userName: userName ?? '', ...present('path', path) }, location)) };
}

/** Without UserName, the caller: IAM finds the user from the access key, and refuses role sessions. */
export function getUser(context: OperationContext, form: URLSearchParams): XmlMembers {
  const name = form.get('UserName');
  if (name === null) return { User: userXml(callerUser(context)) };
  assertNoProblems(nameProblems('userName', name));
  return { User: userXml(context.state.iam.requireUser(name, context.location)) };
}

export function deleteUser({ state, location }: OperationContext, form: URLSearchParams): undefined {
  const name = form.get('UserName') ?? undefined;
  assertNoProblems(nameProblems('userName', name));
  if (state.iam.deleteUser(name ?? '', location) === undefined) throw resourceNotFound(`The user with name ${name} cannot be found.`);
  return undefined;
}

/** The user the caller's long-term keys belong to: one IAM has under that ARN, else the emulator's own user. */
function callerUser({ state, principal }: OperationContext): IamUser {
  if (principal.session !== undefined) throw new EksError('ValidationException', 'Must specify userName when calling with non-User credentials');
  const known = state.iam.principal(principal.arn);
  if (known !== undefined && 'userId' in known) return known;
  return state.iam.emulatorUser(principal);
}
