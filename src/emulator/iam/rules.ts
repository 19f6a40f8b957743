// IAM's member constraints for roles and users, worded as IAM words them (one ValidationError
// listing every problem), and its one rule on trust policies: they are JSON.
import { EksError } from '../core/errors.ts';
import { assertNoProblems, lengthProblems, optionalLengthProblems, patternProblems, rangeProblems } from '../core/member-constraints.ts';

/** Role and user names: 1 to 64 of these; unique per account whatever their case. */
const NAME = /^[\w+=,.@-]+$/;
const NAME_SHOWN = '[\\w+=,.@-]+';
/** A path begins and ends with `/`, with printable ASCII between. */
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
const PATH_SHOWN = '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)';
const PATH_PREFIX = /^\/[\u0021-\u007F]*$/;
const PATH_PREFIX_SHOWN = '\\u002F[\\u0021-\\u007F]*';
const POLICY_DOCUMENT = /^[\t\n\r\u0020-\u00FF]+$/;
const POLICY_DOCUMENT_SHOWN = '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+';

export const DEFAULT_MAX_SESSION_SECONDS = 3_600;
export const MAX_LIST_ITEMS = 1_000;
export const DEFAULT_LIST_ITEMS = 100;

export function nameProblems(member: 'roleName' | 'userName', name: string | undefined): string[] {
  return [...lengthProblems(member, name, 1, 64), ...patternProblems(member, name, NAME, NAME_SHOWN)];
}

export function pathProblems(path: string | undefined): string[] {
  return [...optionalLengthProblems('path', path, 1, 512), ...patternProblems('path', path, PATH, PATH_SHOWN)];
}

export function pathPrefixProblems(prefix: string | undefined): string[] {
  return [...optionalLengthProblems('pathPrefix', prefix, 1, 512), ...patternProblems('pathPrefix', prefix, PATH_PREFIX, PATH_PREFIX_SHOWN)];
}

export function listProblems({ maxItems, marker }: { maxItems?: number; marker?: string }): string[] {
  return [...rangeProblems('maxItems', maxItems, 1, MAX_LIST_ITEMS), ...optionalLengthProblems('marker', marker, 1, 320)];
}

export interface RoleSettings {
  assumeRolePolicyDocument: string | undefined;
  description?: string;
  maxSessionDuration?: number;
}

export function roleSettingsProblems({ assumeRolePolicyDocument, description, maxSessionDuration }: RoleSettings): string[] {
  return [
    ...lengthProblems('assumeRolePolicyDocument', assumeRolePolicyDocument, 1, 131_072),
    ...patternProblems('assumeRolePolicyDocument', assumeRolePolicyDocument, POLICY_DOCUMENT, POLICY_DOCUMENT_SHOWN),
    ...optionalLengthProblems('description', description, 0, 1000),
    ...rangeProblems('maxSessionDuration', maxSessionDuration, DEFAULT_MAX_SESSION_SECONDS, 43_200),
  ];
}

/** IAM checks the member constraints first, all at once, then whether the trust policy is JSON. */
export function checkRole(roleName: string | undefined, path: string | undefined, settings: RoleSettings): void {
  assertNoProblems([...nameProblems('roleName', roleName), ...pathProblems(path), ...roleSettingsProblems(settings)]);
  checkPolicyDocument(settings.assumeRolePolicyDocument ?? '');
}

/** A policy must be a JSON object; IAM's grammar checks go further, the emulator's stop there. */
function checkPolicyDocument(document: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw new EksError('MalformedPolicyDocumentException', 'This policy contains invalid Json');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EksError('MalformedPolicyDocumentException', 'The policy document must be a JSON object with a Statement.');
  }
}
