// CrdValidator on a small CRD of its own, one behaviour of the API server per test. The expected
// messages are the ones a Kubernetes 1.36 API server gave for the same schema and documents.
import { describe, expect, it } from 'vitest';
import { CrdValidator } from './crd-validator.ts';
import { formatIssue, isRefused, type ValidationIssue } from './issues.ts';
import type { SchemaNode } from './schema-node.ts';

function crd(spec: SchemaNode, status: SchemaNode = { type: 'object', properties: { phase: { type: 'string', enum: ['A'] } } }): unknown {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.probe.dev' },
    spec: {
      group: 'probe.dev',
      names: { kind: 'Widget', plural: 'widgets' },
      scope: 'Cluster',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec, status } } },
        },
      ],
    },
  };
}

const widget = (spec: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'probe.dev/v1',
  kind: 'Widget',
  metadata: { name: 'w' },
  spec,
  ...extra,
});

const lines = (issues: ValidationIssue[]): string[] => issues.map(formatIssue);

const NOT_CHECKED =
  '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

describe('rules', () => {
  const validator = CrdValidator.fromCrd(
    crd({
      type: 'object',
      'x-kubernetes-validations': [
        { rule: '!has(self.i) || self.i != 7', message: 'obj rule fieldPath int', fieldPath: '.i' },
        { rule: "!has(self.s) || self.s != 'nokey' || self.opt == 'x'", message: 'nokey' },
        { rule: "!has(self.s) || self.s != 'fallback'", messageExpression: "'x' + self.opt", message: 'fallback message' },
        { rule: "!has(self.s) || self.s != 'norule'", messageExpression: "'x' + self.opt" },
        { rule: "!has(self.s) || self.s != 'newline'", messageExpression: "'line1\\nline2'" },
        { rule: "!has(self.s) || self.s != 'named'", messageExpression: "'s is ' + self.s + ' '" },
        { rule: "!has(self.s) || self.s != 'reason'", message: 'with reason forbidden', reason: 'FieldValueForbidden' },
        { rule: "!has(self.s) || self.s != 'mapfp'", message: 'map fieldPath', fieldPath: ".m['a.b']" },
        { rule: "self.kind == 'STANDARD' || !has(self.groups)", messageExpression: "'no groups for ' + self.kind" },
      ],
      properties: {
        i: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self != 5', message: 'int rule' }] },
        num: { type: 'number', 'x-kubernetes-validations': [{ rule: 'self != 5.5', message: 'num rule' }] },
        b: { type: 'boolean', 'x-kubernetes-validations': [{ rule: 'self', message: 'bool rule' }] },
        s: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'bad'" }] },
        l: { type: 'array', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'size(self) != 2', message: 'list rule' }] },
        m: { type: 'object', additionalProperties: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self != 3', message: 'map value rule' }] } },
        ios: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-validations': [{ rule: 'self != 3', message: 'ios rule' }] },
        opt: { type: 'string' },
        kind: { type: 'string', default: 'STANDARD' },
        groups: { type: 'array', items: { type: 'string' } },
        sorted: { type: 'array', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'self.isSorted()', message: 'sorted' }] },
      },
    }),
  );

  it('show the value of scalars and leave out objects and lists, even with a fieldPath to a scalar', () => {
    expect(lines(validator.validate(widget({ i: 5, num: 5.5, b: false, s: 'bad', l: ['a', 'b'], ios: 3 })))).toEqual([
      'spec.i: Invalid value: 5: int rule',
      'spec.num: Invalid value: 5.5: num rule',
      'spec.b: Invalid value: false: bool rule',
      `spec.s: Invalid value: "bad": failed rule: self != 'bad'`,
      'spec.l: Invalid value: list rule',
      'spec.ios: Invalid value: 3: ios rule',
    ]);
    expect(lines(validator.validate(widget({ i: 7 })))).toEqual(['spec.i: Invalid value: obj rule fieldPath int']);
  });

  it('name map values by key, and a fieldPath into a map in brackets', () => {
    expect(lines(validator.validate(widget({ m: { x: 3 } })))).toEqual(['spec.m[x]: Invalid value: 3: map value rule']);
    expect(lines(validator.validate(widget({ s: 'mapfp', m: { 'a.b': 1 } })))).toEqual(['spec.m[a.b]: Invalid value: map fieldPath']);
  });

  it('report a field that is not there as the API server does, with the rule message', () => {
    expect(lines(validator.validate(widget({ s: 'nokey' })))).toEqual(['spec: Invalid value: "object": no such key: opt evaluating rule: nokey']);
  });

  it('use messageExpression, falling back to message, then to the rule', () => {
    expect(lines(validator.validate(widget({ s: 'named' })))).toEqual(['spec: Invalid value: s is named']);
    expect(lines(validator.validate(widget({ s: 'fallback' })))).toEqual(['spec: Invalid value: fallback message']);
    expect(lines(validator.validate(widget({ s: 'norule' })))).toEqual([`spec: Invalid value: failed rule: !has(self.s) || self.s != 'norule'`]);
    expect(lines(validator.validate(widget({ s: 'newline' })))).toEqual([`spec: Invalid value: failed rule: !has(self.s) || self.s != 'newline'`]);
  });

  it('use the reason the rule names', () => {
    expect(lines(validator.validate(widget({ s: 'reason' })))).toEqual(['spec: Forbidden: with reason forbidden']);
  });

  it('read defaulted fields, as the API server defaults before it validates', () => {
    expect(lines(validator.validate(widget({ groups: ['a'] })))).toEqual([]);
    expect(lines(validator.validate(widget({ kind: 'NODE', groups: ['a'] })))).toEqual(['spec: Invalid value: no groups for NODE']);
  });

  it('say so for a rule the offline validator cannot run, and do not pass it silently', () => {
    const issues = validator.validate(widget({ sorted: ['b', 'a'] }));
    expect(issues).toEqual([
      expect.objectContaining({ field: 'spec.sorted', severity: 'unchecked', kind: 'rule', message: expect.stringContaining('could not check rule offline: self.isSorted()') }),
    ]);
    expect(isRefused(issues)).toBe(false);
    expect(validator.uncheckableRules()).toEqual([
      { node: 'spec.sorted', rule: 'self.isSorted()', reason: 'it uses isSorted, which the offline validator does not implement' },
    ]);
  });
});

describe('transition rules and ratcheting', () => {
  const validator = CrdValidator.fromCrd(
    crd({
      type: 'object',
      'x-kubernetes-validations': [{ rule: '!has(oldSelf.region) || (has(self.region) && self.region == oldSelf.region)', message: 'region is immutable once set', fieldPath: '.region' }],
      properties: {
        name: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'name is immutable' }] },
        region: { type: 'string' },
        size: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self < 10', message: 'size under 10' }] },
      },
    }),
  );

  it('run only on update', () => {
    expect(validator.validate(widget({ name: 'a', region: 'x' }))).toEqual([]);
    expect(lines(validator.validate(widget({ name: 'b' }), { old: widget({ name: 'a' }) }))).toEqual(['spec.name: Invalid value: "b": name is immutable']);
    expect(lines(validator.validate(widget({ name: 'a' }), { old: widget({ name: 'a', region: 'x' }) }))).toEqual(['spec.region: Invalid value: region is immutable once set']);
    expect(validator.validate(widget({ name: 'a', region: 'x' }), { old: widget({ name: 'a' }) })).toEqual([]);
  });

  it('let an unchanged invalid value through with a warning, but not a changed one', () => {
    const old = widget({ name: 'a', size: 12 });
    expect(validator.validate(widget({ name: 'a', size: 12, region: 'x' }), { old })).toEqual([
      { field: 'spec.size', message: 'Invalid value: 12: size under 10', kind: 'rule', severity: 'warning' },
    ]);
    expect(isRefused(validator.validate(widget({ name: 'a', size: 13 }), { old }))).toBe(true);
  });
});

describe('the schema', () => {
  const validator = CrdValidator.fromCrd(
    crd({
      type: 'object',
      required: ['s'],
      'x-kubernetes-validations': [{ rule: "self.s != 'x'", message: 'never runs when the schema fails' }],
      properties: {
        s: { type: 'string', pattern: '^[a-z]*$', maxLength: 5, minLength: 2 },
        e: { type: 'integer', enum: [1, 2] },
        t: { type: 'string', enum: ['A', 'B'] },
        i: { type: 'integer', minimum: 0, maximum: 100 },
        l: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string' } },
        m: { type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: { type: 'string' } },
        ios: { 'x-kubernetes-int-or-string': true },
        when: { type: 'string', format: 'date-time' },
        f32: { type: 'integer', format: 'int32' },
        set: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'integer' } },
        byKey: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['k'],
          items: { type: 'object', properties: { k: { type: 'string' }, v: { type: 'string' } } },
        },
        nullable: { type: 'string', nullable: true },
        dflt: { type: 'string', default: 'dflt' },
      },
    }),
  );

  it.each<[string, unknown, string[]]>([
    ['a wrong type', { s: 'ab', i: 'x' }, ['spec.i: Invalid value: "string": spec.i in body must be of type integer: "string"']],
    ['a missing required field', {}, ['spec.s: Required value']],
    ['an enum of strings', { s: 'ab', t: 'C' }, ['spec.t: Unsupported value: "C": supported values: "A", "B"']],
    ['an enum of numbers', { s: 'ab', e: 3 }, ['spec.e: Unsupported value: 3: supported values: "1", "2"']],
    ['a long string', { s: 'abcdef' }, ['spec.s: Too long: may not be more than 5 bytes']],
    ['too many items', { s: 'ab', l: ['a', 'b', 'c'] }, ['spec.l: Too many: 3: must have at most 2 items']],
    ['too many properties', { s: 'ab', m: { a: 'x', b: 'y' } }, ['spec.m: Too many: 2: must have at most 1 item']],
    ['an int-or-string of another type', { s: 'ab', ios: 1.5 }, ['spec.ios: Invalid value: "number": spec.ios in body must be of type integer,string: "number"']],
    ['an int32 out of range', { s: 'ab', f32: 3000000000 }, ['<nil>: Invalid value: "": Checked value must be of type integer with format int32 in spec.f32']],
    ['a malformed date-time', { s: 'ab', when: '2027-02-30T18:00:00Z' }, ['spec.when: Invalid value: "2027-02-30T18:00:00Z": spec.when in body must be of type date-time: "2027-02-30T18:00:00Z"']],
  ])('%s, which also keeps the rules from running', (_label, spec, expected) => {
    expect(lines(validator.validate(widget(spec)))).toEqual([...expected, NOT_CHECKED]);
  });

  it.each<[string, unknown, string[]]>([
    ['a short string', { s: 'a' }, ['spec.s: Invalid value: "a": spec.s in body should be at least 2 chars long']],
    ['a pattern', { s: 'AB' }, [`spec.s: Invalid value: "AB": spec.s in body should match '^[a-z]*$'`]],
    ['bounds', { s: 'ab', i: -1 }, ['spec.i: Invalid value: -1: spec.i in body should be greater than or equal to 0']],
    ['too few items', { s: 'ab', l: [] }, ['spec.l: Invalid value: 0: spec.l in body should have at least 1 items']],
    ['too few properties', { s: 'ab', m: {} }, ['spec.m: Invalid value: 0: spec.m in body should have at least 1 properties']],
    ['duplicates in a set', { s: 'ab', set: [1, 1] }, ['spec.set[1]: Duplicate value: 1']],
    ['duplicate keys in a map list', { s: 'ab', byKey: [{ k: 'a' }, { k: 'a', v: 'x' }] }, ['spec.byKey[1]: Duplicate value: {"k":"a"}']],
  ])('%s, which leaves the rules running', (_label, spec, expected) => {
    expect(lines(validator.validate(widget(spec)))).toEqual(expected);
  });

  it('accepts date-times as kube-openapi reads them, lower-case t and z included', () => {
    for (const when of ['2027-01-31T18:00:00Z', '2027-01-31t18:00:00.123456789z', '2027-01-31T18:00:00+01:00']) {
      expect(validator.validate(widget({ s: 'ab', when }))).toEqual([]);
    }
    for (const when of ['2027-01-31 18:00:00', '2027-01-31T18:00Z', 'tomorrow']) expect(isRefused(validator.validate(widget({ s: 'ab', when })))).toBe(true);
  });

  it('drops nulls the schema does not allow, keeps the allowed ones, and defaults', () => {
    expect(validator.validate(widget({ s: 'ab', i: null, nullable: null, dflt: null }))).toEqual([]);
  });
});

describe('schema ratcheting on update', () => {
  const validator = CrdValidator.fromCrd(
    crd({
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 3 },
        other: { type: 'string' },
        items: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['k'],
          items: { type: 'object', properties: { k: { type: 'string' }, v: { type: 'string', pattern: '^[a-z]*$' } } },
        },
        atomic: { type: 'array', items: { type: 'string', pattern: '^[a-z]*$' } },
      },
    }),
  );
  const old = widget({ name: 'toolong', items: [{ k: 'a', v: 'BAD' }], atomic: ['BAD'] });

  it('lets errors in unchanged values through as warnings, and runs the rules as if they were valid', () => {
    const issues = validator.validate(widget({ name: 'toolong', items: [{ k: 'b', v: 'ok' }, { k: 'a', v: 'BAD' }], atomic: ['BAD'], other: 'x' }), { old });
    expect(issues.map((i) => [i.field, i.severity])).toEqual([
      ['spec.name', 'warning'],
      ['spec.items[1].v', 'warning'],
      ['spec.atomic[0]', 'warning'],
    ]);
  });

  it('refuses an error in a changed value, the items of an atomic list judged with their list', () => {
    const issues = validator.validate(widget({ name: 'toolong2', items: [{ k: 'a', v: 'WORSE' }], atomic: ['BAD', 'x'] }), { old });
    expect(issues.map((i) => [i.field, i.severity])).toEqual([
      ['spec.name', 'error'],
      ['spec.items[0].v', 'error'],
      ['spec.atomic[0]', 'error'],
      ['', 'unchecked'],
    ]);
  });
});

describe('the request', () => {
  const validator = CrdValidator.fromCrd(crd({ type: 'object', properties: { s: { type: 'string' } } }));

  it('reports unknown fields as warnings by default, as the API server drops them', () => {
    expect(validator.validate(widget({ s: 'a', extra: 1 }, { metadata: { name: 'w', foo: 1 } }))).toEqual([
      { field: 'metadata.foo', message: 'unknown field "metadata.foo"', kind: 'request', severity: 'warning' },
      { field: 'spec.extra', message: 'unknown field "spec.extra"', kind: 'request', severity: 'warning' },
    ]);
  });

  it('refuses them with strict field validation, as kubectl apply asks, and says nothing with Ignore', () => {
    expect(isRefused(validator.validate(widget({ extra: 1 }), { fieldValidation: 'Strict' }))).toBe(true);
    expect(validator.validate(widget({ extra: 1 }), { fieldValidation: 'Ignore' })).toEqual([]);
  });

  it('ignores status on create when the kind has a status subresource, and keeps the stored one on update', () => {
    expect(validator.validate(widget({ s: 'a' }, { status: { phase: 'nonsense' } }))).toEqual([]);
    const old = widget({ s: 'a' }, { status: { phase: 'A' } });
    expect(validator.validate(widget({ s: 'b' }, { status: { phase: 'nonsense' } }), { old })).toEqual([]);
  });

  it('refuses another kind or version, and names without a DNS-1123 subdomain', () => {
    expect(lines(validator.validate({ ...widget({}), kind: 'Gadget' }))).toEqual(['kind: Unsupported value: "Gadget": supported values: "Widget"']);
    expect(lines(validator.validate({ ...widget({}), apiVersion: 'probe.dev/v2' }))).toEqual(['apiVersion: no matches for kind "Widget" in version "probe.dev/v2"']);
    expect(lines(validator.validate(widget({}, { metadata: { name: 'A_1' } })))).toEqual([
      `metadata.name: Invalid value: "A_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]);
    expect(lines(validator.validate(widget({}, { metadata: {} })))).toEqual(['metadata.name: Required value: name or generateName is required', NOT_CHECKED]);
    expect(isRefused(validator.validate('not an object'))).toBe(true);
  });

  it('refuses a file that is not a CRD, saying what it needs', () => {
    expect(() => CrdValidator.fromCrd({ kind: 'ConfigMap' })).toThrow('not a CustomResourceDefinition');
  });
});
