// One node's x-kubernetes-validations, parsed and planned once so that each document only runs
// them. A rule that cannot be run faithfully offline carries the reason instead of a program.
import { parse, plan, type CelResult } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { mapValueSchema, type SchemaNode, type ValidationRule } from '../schema-node.ts';
import type { RuleEnvironment } from './environment.ts';
import { unsupportedValueIn } from './values.ts';

export type Program = (bindings: Record<string, unknown>) => CelResult;

export interface CompiledRule {
  rule: ValidationRule;
  /** A transition rule: it reads oldSelf, so it runs only on update. */
  usesOldSelf: boolean;
  /** Absent when the rule cannot be checked offline; then uncheckable says why. */
  program?: Program;
  uncheckable?: string;
  message?: Program;
  /** fieldPath normalized as the API server appends it to the node's path (region, tags[a.b]). */
  fieldPath: string;
}

export function compileRules(schema: SchemaNode, environment: RuleEnvironment): CompiledRule[] {
  const valueProblem = unsupportedValueIn(schema);
  return (schema['x-kubernetes-validations'] ?? []).map((rule) => compileRule(rule, schema, environment, valueProblem));
}

function compileRule(rule: ValidationRule, schema: SchemaNode, environment: RuleEnvironment, valueProblem?: string): CompiledRule {
  const base = { rule, usesOldSelf: false, fieldPath: normalizeFieldPath(rule.fieldPath, schema) };
  try {
    const parsed = parse(rule.rule);
    const compiled: CompiledRule = { ...base, usesOldSelf: mentions(parsed.expr, 'oldSelf') };
    const missing = environment.missingFunctions(parsed.expr);
    if (missing.length > 0) return { ...compiled, uncheckable: `it uses ${missing.join(', ')}, which the offline validator does not implement` };
    if (rule.optionalOldSelf === true) return { ...compiled, uncheckable: 'optionalOldSelf needs CEL optional values, which the offline validator does not implement' };
    if (valueProblem) return { ...compiled, uncheckable: valueProblem };
    return { ...compiled, program: plan(environment.env, parsed) as Program, message: compileMessage(rule.messageExpression, environment) };
  } catch (error) {
    return { ...base, uncheckable: `the offline CEL parser cannot read it (${error instanceof Error ? error.message : String(error)})` };
  }
}

/** A messageExpression the offline engine cannot run falls back to message, as a failing one does. */
function compileMessage(expression: string | undefined, environment: RuleEnvironment): Program | undefined {
  if (expression === undefined) return undefined;
  try {
    const parsed = parse(expression);
    return environment.missingFunctions(parsed.expr).length > 0 ? undefined : (plan(environment.env, parsed) as Program);
  } catch {
    return undefined;
  }
}

/** Whether the expression refers to the variable name (comprehension variables aside, as in cel-go). */
function mentions(expr: Expr | undefined, name: string): boolean {
  if (!expr) return false;
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'identExpr':
      return kind.value.name === name;
    case 'selectExpr':
      return mentions(kind.value.operand, name);
    case 'callExpr':
      return mentions(kind.value.target, name) || kind.value.args.some((arg) => mentions(arg, name));
    case 'listExpr':
      return kind.value.elements.some((e) => mentions(e, name));
    case 'structExpr':
      return kind.value.entries.some((e) => mentions(e.value, name) || (e.keyKind.case === 'mapKey' && mentions(e.keyKind.value, name)));
    case 'comprehensionExpr': {
      const c = kind.value;
      return [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].some((e) => mentions(e, name));
    }
    default:
      return false;
  }
}

const FIELD_PATH_TOKEN = /\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]/gy;

/**
 * A rule's fieldPath (.region, .tags['a.b']) as field.Path prints it relative to the node:
 * declared properties as names (region), map keys in brackets (tags[a.b]).
 */
export function normalizeFieldPath(fieldPath: string | undefined, schema: SchemaNode): string {
  if (!fieldPath) return '';
  let normalized = '';
  let node: SchemaNode | undefined = schema;
  FIELD_PATH_TOKEN.lastIndex = 0;
  for (let m = FIELD_PATH_TOKEN.exec(fieldPath); m; m = FIELD_PATH_TOKEN.exec(fieldPath)) {
    const name = m[1] ?? m[2]!.replace(/\\(.)/g, '$1');
    const named: boolean = node?.properties !== undefined;
    normalized = named ? (normalized === '' ? name : `${normalized}.${name}`) : `${normalized}[${name}]`;
    node = named ? node?.properties?.[name] : node && mapValueSchema(node);
  }
  return normalized;
}
