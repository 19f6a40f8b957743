// Which rules run offline, which are reported as not checked, and how fieldPath is normalized.
import { describe, expect, it } from 'vitest';
import { Re2Cache } from '../re2.ts';
import { compileRules, normalizeFieldPath } from './compile.ts';
import { ruleEnvironment } from './environment.ts';

const environment = ruleEnvironment(new Re2Cache());
const compile = (rule: string, schema: object = { type: 'string' }) =>
  compileRules({ ...schema, 'x-kubernetes-validations': [{ rule }] }, environment)[0]!;

describe('compileRules', () => {
  it.each([
    "self.lowerAscii().startsWith('aws:')",
    "strings.quote(self) != ''",
    "self.matches('^[a-z]+$') && self.indexOf('a') >= 0 && self.lastIndexOf('a') < size(self)",
    "['a', 'b'].exists(p, self.startsWith(p)) ? self.substring(1) != '' : true",
    'self.split(",").all(part, part.trim() != "")',
  ])('runs %s offline', (rule) => {
    expect(compile(rule)).toMatchObject({ program: expect.any(Function), usesOldSelf: false });
  });

  it('knows a transition rule by its oldSelf', () => {
    expect(compile('self == oldSelf').usesOldSelf).toBe(true);
    expect(compile("!has(oldSelf.region) || self.region == oldSelf.region", { type: 'object' }).usesOldSelf).toBe(true);
  });

  it.each<[string, string]>([
    ['self.isSorted()', 'it uses isSorted'],
    ['cel.bind(x, self, x == "a")', 'it uses bind'],
    // The two-variable form is not a macro to the offline parser: it stays a call of all().
    ["self.all(i, v, v != '')", 'it uses all'],
    ['self.?a.orValue("b") == "b"', 'the offline CEL parser cannot read it'],
    ["url(self).getHost() != ''", 'it uses getHost, url'],
  ])('reports %s as not checkable: %s', (rule, reason) => {
    const compiled = compile(rule);
    expect(compiled.program).toBeUndefined();
    expect(compiled.uncheckable).toContain(reason);
  });

  it('does not run rules over durations, which it does not convert', () => {
    expect(compile('self != ""', { type: 'string', format: 'duration' }).uncheckable).toContain('duration');
  });
});

describe('normalizeFieldPath', () => {
  const schema = { type: 'object' as const, properties: { region: { type: 'string' as const }, tags: { type: 'object' as const, additionalProperties: { type: 'string' as const } } } };

  it.each<[string | undefined, string]>([
    [undefined, ''],
    ['.region', 'region'],
    [".tags['a.b']", 'tags[a.b]'],
    ['.tags.team', 'tags[team]'],
  ])('%s is appended as %j', (fieldPath, normalized) => {
    expect(normalizeFieldPath(fieldPath, schema)).toBe(normalized);
  });
});
