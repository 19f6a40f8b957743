// The OpenAPI half of CRD validation: the schema is handed to ajv, and its errors are reworded as
// kube-openapi's, converted to field errors as apiextensions-apiserver converts them.
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import { fromJsonPointer, child } from './field-path.ts';
import { checkNumberFormat, checkStringFormat, type FormatVerdict } from './formats.ts';
import {
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
  goQuote,
  type ValidationIssue,
} from './issues.ts';
import type { Re2Cache } from './re2.ts';
import type { SchemaNode } from './schema-node.ts';

export interface SchemaFinding {
  issue: ValidationIssue;
  /** Where in the object, as a JSON pointer (/spec/tags/team): what ratcheting compares. */
  pointer: string;
  /**
   * Whether it is of a kind that stops the API server from running the CEL rules: a wrong type or
   * format, an unsupported enum value, a missing required field, too long, too many.
   */
  blocksRules: boolean;
}

const FORMAT_KEYWORD = 'k8sFormat';
const BLOCKING = new Set(['type', 'enum', 'required', 'maxLength', 'maxItems', 'maxProperties', FORMAT_KEYWORD]);
const BRANCHES = /\/(anyOf|oneOf|not)\//;

/** Compiles the schema once; the returned function checks one (pruned, defaulted) object. */
export function compileSchema(root: SchemaNode, regexes: Re2Cache): (value: unknown) => SchemaFinding[] {
  const regExp = Object.assign((pattern: string) => regexes.compile(pattern), { code: 're2' });
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: false, code: { regExp } });
  ajv.addKeyword({ keyword: FORMAT_KEYWORD, schemaType: 'string', errors: true, validate: checkFormat });
  const validate: ValidateFunction = ajv.compile(toAjvSchema(root));
  return (value) => {
    if (validate(value)) return [];
    return (validate.errors ?? [])
      .filter((error) => !BRANCHES.test(error.schemaPath))
      .map((error) => ({
        issue: toIssue(error, value),
        pointer: error.instancePath,
        blocksRules: BLOCKING.has(error.keyword) && error.params.verdict !== 'unchecked',
      }));
  };
}

/** The structural schema as JSON Schema for ajv: Kubernetes' extensions turned into keywords. */
export function toAjvSchema(node: SchemaNode): SchemaObject {
  const out: SchemaObject = {};
  for (const key of COPIED) if (node[key] !== undefined) out[key] = node[key];
  if (node['x-kubernetes-int-or-string'] === true) out.type = ['integer', 'string'];
  // Kubernetes' schemas are OpenAPI 3.0: exclusive bounds are flags on minimum and maximum.
  if (node.exclusiveMinimum === true) [out.exclusiveMinimum, out.minimum] = [node.minimum, undefined];
  if (node.exclusiveMaximum === true) [out.exclusiveMaximum, out.maximum] = [node.maximum, undefined];
  if (node.format !== undefined) out[FORMAT_KEYWORD] = node.format;
  return { ...out, ...subschemas(node) };
}

function subschemas(node: SchemaNode): SchemaObject {
  const out: SchemaObject = {};
  if (node.properties) out.properties = mapValues(node.properties, toAjvSchema);
  if (typeof node.additionalProperties === 'object') out.additionalProperties = toAjvSchema(node.additionalProperties);
  if (node.items) out.items = toAjvSchema(node.items);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = node[key];
    if (branches) out[key] = branches.map(toAjvSchema);
  }
  if (node.not) out.not = toAjvSchema(node.not);
  return out;
}

const COPIED = [
  'type', 'required', 'enum', 'nullable', 'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems',
  'minProperties', 'maxProperties', 'minimum', 'maximum', 'multipleOf',
] as const;

function mapValues<T, U>(record: Record<string, T>, fn: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}

interface FormatCheck {
  (format: string, data: unknown): boolean;
  errors?: Partial<ErrorObject>[];
}

const checkFormat: FormatCheck = (format, data) => {
  let verdict: FormatVerdict = 'valid';
  if (typeof data === 'string') verdict = checkStringFormat(format, data);
  else if (typeof data === 'number') verdict = checkNumberFormat(format, data);
  if (verdict === 'valid') return true;
  checkFormat.errors = [{ keyword: FORMAT_KEYWORD, params: { format, verdict } }];
  return false;
};

/** The JSON type kube-openapi names in a type error: whole numbers are "integer". */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function toIssue(error: ErrorObject, root: unknown): ValidationIssue {
  const path = fromJsonPointer(error.instancePath, root);
  const data: unknown = error.data;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return typeInvalid(path, jsonType(data), `${path} in body must be of type ${String(params.type)}: ${goQuote(jsonType(data))}`);
    case 'required':
      return required(child(path, String(params.missingProperty)));
    case 'enum':
      return notSupported(path, data, params.allowedValues as unknown[]);
    case FORMAT_KEYWORD:
      return formatIssue(path, data, params);
    case 'maxLength':
      return tooLong(path, params.limit as number);
    case 'maxItems':
    case 'maxProperties':
      return tooMany(path, count(data), params.limit as number);
    default:
      return invalid(path, shownValue(error.keyword, data), `${path} in body ${KUBE_OPENAPI_WORDING[error.keyword]?.(params) ?? 'is invalid'}`);
  }
}

const count = (data: unknown): number => (Array.isArray(data) ? data.length : Object.keys(data as object).length);

/** The value kube-openapi puts in the error: the count for collections, the value otherwise. */
function shownValue(keyword: string, data: unknown): unknown {
  if (keyword === 'minItems' || keyword === 'minProperties') return count(data);
  if (keyword === 'anyOf' || keyword === 'oneOf' || keyword === 'not') return '';
  return data;
}

type Params = Record<string, unknown>;
const KUBE_OPENAPI_WORDING: Record<string, (params: Params) => string> = {
  minLength: (p) => `should be at least ${String(p.limit)} chars long`,
  minItems: (p) => `should have at least ${String(p.limit)} items`,
  minProperties: (p) => `should have at least ${String(p.limit)} properties`,
  pattern: (p) => `should match '${String(p.pattern)}'`,
  minimum: (p) => `should be greater than or equal to ${String(p.limit)}`,
  exclusiveMinimum: (p) => `should be greater than ${String(p.limit)}`,
  maximum: (p) => `should be less than or equal to ${String(p.limit)}`,
  exclusiveMaximum: (p) => `should be less than ${String(p.limit)}`,
  multipleOf: (p) => `should be a multiple of ${String(p.multipleOf)}`,
  anyOf: () => 'must validate at least one schema (anyOf)',
  oneOf: () => 'must validate one and only one schema (oneOf)',
  not: () => 'must not validate the schema (not)',
};

function formatIssue(path: string, data: unknown, params: Record<string, unknown>): ValidationIssue {
  const format = String(params.format);
  if (params.verdict === 'unchecked') {
    return {
      field: path,
      message: `could not check format ${format} offline (the API server checks it with Go code not reproduced here)`,
      kind: 'schema',
      severity: 'unchecked',
    };
  }
  if (typeof data === 'number') return invalid('', '', `Checked value must be of type integer with format ${format} in ${path}`);
  return typeInvalid(path, data, `${path} in body must be of type ${format}: ${goQuote(String(data))}`);
}
