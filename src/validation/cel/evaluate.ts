// Runs the CEL rules of a CRD over an object as apiextensions-apiserver does: each rule at its
// node with self bound to the node's value, transition rules (oldSelf) only where an old value
// correlates (update), messageExpression for the message, and errors of unchanged values let
// through as warnings (CRD validation ratcheting).
import { isCelError, type CelError } from '@bufbuild/cel';
import { child, index, key } from '../field-path.ts';
import {
  duplicate,
  forbidden,
  invalid,
  OMIT_VALUE,
  required,
  type IssueSeverity,
  type ValidationIssue,
} from '../issues.ts';
import { isObject, mapValueSchema, type SchemaNode } from '../schema-node.ts';
import { compileRules, type CompiledRule } from './compile.ts';
import type { RuleEnvironment } from './environment.ts';
import { toCelValue } from './values.ts';
import { isDeepStrictEqual } from 'node:util';

/** The schema nodes that hold rules, or lead to nodes that do. */
export interface RuleNode {
  schema: SchemaNode;
  rules: CompiledRule[];
  properties: Map<string, RuleNode>;
  mapValues?: RuleNode;
  items?: RuleNode;
}

export function compileRuleTree(schema: SchemaNode, environment: RuleEnvironment): RuleNode | undefined {
  const properties = new Map<string, RuleNode>();
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const node = compileRuleTree(property, environment);
    if (node) properties.set(name, node);
  }
  const valueSchema = mapValueSchema(schema);
  const mapValues = valueSchema && compileRuleTree(valueSchema, environment);
  const items = schema.items && compileRuleTree(schema.items, environment);
  const rules = compileRules(schema, environment);
  if (rules.length === 0 && properties.size === 0 && !mapValues && !items) return undefined;
  return { schema, rules, properties, ...(mapValues && { mapValues }), ...(items && { items }) };
}

export interface UncheckableRule {
  /** The schema node of the rule, as a path of property names ([*] for items and map values). */
  node: string;
  rule: string;
  reason: string;
}

/** The rules of the tree that cannot be run offline, and why; empty for this project's CRDs. */
export function uncheckableRules(tree: RuleNode | undefined, node = ''): UncheckableRule[] {
  if (!tree) return [];
  const here = tree.rules.filter((r) => !r.program).map((r) => ({ node, rule: r.rule.rule, reason: r.uncheckable ?? '' }));
  const below = [...tree.properties].flatMap(([name, child]) => uncheckableRules(child, node === '' ? name : `${node}.${name}`));
  return [...here, ...below, ...uncheckableRules(tree.items, `${node}[*]`), ...uncheckableRules(tree.mapValues, `${node}[*]`)];
}

interface Visit {
  path: string;
  value: unknown;
  /** The old value this one correlates with (same field, same map key, same list-map key). */
  old: unknown;
  /** Whether errors here are ratcheted: this value, or its nearest correlatable ancestor, is unchanged. */
  unchanged: boolean;
}

/** Every rule's verdict over value; old is the stored object on update, undefined on create. */
export function evaluateRuleTree(tree: RuleNode, value: unknown, old: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  visit(tree, { path: '', value, old, unchanged: old !== undefined && isDeepStrictEqual(value, old) }, issues);
  return issues;
}

function visit(node: RuleNode, at: Visit, issues: ValidationIssue[]): void {
  if (at.value === null || at.value === undefined) return;
  // Converted once for all the node's rules: a spec-level rule would otherwise convert the spec each time.
  const bindings = lazyBindings(node.schema, at);
  for (const rule of node.rules) {
    const issue = evaluateRule(rule, node.schema, at, bindings);
    if (issue) issues.push(issue);
  }
  if (Array.isArray(at.value)) visitItems(node, at, issues);
  else if (isObject(at.value)) visitFields(node, at, issues);
}

function visitFields(node: RuleNode, at: Visit, issues: ValidationIssue[]): void {
  const value = at.value as Record<string, unknown>;
  const old = isObject(at.old) ? at.old : undefined;
  for (const [name, fieldValue] of Object.entries(value)) {
    const property = node.properties.get(name);
    const next = property ?? (node.schema.properties?.[name] ? undefined : node.mapValues);
    if (!next) continue;
    const path = property ? child(at.path, name) : key(at.path, name);
    const oldValue = old?.[name];
    visit(next, { path, value: fieldValue, old: oldValue, unchanged: oldValue !== undefined && isDeepStrictEqual(fieldValue, oldValue) }, issues);
  }
}

function visitItems(node: RuleNode, at: Visit, issues: ValidationIssue[]): void {
  if (!node.items) return;
  const items = node.items;
  const oldItem = correlateListItems(node.schema, at.old);
  (at.value as unknown[]).forEach((item, i) => {
    const old = oldItem(item);
    // Items of atomic and set lists correlate with nothing: they ratchet with their list.
    const unchanged = old === undefined ? at.unchanged : isDeepStrictEqual(item, old);
    visit(items, { path: index(at.path, i), value: item, old, unchanged }, issues);
  });
}

/** Only list-type map lists correlate old items with new ones, by their key fields. */
function correlateListItems(schema: SchemaNode, old: unknown): (item: unknown) => unknown {
  const keys = schema['x-kubernetes-list-map-keys'];
  if (schema['x-kubernetes-list-type'] !== 'map' || !keys || !Array.isArray(old)) return () => undefined;
  const identity = (item: unknown): string => JSON.stringify(keys.map((k) => (isObject(item) ? item[k] : undefined)));
  const byKey = new Map<string, unknown>(old.map((item: unknown) => [identity(item), item]));
  return (item) => byKey.get(identity(item));
}

type Bindings = (withOldSelf: boolean) => Record<string, unknown>;

function lazyBindings(schema: SchemaNode, at: Visit): Bindings {
  let self: unknown;
  let oldSelf: unknown;
  return (withOldSelf) => {
    self ??= toCelValue(at.value, schema);
    if (!withOldSelf) return { self };
    oldSelf ??= toCelValue(at.old, schema);
    return { self, oldSelf };
  };
}

function evaluateRule(compiled: CompiledRule, schema: SchemaNode, at: Visit, lazy: Bindings): ValidationIssue | undefined {
  const { rule } = compiled;
  if (compiled.usesOldSelf && at.old === undefined) return undefined;
  if (!compiled.program) {
    return { field: at.path, message: `could not check rule offline: ${rule.rule.trim()}: ${compiled.uncheckable ?? ''}`, kind: 'rule', severity: 'unchecked' };
  }
  const bindings = lazy(compiled.usesOldSelf);
  const result = compiled.program(bindings);
  if (isCelError(result)) return runtimeError(result, compiled, schema, at.path);
  if (result === true) return undefined;
  const severity: IssueSeverity = !compiled.usesOldSelf && at.unchanged ? 'warning' : 'error';
  const field = compiled.fieldPath === '' ? at.path : child(at.path, compiled.fieldPath);
  return ruleFailure({ field, value: shownValue(schema, at.value), detail: failureMessage(compiled, bindings), reason: rule.reason, severity });
}

/** The API server shows the value only for rules on scalars; objects, lists and maps are left out. */
function shownValue(schema: SchemaNode, value: unknown): unknown {
  return isObject(value) || Array.isArray(value) || schema.type === 'object' || schema.type === 'array' ? OMIT_VALUE : value;
}

/** What the API server's cap on messageExpression results is, in bytes. */
const MAX_MESSAGE_EXPRESSION_BYTES = 5 * 1024;

function failureMessage(compiled: CompiledRule, bindings: Record<string, unknown>): string {
  const evaluated = compiled.message?.(bindings);
  if (typeof evaluated === 'string') {
    const trimmed = evaluated.trim();
    if (trimmed !== '' && !trimmed.includes('\n') && Buffer.byteLength(trimmed) <= MAX_MESSAGE_EXPRESSION_BYTES) return trimmed;
  }
  const message = compiled.rule.message?.trim() ?? '';
  return message !== '' ? message : `failed rule: ${compiled.rule.rule.trim()}`;
}

interface Failure {
  field: string;
  value: unknown;
  detail: string;
  reason: CompiledRule['rule']['reason'];
  severity: IssueSeverity;
}

/** The field error a failed rule makes, of the type its reason names (Invalid by default). */
function ruleFailure({ field, value, detail, reason, severity }: Failure): ValidationIssue {
  const origin = { kind: 'rule', severity } as const;
  if (reason === 'FieldValueForbidden') return forbidden(field, detail, origin);
  if (reason === 'FieldValueRequired') return required(field, detail, origin);
  if (reason === 'FieldValueDuplicate') return { ...duplicate(field, value), ...origin };
  return invalid(field, value, detail, origin);
}

/** How the API server reports a rule that failed to evaluate, with cel-go's wording where known. */
function runtimeError(error: CelError, compiled: CompiledRule, schema: SchemaNode, path: string): ValidationIssue {
  const origin = { kind: 'rule', severity: 'error' } as const;
  const ruleText = compiled.rule.message?.trim() || compiled.rule.rule.trim();
  const missingKey = /^field not found: (.*)$/.exec(error.message);
  const cause = missingKey ? `no such key: ${missingKey[1]}` : error.message;
  if (/no matching overload/.test(error.message)) {
    return invalid(path, schema.type ?? '', `'${cause}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText}`, origin);
  }
  return invalid(path, schema.type ?? '', `${cause} evaluating rule: ${ruleText}`, origin);
}
