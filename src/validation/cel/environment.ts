// The CEL environment of CRD validation rules, as far as it is reproduced offline: CEL's standard
// functions and macros (@bufbuild/cel, which runs the cel-spec conformance suite), matches() on an
// RE2 engine, and Kubernetes' string functions. Rules that call anything else are reported as
// not checked rather than guessed.
import { celEnv, type CelEnv } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { Re2Cache } from '../re2.ts';
import { KUBERNETES_STRING_FUNCTIONS } from './strings-library.ts';

/** Calls the planner handles itself rather than through a function of the environment. */
const SPECIAL_FORMS = ['_&&_', '_||_', '_?_:_', '_[_]', '@not_strictly_false'];

export interface RuleEnvironment {
  env: CelEnv;
  /** The functions of expr the environment does not have, such as isSorted or cel.bind. */
  missingFunctions(expr: Expr): string[];
}

export function ruleEnvironment(regexes: Re2Cache): RuleEnvironment {
  const env = celEnv({ funcs: KUBERNETES_STRING_FUNCTIONS, re2: { compile: (pattern) => regexes.compile(pattern) } });
  const known = new Set([...SPECIAL_FORMS, ...Array.from(env.funcs, (f) => f.name)]);
  return { env, missingFunctions: (expr) => [...new Set(calledFunctions(expr, known))].filter((name) => !known.has(name)) };
}

/** Every function expr calls, by its qualified name where the target is a namespace (strings.quote). */
function calledFunctions(expr: Expr | undefined, known: Set<string>): string[] {
  if (!expr) return [];
  const walk = (e: Expr | undefined): string[] => calledFunctions(e, known);
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'selectExpr':
      return walk(kind.value.operand);
    case 'callExpr':
      return callNames(kind.value.function, kind.value.target, known, kind.value.args.flatMap(walk));
    case 'listExpr':
      return kind.value.elements.flatMap(walk);
    case 'structExpr':
      // Message construction has no place in CRD rules; map literals do.
      if (kind.value.messageName !== '') return [`message ${kind.value.messageName}`];
      return kind.value.entries.flatMap((e) => [...walk(e.value), ...(e.keyKind.case === 'mapKey' ? walk(e.keyKind.value) : [])]);
    case 'comprehensionExpr': {
      const c = kind.value;
      const twoVariables = c.iterVar2 === '' ? [] : ['two-variable comprehension'];
      return [...twoVariables, ...[c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].flatMap(walk)];
    }
    default:
      return [];
  }
}

function callNames(fn: string, target: Expr | undefined, known: Set<string>, fromArgs: string[]): string[] {
  if (target?.exprKind.case === 'identExpr') {
    const qualified = `${target.exprKind.value.name}.${fn}`;
    if (known.has(qualified)) return [qualified, ...fromArgs];
  }
  return [fn, ...calledFunctions(target, known), ...fromArgs];
}
