// The CRD and names.ts both spell out the API's enums, limits and reserved prefixes (YAML cannot
// import TypeScript). These tests make sure the two never drift apart.
import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { CRD_PATH } from '../../scripts/generate-api-types.ts';
import {
  API_GROUP,
  API_VERSION,
  CRD_NAME,
  DeletionPolicies,
  EntryTypes,
  KIND,
  MANAGED_BY_TAG,
  MAX_IAM_NAME_LENGTH,
  MAX_IAM_PATH_LENGTH,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_USER_TAGS,
  PLURAL,
  RESERVED_GROUP_PREFIX,
  RESERVED_TAG_PREFIX,
  RESERVED_USERNAME_PREFIXES,
  TAG_CHARACTER_CLASS,
} from './names.ts';

interface Schema {
  type?: string;
  pattern?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  maxProperties?: number;
  maxLength?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string };
    versions: {
      name: string;
      additionalPrinterColumns: { name: string; jsonPath: string }[];
      schema: { openAPIV3Schema: Schema };
    }[];
  };
}

const crd = loadYaml(readFileSync(CRD_PATH, 'utf8')) as Crd;
const version = crd.spec.versions[0]!;
const spec = version.schema.openAPIV3Schema.properties!.spec!;
const field = (name: string): Schema => spec.properties![name]!;
const rules = (schema: Schema): string[] => (schema['x-kubernetes-validations'] ?? []).map((v) => v.rule);
/** The single-quoted string literals in CEL rules. */
const literals = (celRules: string[]): string[] =>
  celRules.flatMap((rule) => [...rule.matchAll(/'([^']*)'/g)].map((m) => m[1]!));
/** The rules that check a prefix, and only those. */
const prefixRules = (schema: Schema): string[] => rules(schema).filter((rule) => rule.includes('startsWith('));
/** Every schema under spec, with its path. */
function specSchemas(): [string, Schema][] {
  const found: [string, Schema][] = [];
  const walk = (schema: Schema, path: string): void => {
    found.push([path, schema]);
    for (const [name, child] of Object.entries(schema.properties ?? {})) walk(child, `${path}.${name}`);
    if (schema.items) walk(schema.items, `${path}[]`);
    if (schema.additionalProperties) walk(schema.additionalProperties, `${path}{}`);
  };
  walk(spec, 'spec');
  return found;
}

describe('the CRD agrees with names.ts', () => {
  it('on group, version, kind, plural and CRD name', () => {
    expect(crd.metadata.name).toBe(CRD_NAME);
    expect(crd.spec.group).toBe(API_GROUP);
    expect(crd.spec.names.kind).toBe(KIND);
    expect(crd.spec.names.plural).toBe(PLURAL);
    expect(crd.spec.versions.map((v) => v.name)).toEqual([API_VERSION]);
  });

  it('on the entry types, STANDARD first and the default', () => {
    expect(field('type').enum).toEqual([...EntryTypes]);
    expect(field('type').default).toBe(EntryTypes[0]);
    // Rules that treat STANDARD specially must name a real type.
    for (const literal of literals(rules(spec)).filter((l) => /^[A-Z_0-9]+$/.test(l))) {
      expect(EntryTypes).toContain(literal);
    }
  });

  it('on the deletion policies, Delete by default', () => {
    expect(field('deletionPolicy').enum).toEqual([...DeletionPolicies]);
    expect(field('deletionPolicy').default).toBe('Delete');
  });

  it('on the tag limits, leaving one tag for the controller', () => {
    const tags = field('tags');
    expect(tags.maxProperties).toBe(MAX_USER_TAGS);
    expect(tags.additionalProperties?.maxLength).toBe(MAX_TAG_VALUE_LENGTH);
    expect(rules(tags).join('\n')).toContain(`size(k) <= ${MAX_TAG_KEY_LENGTH}`);
  });

  it('on the reserved tag prefixes, including the one of the managed-by tag', () => {
    const controllerPrefix = `${API_GROUP}/`;
    expect(MANAGED_BY_TAG.startsWith(controllerPrefix)).toBe(true);
    expect(literals(prefixRules(field('tags'))).sort()).toEqual([RESERVED_TAG_PREFIX, controllerPrefix].sort());
  });

  it('on the reserved username prefixes', () => {
    expect(literals(prefixRules(field('username')))).toEqual([...RESERVED_USERNAME_PREFIXES]);
  });

  it('on the reserved group prefix', () => {
    expect(literals(prefixRules(field('kubernetesGroups').items!))).toEqual([RESERVED_GROUP_PREFIX]);
  });

  it('on the characters AWS allows in tag keys and values', () => {
    const allowed = `^${TAG_CHARACTER_CLASS}*$`;
    expect(rules(field('tags')).join('\n')).toContain(allowed);
    expect(rules(field('tags').additionalProperties!).join('\n')).toContain(allowed);
  });

  it('on the IAM limits for the name and path in principalArn', () => {
    const arnRules = rules(field('principalArn')).join('\n');
    expect(arnRules).toContain(`<= ${MAX_IAM_NAME_LENGTH}`);
    expect(arnRules).toContain(`<= ${MAX_IAM_PATH_LENGTH}`);
  });
});

describe('the characters AWS allows in tags, as names.ts spells them', () => {
  const tagText = new RegExp(`^${TAG_CHARACTER_CLASS}*$`, 'u');

  it.each(['team', 'Kostenstelle 42', 'värde 値 ١٢٣', 'a_.:/=+-@', 'non\u00a0breaking'])('allow %j', (text) => {
    expect(tagText.test(text)).toBe(true);
  });

  it.each(['cost#center', '50%', 'a*b', 'emoji 🙂', 'tab\there', 'nul\u0000', 'quote"'])('refuse %j', (text) => {
    expect(tagText.test(text)).toBe(false);
  });
});

describe('the CRD', () => {
  it('is cluster-scoped, so only cluster administrators can grant access', () => {
    expect(crd.spec.scope).toBe('Cluster');
  });

  it('describes every field, for kubectl explain', () => {
    const undescribed: string[] = [];
    const walk = (schema: Schema, path: string): void => {
      if (!schema.description?.trim()) undescribed.push(path);
      for (const [name, child] of Object.entries(schema.properties ?? {})) {
        // The API server forbids describing metadata; kubectl explain shows ObjectMeta's own.
        if (path === 'AccessEntry' && name === 'metadata') continue;
        walk(child, `${path}.${name}`);
      }
      if (schema.items) walk(schema.items, `${path}[]`);
      if (schema.additionalProperties) walk(schema.additionalProperties, `${path}{}`);
    };
    walk(version.schema.openAPIV3Schema, 'AccessEntry');
    expect(undescribed).toEqual([]);
  });

  it('states the formats of spec fields as CEL rules with messages, never as bare patterns', () => {
    // A pattern's rejection shows only the regular expression, which tells a person nothing.
    const withPattern = specSchemas()
      .filter(([, schema]) => schema.pattern !== undefined)
      .map(([path]) => path);
    expect(withPattern).toEqual([]);
  });

  it('checks the reserved tag prefixes in any letter case, as AWS does', () => {
    for (const rule of prefixRules(field('tags'))) expect(rule).toContain('lowerAscii()');
  });

  it('gives every validation rule a message', () => {
    const silent: string[] = [];
    const walk = (schema: Schema, path: string): void => {
      for (const v of schema['x-kubernetes-validations'] ?? []) {
        if (!('message' in v) && !('messageExpression' in v)) silent.push(`${path}: ${v.rule}`);
      }
      for (const [name, child] of Object.entries(schema.properties ?? {})) walk(child, `${path}.${name}`);
      if (schema.items) walk(schema.items, `${path}[]`);
    };
    walk(version.schema.openAPIV3Schema, 'AccessEntry');
    expect(silent).toEqual([]);
  });

  it('shows cluster, principal, type and readiness in kubectl get', () => {
    expect(version.additionalPrinterColumns.map((c) => c.name)).toEqual(
      expect.arrayContaining(['Cluster', 'Principal', 'Type', 'Ready', 'Reason', 'Age']),
    );
  });
});
