// What offline validation reports, worded as the API server words its field errors
// (k8s.io/apimachinery/pkg/util/validation/field), so a message seen in `plan` is the one kubectl
// would print for the same document.

import { BACKSLASH_ESCAPES } from './escapes.ts';

/**
 * Where an issue comes from: the API server's own request checks (apiVersion, kind, metadata,
 * unknown fields), the CRD's OpenAPI schema, or one of its CEL rules (x-kubernetes-validations).
 */
export type IssueKind = 'request' | 'schema' | 'rule';

/**
 * error: the API server refuses the document for it. warning: the API server accepts it but says
 * so (an unknown field it drops; an old error it lets pass on update, as CRD validation
 * ratcheting does). unchecked: the offline validator could not decide; ask the API server.
 */
export type IssueSeverity = 'error' | 'warning' | 'unchecked';

export interface ValidationIssue {
  /** The field the API server names, such as spec.principalArn or spec.tags[team]; '' for none. */
  field: string;
  /** What follows "field: " in the API server's message, such as 'Required value'. */
  message: string;
  kind: IssueKind;
  severity: IssueSeverity;
}

/** The issue as one line, as the API server prints a cause (`<nil>` where it names no field). */
export function formatIssue(issue: ValidationIssue): string {
  return `${issue.field === '' ? '<nil>' : issue.field}: ${issue.message}`;
}

/** True when the API server would refuse the document: some issue is an error. */
export function isRefused(issues: readonly ValidationIssue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}

/** The API server's cause when schema errors kept it from running the CEL rules. */
export const RULES_NOT_CHECKED =
  'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

/** A value the API server leaves out of a message (for rules on objects, lists and maps). */
export const OMIT_VALUE: unique symbol = Symbol('omit value');
type BadValue = unknown;

/**
 * The value as field.Error.ErrorBody prints it: numbers and booleans bare, strings quoted as Go's
 * %q does, anything else as JSON.
 */
export function describeValue(value: BadValue): string {
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return canonicalJson(value);
}

/** JSON with object keys sorted, as Go's encoding/json prints a map. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const entries = Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Go's strconv.Quote: printable characters as they are, the rest escaped. */
export function goQuote(text: string): string {
  let quoted = '"';
  for (const char of text) {
    const escape = BACKSLASH_ESCAPES[char];
    if (escape !== undefined) quoted += escape;
    else if (/\p{Cc}|\p{Cf}|\p{Zl}|\p{Zp}|\p{Co}|\p{Cn}|\p{Cs}/u.test(char)) quoted += goEscapeCodePoint(char.codePointAt(0)!);
    else quoted += char;
  }
  return `${quoted}"`;
}

function goEscapeCodePoint(codePoint: number): string {
  if (codePoint < 0x80) return `\\x${codePoint.toString(16).padStart(2, '0')}`;
  if (codePoint < 0x10000) return `\\u${codePoint.toString(16).padStart(4, '0')}`;
  return `\\U${codePoint.toString(16).padStart(8, '0')}`;
}

type Origin = Pick<ValidationIssue, 'kind' | 'severity'>;
const SCHEMA_ERROR: Origin = { kind: 'schema', severity: 'error' };

/** field.Invalid: `Invalid value: <value>: <detail>`, or without the value for OMIT_VALUE. */
export function invalid(field: string, value: BadValue, detail: string, origin: Origin = SCHEMA_ERROR): ValidationIssue {
  const shown = value === OMIT_VALUE ? 'Invalid value' : `Invalid value: ${describeValue(value)}`;
  return { field, message: detail === '' ? shown : `${shown}: ${detail}`, ...origin };
}

/** field.Required: `Required value`. */
export function required(field: string, detail = '', origin: Origin = SCHEMA_ERROR): ValidationIssue {
  return { field, message: detail === '' ? 'Required value' : `Required value: ${detail}`, ...origin };
}

/** field.Forbidden: `Forbidden: <detail>`. */
export function forbidden(field: string, detail: string, origin: Origin = SCHEMA_ERROR): ValidationIssue {
  return { field, message: `Forbidden: ${detail}`, ...origin };
}

/** field.NotSupported: `Unsupported value: <value>: supported values: "a", "b"`. */
export function notSupported(field: string, value: BadValue, supported: readonly unknown[]): ValidationIssue {
  // Non-string enum values are JSON-encoded first, then quoted like the rest.
  const quoted = supported.map((v) => goQuote(typeof v === 'string' ? v : JSON.stringify(v)));
  return { field, message: `Unsupported value: ${describeValue(value)}: supported values: ${quoted.join(', ')}`, ...SCHEMA_ERROR };
}

/** field.TooLong: the value is left out, and the limit is in "bytes" though characters are counted. */
export function tooLong(field: string, maxLength: number): ValidationIssue {
  return { field, message: `Too long: may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}`, ...SCHEMA_ERROR };
}

/** field.TooMany: `Too many: <actual>: must have at most <max> items` (maps count as items too). */
export function tooMany(field: string, actual: number, max: number): ValidationIssue {
  return { field, message: `Too many: ${actual}: must have at most ${max} ${max === 1 ? 'item' : 'items'}`, ...SCHEMA_ERROR };
}

/** field.Duplicate: `Duplicate value: <value>`. */
export function duplicate(field: string, value: BadValue): ValidationIssue {
  return { field, message: `Duplicate value: ${describeValue(value)}`, ...SCHEMA_ERROR };
}

/** field.TypeInvalid: worded as Invalid, with kube-openapi's detail. */
export function typeInvalid(field: string, value: BadValue, detail: string): ValidationIssue {
  return invalid(field, value, detail);
}
