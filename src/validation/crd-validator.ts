// Validates custom resources offline the way the API server validates them on create and update,
// from the CRD alone: its request checks (kind, apiVersion, metadata, unknown fields), pruning and
// defaulting, the OpenAPI schema, list types, and the CEL rules. Built once per CRD; each
// document then costs only the checks.
import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { compileRuleTree, evaluateRuleTree, uncheckableRules, type RuleNode, type UncheckableRule } from './cel/evaluate.ts';
import { ruleEnvironment } from './cel/environment.ts';
import { goQuote, RULES_NOT_CHECKED, invalid, type ValidationIssue } from './issues.ts';
import { listTypeIssues } from './list-types.ts';
import { validateObjectMeta } from './object-meta.ts';
import { pruneAndDefault } from './prune-default.ts';
import { Re2Cache } from './re2.ts';
import { isObject, type JsonObject, type SchemaNode } from './schema-node.ts';
import { isUnchanged } from './ratcheting.ts';
import { compileSchema, type SchemaFinding } from './schema-validation.ts';

/**
 * How the API server treats fields the schema does not know, as its fieldValidation parameter:
 * Strict refuses the request (kubectl apply asks for this by default since Kubernetes 1.27),
 * Warn drops them with a warning (the API's own default, and what controllers and most GitOps
 * tools get), Ignore drops them silently.
 */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface ValidateOptions {
  /** The object as stored, for an update: transition rules (oldSelf) run, and unchanged values ratchet. */
  old?: unknown;
  /** Default Warn: an unknown field is reported as a warning, since the API server accepts and drops it. */
  fieldValidation?: FieldValidation;
}

interface CrdVersion {
  name: string;
  storage?: boolean;
  schema?: { openAPIV3Schema?: SchemaNode };
  subresources?: { status?: unknown };
}

interface CrdDocument {
  kind?: string;
  spec?: { group?: string; names?: { kind?: string }; versions?: CrdVersion[] };
}

const REQUEST_ERROR = { kind: 'request', severity: 'error' } as const;

export class CrdValidator {
  /** Such as eksaccess.dev/v1alpha1. */
  readonly apiVersion: string;
  readonly kind: string;
  private readonly root: SchemaNode;
  private readonly hasStatusSubresource: boolean;
  private readonly checkSchema: (value: unknown) => SchemaFinding[];
  private readonly rules: RuleNode | undefined;

  private constructor(apiVersion: string, kind: string, version: CrdVersion) {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.root = version.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    this.hasStatusSubresource = version.subresources?.status !== undefined;
    const regexes = new Re2Cache();
    this.checkSchema = compileSchema(this.root, regexes);
    this.rules = compileRuleTree(this.root, ruleEnvironment(regexes));
  }

  /** From a parsed CustomResourceDefinition; version defaults to the storage version. */
  static fromCrd(crd: unknown, versionName?: string): CrdValidator {
    const { spec } = (crd ?? {}) as CrdDocument;
    const group = spec?.group;
    const kind = spec?.names?.kind;
    if ((crd as CrdDocument | undefined)?.kind !== 'CustomResourceDefinition' || !group || !kind) {
      throw new Error('not a CustomResourceDefinition: it needs kind CustomResourceDefinition, spec.group and spec.names.kind');
    }
    const version = pickVersion(spec.versions ?? [], versionName);
    if (!version) throw new Error(`CustomResourceDefinition ${kind}.${group} has no version ${versionName ?? ''}`.trim());
    return new CrdValidator(`${group}/${version.name}`, kind, version);
  }

  /** From a CRD's YAML file. */
  static fromFile(path: string, versionName?: string): CrdValidator {
    return CrdValidator.fromCrd(loadYaml(readFileSync(path, 'utf8')), versionName);
  }

  /**
   * What the API server would say to a create of doc, or to an update of options.old to doc:
   * an empty list when it accepts the document without a word.
   */
  validate(doc: unknown, options: ValidateOptions = {}): ValidationIssue[] {
    const refused = this.requestIssues(doc);
    if (refused.length > 0) return refused;
    const meta = validateObjectMeta((doc as JsonObject).metadata);
    const pruned = pruneAndDefault(doc, this.root);
    const unknown = this.unknownFieldIssues([...meta.unknownFields, ...pruned.unknownFields], options.fieldValidation ?? 'Warn');
    if (unknown.some((issue) => issue.severity === 'error')) return unknown;

    const old = options.old === undefined ? undefined : (pruneAndDefault(options.old, this.root).value as JsonObject);
    const value = this.withStoredStatus(pruned.value as JsonObject, old);
    const schema = this.checkSchema(value).map((finding) => this.ratchet(finding, value, old));
    const issues = [...unknown, ...meta.issues, ...schema.map((f) => f.issue), ...listTypeIssues(value, this.root)];
    const blocked = meta.blocksRules || schema.some((f) => f.blocksRules && f.issue.severity === 'error');
    if (blocked) issues.push({ ...invalid('', null, RULES_NOT_CHECKED), kind: 'rule', severity: 'unchecked' });
    else if (this.rules) issues.push(...evaluateRuleTree(this.rules, value, old));
    return issues;
  }

  /**
   * The object as the API server would store it: unknown fields dropped, disallowed nulls dropped,
   * defaults filled in (spec.type STANDARD, say). Other checks are validate's.
   */
  withDefaults(doc: unknown): unknown {
    return pruneAndDefault(doc, this.root).value;
  }

  /**
   * The CEL rules this validator cannot run offline (a function or syntax it does not implement),
   * which validate reports as unchecked wherever they apply.
   */
  uncheckableRules(): UncheckableRule[] {
    return uncheckableRules(this.rules);
  }

  private requestIssues(doc: unknown): ValidationIssue[] {
    if (!isObject(doc)) return [{ field: '', message: `Invalid value: the document must be an object with apiVersion, kind, metadata and spec`, ...REQUEST_ERROR }];
    if (doc.kind !== this.kind) {
      return [{ field: 'kind', message: `Unsupported value: ${shown(doc.kind)}: supported values: ${goQuote(this.kind)}`, ...REQUEST_ERROR }];
    }
    if (doc.apiVersion !== this.apiVersion) {
      // What kubectl says when the API server serves no such version of the kind.
      const message = `no matches for kind ${goQuote(this.kind)} in version ${shown(doc.apiVersion)}`;
      return [{ field: 'apiVersion', message, ...REQUEST_ERROR }];
    }
    return [];
  }

  private unknownFieldIssues(paths: string[], mode: FieldValidation): ValidationIssue[] {
    if (mode === 'Ignore') return [];
    const severity = mode === 'Strict' ? 'error' : 'warning';
    return paths.map((field) => ({ field, message: `unknown field ${goQuote(field)}`, kind: 'request', severity }));
  }

  /** On update, an error in a value that did not change is only a warning (CRD validation ratcheting). */
  private ratchet(finding: SchemaFinding, value: JsonObject, old: JsonObject | undefined): SchemaFinding {
    if (old === undefined || finding.issue.severity !== 'error' || !isUnchanged(finding.pointer, value, old, this.root)) return finding;
    return { ...finding, issue: { ...finding.issue, severity: 'warning' } };
  }

  /** With a status subresource, a create cannot set status and an update keeps the stored one. */
  private withStoredStatus(value: JsonObject, old: JsonObject | undefined): JsonObject {
    if (!this.hasStatusSubresource) return value;
    const { status: _ignored, ...rest } = value;
    return old?.status === undefined ? rest : { ...rest, status: old.status };
  }
}

/** The named version, or the storage version (the one a new object is written in). */
function pickVersion(versions: CrdVersion[], name: string | undefined): CrdVersion | undefined {
  if (name !== undefined) return versions.find((v) => v.name === name);
  return versions.find((v) => v.storage === true) ?? versions[0];
}

function shown(value: unknown): string {
  return goQuote(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
}
