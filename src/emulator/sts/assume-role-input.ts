// AssumeRole's input rules, with STS's wording: the member constraints are gathered into one
// "N validation errors detected: …" ValidationError, as STS reports them; an ARN of the right
// length that is not a role's is "Request ARN is invalid".
import { parseRoleArn, type RoleArn } from '../core/arn.ts';
import { EksError } from '../core/errors.ts';
import { assertNoProblems, lengthProblems, optionalLengthProblems, patternProblems, rangeProblems } from '../core/member-constraints.ts';
import { EXTERNAL_ID_CHARACTERS, MAX_SESSION_SECONDS } from './role-trust.ts';

/** What the caller sent; everything optional, as on the wire. */
export interface AssumeRoleInput {
  roleArn?: string;
  roleSessionName?: string;
  /** NaN when the wire value was not a number. */
  durationSeconds?: number;
  externalId?: string;
}

export interface AssumeRoleRequest {
  role: RoleArn;
  sessionName: string;
  durationSeconds: number;
  externalId?: string;
}

export const DEFAULT_SESSION_SECONDS = 3_600;
export const MIN_SESSION_SECONDS = 900;
const SESSION_NAME = /^[\w+=,.@-]*$/;

/** The checked request, or a ValidationException (STS's ValidationError). */
export function checkAssumeRoleInput(input: AssumeRoleInput): AssumeRoleRequest {
  assertNoProblems([
    ...lengthProblems('roleArn', input.roleArn, 20, 2048),
    ...lengthProblems('roleSessionName', input.roleSessionName, 2, 64),
    ...patternProblems('roleSessionName', input.roleSessionName, SESSION_NAME, '[\\w+=,.@-]*'),
    ...durationProblems(input.durationSeconds),
    ...optionalLengthProblems('externalId', input.externalId, 2, 1224),
    ...patternProblems('externalId', input.externalId, EXTERNAL_ID_CHARACTERS, '[\\w+=,./@:-]*'),
  ]);
  const role = parseRoleArn(input.roleArn ?? '');
  if (role === undefined) throw new EksError('ValidationException', 'Request ARN is invalid');
  return {
    role,
    sessionName: input.roleSessionName ?? '',
    durationSeconds: input.durationSeconds ?? DEFAULT_SESSION_SECONDS,
    ...(input.externalId === undefined ? {} : { externalId: input.externalId }),
  };
}

function durationProblems(seconds: number | undefined): string[] {
  if (seconds !== undefined && !Number.isInteger(seconds)) {
    return [`Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must be a whole number of seconds`];
  }
  return rangeProblems('durationSeconds', seconds, MIN_SESSION_SECONDS, MAX_SESSION_SECONDS);
}
