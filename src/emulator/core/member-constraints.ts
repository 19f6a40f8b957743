// The member constraints of the query-protocol services (STS, IAM), checked and worded as they
// word them: every problem of a request gathered into one ValidationError,
// "N validation error(s) detected: Value 'x' at 'member' failed to satisfy constraint: …; …".
import { EksError } from './errors.ts';

/** A missing member, or one shorter or longer than allowed. */
export function lengthProblems(member: string, value: string | undefined, min: number, max: number): string[] {
  if (value === undefined) return [`Value null at '${member}' failed to satisfy constraint: Member must not be null`];
  return optionalLengthProblems(member, value, min, max);
}

/** Like lengthProblems, for a member that may be left out. */
export function optionalLengthProblems(member: string, value: string | undefined, min: number, max: number): string[] {
  if (value === undefined) return [];
  if (value.length < min) return [`Value '${value}' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`];
  if (value.length > max) return [`Value '${value}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`];
  return [];
}

/** A member (when present) that does not match the service's pattern; `shown` is the pattern as the service prints it. */
export function patternProblems(member: string, value: string | undefined, pattern: RegExp, shown: string): string[] {
  if (value === undefined || pattern.test(value)) return [];
  return [`Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${shown}`];
}

/** A whole-number member (when present) outside [min, max]; NaN stands for a wire value that was not a number. */
export function rangeProblems(member: string, value: number | undefined, min: number, max: number): string[] {
  if (value === undefined) return [];
  const at = `Value '${value}' at '${member}' failed to satisfy constraint:`;
  if (!Number.isInteger(value)) return [`${at} Member must be a whole number`];
  if (value < min) return [`${at} Member must have value greater than or equal to ${min}`];
  if (value > max) return [`${at} Member must have value less than or equal to ${max}`];
  return [];
}

/** Throws one ValidationException (the services' ValidationError) listing every problem; nothing when there is none. */
export function assertNoProblems(problems: string[]): void {
  if (problems.length === 0) return;
  const count = problems.length === 1 ? '1 validation error' : `${problems.length} validation errors`;
  throw new EksError('ValidationException', `${count} detected: ${problems.join('; ')}`);
}

/** A whole number from the form, NaN when it is not one (which rangeProblems refuses), undefined when absent. */
export function formNumber(form: URLSearchParams, member: string): number | undefined {
  const raw = form.get(member);
  if (raw === null) return undefined;
  return /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
}
