// The CRD and names.ts both spell out the API's enums, limits and reserved prefixes (YAML cannot
// import TypeScript). These tests make sure the two never drift apart.
import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { CRD_PATH } from '../../scripts/generate-api-types.ts';
import {
  ACCESS_POLICY_ARN_RESOURCE_PREFIX,
  ACCESS_POLICY_NAME_CHARACTER_CLASS,
  AccessScopeTypes,
  API_GROUP,
  API_VERSION,
  AWS_PARTITIONS,
  CRD_NAME,
  DeletionPolicies,
  EntryTypes,
  KIND,
  MANAGED_BY_TAG,
  MAX_ACCESS_POLICIES,
  MAX_ACCESS_POLICY_NAME_LENGTH,
  MAX_ACCESS_SCOPE_NAMESPACES,
  MAX_IAM_NAME_LENGTH,
  MAX_IAM_PATH_LENGTH,
  MAX_NAMESPACE_LENGTH,
  MAX_OBSERVED_ACCESS_POLICIES,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_USER_TAGS,
  NAMESPACE_WILDCARD,
  PLURAL,
  POLICY_NAMES_SEPARATOR,
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
  maxItems?: number;
  maxLength?: number;
  required?: string[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
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
      additionalPrinterColumns: { name: string; jsonPath: string; priority?: number }[];
      schema: { openAPIV3Schema: Schema };
    }[];
  };
}

const crd = loadYaml(readFileSync(CRD_PATH, 'utf8')) as Crd;
const version = crd.spec.versions[0]!;
const spec = version.schema.openAPIV3Schema.properties!.spec!;
const status = version.schema.openAPIV3Schema.properties!.status!;
const field = (name: string): Schema => spec.properties![name]!;
const statusField = (name: string): Schema => status.properties![name]!;
const accessPolicy = (): Schema => field('accessPolicies').items!;
const accessPolicyField = (name: string): Schema => accessPolicy().properties![name]!;
const accessScope = (): Schema => accessPolicyField('accessScope');
const scopeNamespace = (): Schema => accessScope().properties!.namespaces!.items!;
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

describe('the CRD agrees with names.ts on access policies', () => {
  const longestArnPrefix = Math.max(...AWS_PARTITIONS.map((p) => `arn:${p}:${ACCESS_POLICY_ARN_RESOURCE_PREFIX}`.length));

  it('on the form of a policy ARN: its partitions, prefix and name characters', () => {
    const arnPattern = `^arn:(${AWS_PARTITIONS.join('|')}):${ACCESS_POLICY_ARN_RESOURCE_PREFIX}${ACCESS_POLICY_NAME_CHARACTER_CLASS}+$`;
    expect(rules(accessPolicyField('policyArn')).join('\n')).toContain(arnPattern);
    expect(rules(accessPolicyField('policy')).join('\n')).toContain(`^${ACCESS_POLICY_NAME_CHARACTER_CLASS}+$`);
  });

  it('on the partitions, which are those of principalArn', () => {
    expect(rules(field('principalArn')).join('\n')).toContain(`^arn:(${AWS_PARTITIONS.join('|')}):`);
    // The partition rules on the spec name only real partitions.
    const partitionLiterals = literals(rules(spec)).filter((l) => l.startsWith('arn:'));
    expect(partitionLiterals.length).toBeGreaterThan(0);
    for (const literal of partitionLiterals) expect(AWS_PARTITIONS.map((p) => `arn:${p}:`)).toContain(literal);
  });

  it('on the length of a policy name, by name and inside an ARN', () => {
    expect(accessPolicyField('policy').maxLength).toBe(MAX_ACCESS_POLICY_NAME_LENGTH);
    expect(accessPolicyField('policyArn').maxLength).toBe(longestArnPrefix + MAX_ACCESS_POLICY_NAME_LENGTH);
    expect(status.properties!.accessPolicies!.items!.properties!.policyArn!.maxLength).toBe(
      longestArnPrefix + MAX_ACCESS_POLICY_NAME_LENGTH,
    );
  });

  it('on the limits of policies and namespaces', () => {
    expect(field('accessPolicies').maxItems).toBe(MAX_ACCESS_POLICIES);
    expect(accessScope().properties!.namespaces!.maxItems).toBe(MAX_ACCESS_SCOPE_NAMESPACES);
    expect(scopeNamespace().maxLength).toBe(MAX_NAMESPACE_LENGTH);
    expect(accessScope().properties!.namespaces!['x-kubernetes-list-type']).toBe('set');
  });

  it('on the scope types, in the schema and in the rules about them', () => {
    expect(accessScope().properties!.type!.enum).toEqual([...AccessScopeTypes]);
    const scopeLiterals = literals(rules(accessScope()));
    expect(scopeLiterals.length).toBeGreaterThan(0);
    for (const literal of scopeLiterals) expect(AccessScopeTypes).toContain(literal);
  });

  it('on the namespace wildcard, accepted only at the end', () => {
    expect(rules(scopeNamespace()).join('\n')).toContain(`[${NAMESPACE_WILDCARD}]$`);
  });

  it('on what status records: associations keyed by ARN, and the names joined for people', () => {
    const observed = statusField('accessPolicies');
    expect(observed['x-kubernetes-list-type']).toBe('map');
    expect(observed['x-kubernetes-list-map-keys']).toEqual(['policyArn']);
    expect(observed.maxItems).toBe(MAX_OBSERVED_ACCESS_POLICIES);
    expect(observed.maxItems!).toBeGreaterThanOrEqual(MAX_ACCESS_POLICIES);
    expect(statusField('policies').maxLength).toBe(
      MAX_OBSERVED_ACCESS_POLICIES * (MAX_ACCESS_POLICY_NAME_LENGTH + POLICY_NAMES_SEPARATOR.length) -
        POLICY_NAMES_SEPARATOR.length,
    );
    expect(statusField('policies').description).toContain(`AmazonEKSViewPolicy${POLICY_NAMES_SEPARATOR}AmazonEKSEditPolicy`);
  });
});

describe('policy ARNs, as names.ts spells them', () => {
  // The CRD's own regular expression, read back, is also valid JavaScript.
  const arnRule = rules(accessPolicyField('policyArn'))
    .map((rule) => /matches\('(\^arn:\(aws[^']*)'\)/.exec(rule)?.[1])
    .find((pattern) => pattern !== undefined)!;
  const arn = new RegExp(arnRule);

  it.each(AWS_PARTITIONS)('accept the %s partition', (partition) => {
    expect(arn.test(`arn:${partition}:${ACCESS_POLICY_ARN_RESOURCE_PREFIX}AmazonEKSViewPolicy`)).toBe(true);
  });

  it.each([
    'arn:aws-iso:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
    'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    'arn:aws:eks::aws:cluster-access-policy/',
    'arn:aws:eks::aws:cluster-access-policy/AmazonEKS-View',
    'arn:aws:eks:us-east-1:123456789012:cluster-access-policy/AmazonEKSViewPolicy',
    'AmazonEKSViewPolicy',
  ])('refuse %s', (text) => {
    expect(arn.test(text)).toBe(false);
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
      if (schema.additionalProperties) walk(schema.additionalProperties, `${path}{}`);
    };
    walk(version.schema.openAPIV3Schema, 'AccessEntry');
    expect(silent).toEqual([]);
  });

  it('shows cluster, principal, type, policies, readiness and expiry in kubectl get', () => {
    expect(version.additionalPrinterColumns.map((c) => c.name)).toEqual([
      'Cluster',
      'Principal',
      'Type',
      'Policies',
      'Region',
      'Ready',
      'Reason',
      'Expires',
      'Age',
    ]);
    // kubectl prints a future time of a date column as <invalid>: the expiry is shown as written.
    expect(version.additionalPrinterColumns.find((c) => c.name === 'Expires')).toMatchObject({ type: 'string', jsonPath: '.spec.expiresAt' });
    const policies = version.additionalPrinterColumns.find((c) => c.name === 'Policies')!;
    expect(policies.jsonPath).toBe('.status.policies');
    expect(policies.priority ?? 0).toBe(0);
  });

  it('never defaults an access scope, so a cluster-wide grant is always written down', () => {
    expect(accessPolicy().required).toContain('accessScope');
    expect(accessScope().required).toEqual(['type']);
    expect(accessScope().properties!.type!.default).toBeUndefined();
    expect(accessScope().default).toBeUndefined();
  });

  it('says in kubectl explain what omitting accessPolicies and listing them mean', () => {
    const description = field('accessPolicies').description!.replace(/\s+/g, ' ');
    expect(description).toContain('not managed here');
    expect(description).toContain('even as an empty list, it is the whole set');
    expect(description).toContain('is removed while this field is present');
  });
});
