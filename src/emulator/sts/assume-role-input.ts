// AssumeRole's input rules, with STS's wording: the member constraints are gathered into one
// "N validation errors detected: …" ValidationError, as STS reports them; an ARN of the right
// length that is not a role's is "Request ARN is invalid".
import { parseRoleArn, type RoleArn } from '../core/arn.ts';
import { EksError } from '../core/errors.ts';
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
  const problems = [
    ...lengthProblems('roleArn', input.roleArn, 20, 2048),
    ...lengthProblems('roleSessionName', input.roleSessionName, 2, 64),
    ...patternProblems('roleSessionName', input.roleSessionName, SESSION_NAME, '[\\w+=,.@-]*'),
    ...durationProblems(input.durationSeconds),
    ...(input.externalId === undefined ? [] : lengthProblems('externalId', input.externalId, 2, 1224)),
    ...patternProblems('externalId', input.externalId, EXTERNAL_ID_CHARACTERS, '[\\w+=,./@:-]*'),
  ];
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 validation error' : `${problems.length} validation errors`;
    throw new EksError('ValidationException', `${count} detected: ${problems.join('; ')}`);
  }
  const role = parseRoleArn(input.roleArn ?? '');
  if (role === undefined) throw new EksError('ValidationException', 'Request ARN is invalid');
  return {
    role,
    sessionName: input.roleSessionName ?? '',
    durationSeconds: input.durationSeconds ?? DEFAULT_SESSION_SECONDS,
    ...(input.externalId === undefined ? {} : { externalId: input.externalId }),
  };
}

function lengthProblems(member: string, value: string | undefined, min: number, max: number): string[] {
  if (value === undefined) return [`Value null at '${member}' failed to satisfy constraint: Member must not be null`];
  if (value.length < min) return [`Value '${value}' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`];
  if (value.length > max) return [`Value '${value}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`];
  return [];
}

function patternProblems(member: string, value: string | undefined, pattern: RegExp, shown: string): string[] {
  if (value === undefined || pattern.test(value)) return [];
  return [`Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${shown}`];
}

function durationProblems(seconds: number | undefined): string[] {
  if (seconds === undefined) return [];
  const at = `Value '${seconds}' at 'durationSeconds' failed to satisfy constraint:`;
  if (!Number.isInteger(seconds)) return [`${at} Member must be a whole number of seconds`];
  if (seconds < MIN_SESSION_SECONDS) return [`${at} Member must have value greater than or equal to ${MIN_SESSION_SECONDS}`];
  if (seconds > MAX_SESSION_SECONDS) return [`${at} Member must have value less than or equal to ${MAX_SESSION_SECONDS}`];
  return [];
}
