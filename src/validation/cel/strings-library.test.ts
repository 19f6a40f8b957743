// Kubernetes' CEL string functions, with cel-go's answers: code points, not UTF-16 units.
import { isCelError, parse, plan } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { Re2Cache } from '../re2.ts';
import { ruleEnvironment } from './environment.ts';
import { charAt, indexOf, lastIndexOf, lowerAscii, quote, replace, split, substring, trim, upperAscii } from './strings-library.ts';

const environment = ruleEnvironment(new Re2Cache());

/** Runs a CEL expression with self bound, as a rule would. */
function run(expression: string, self: unknown = ''): unknown {
  const result = (plan(environment.env, parse(expression)) as (b: Record<string, unknown>) => unknown)({ self });
  return isCelError(result) ? `error: ${result.message}` : result;
}

describe('indexes count code points, as Go runes do', () => {
  // '😀' is one code point but two UTF-16 units: JavaScript's own indexOf would say 3 here.
  it.each<[string, unknown]>([
    ["'😀a/😀b/値c'.indexOf('/')", 2n],
    ["'😀a/😀b/値c'.lastIndexOf('/')", 5n],
    ["'😀a/😀b/値c'.lastIndexOf('/') - '😀a/😀b/値c'.indexOf('/') + 1", 4n],
    ["'😀a/😀b/値c'.substring('😀a/😀b/値c'.lastIndexOf('/') + 1)", '値c'],
    ["size('😀a/😀b/値c')", 8n],
    ["'a😀b'.charAt(1)", '😀'],
    ["'a😀b'.substring(1, 2)", '😀'],
  ])('%s is %s', (expression, expected) => {
    expect(run(expression)).toBe(expected);
  });
});

describe('indexOf and lastIndexOf', () => {
  it.each<[string, string, bigint | undefined, bigint]>([
    ['hello mellow', 'ello', undefined, 1n],
    ['hello mellow', 'jello', undefined, -1n],
    ['hello mellow', '', undefined, 0n],
    ['hello mellow', 'ello', 6n, 7n],
    ['hello mellow', '', 3n, 3n],
  ])('indexOf(%j, %j, %s) is %s', (text, sub, offset, expected) => {
    expect(indexOf(text, sub, offset)).toBe(expected);
  });

  it.each<[string, string, bigint | undefined, bigint]>([
    ['hello mellow', 'ello', undefined, 7n],
    ['hello mellow', '', undefined, 12n],
    ['hello mellow', 'ello', 6n, 1n],
    ['hello mellow', 'low', 11n, 9n],
    ['hello mellow', 'jello', undefined, -1n],
  ])('lastIndexOf(%j, %j, %s) is %s', (text, sub, offset, expected) => {
    expect(lastIndexOf(text, sub, offset)).toBe(expected);
  });

  it('refuses an offset outside the string, as cel-go does', () => {
    expect(() => indexOf('abc', 'a', 3n)).toThrow('index out of range: 3');
    expect(() => indexOf('abc', 'a', -1n)).toThrow('index out of range: -1');
    expect(() => lastIndexOf('abc', 'a', 3n)).toThrow('index out of range: 3');
    expect(run("'abc'.indexOf('a', 5)")).toBe('error: index out of range: 5');
  });
});

describe('substring and charAt', () => {
  it('cuts by code points and allows the end of the string', () => {
    expect(substring('tacocat', 4n)).toBe('cat');
    expect(substring('tacocat', 7n)).toBe('');
    expect(substring('tacocat', 0n, 4n)).toBe('taco');
    expect(charAt('abc', 3n)).toBe('');
  });

  it('refuses ranges cel-go refuses, with its words', () => {
    expect(() => substring('abc', 4n)).toThrow('index out of range: 4');
    expect(() => substring('abc', 2n, 1n)).toThrow('invalid substring range. start: 2, end: 1');
    expect(() => substring('abc', 0n, 4n)).toThrow('index out of range: 4');
    expect(() => charAt('abc', 4n)).toThrow('index out of range: 4');
  });
});

describe('lowerAscii and upperAscii', () => {
  it('change only ASCII letters', () => {
    expect(lowerAscii('EKS:Admin ÀÉ')).toBe('eks:admin ÀÉ');
    expect(upperAscii('eks:admin àé')).toBe('EKS:ADMIN àé');
    expect(run("self.lowerAscii().startsWith('eksaccess.dev/')", 'EKSAccess.dev/managed-by')).toBe(true);
  });
});

describe('replace, split and join, as Go strings.Replace, SplitN and Join', () => {
  it.each<[string, string, string, bigint | undefined, string]>([
    ['a-b-c', '-', '+', undefined, 'a+b+c'],
    ['a-b-c', '-', '+', 1n, 'a+b-c'],
    ['a-b-c', '-', '+', 0n, 'a-b-c'],
    ['abc', '', '-', undefined, '-a-b-c-'],
    ['abc', '', '-', 2n, '-a-bc'],
    ['a😀b', '', '.', undefined, '.a.😀.b.'],
  ])('replace(%j, %j, %j, %s) is %j', (...[text, old, replacement, n, expected]) => {
    expect(replace(text, old, replacement, n)).toBe(expected);
  });

  it.each<[string, string, bigint | undefined, string[]]>([
    ['a,b,c', ',', undefined, ['a', 'b', 'c']],
    ['a,b,c', ',', 2n, ['a', 'b,c']],
    ['a,b,c', ',', 0n, []],
    ['a,b,c', ',', -1n, ['a', 'b', 'c']],
    ['', ',', undefined, ['']],
    ['a😀', '', undefined, ['a', '😀']],
  ])('split(%j, %j, %s) is %j', (text, separator, n, expected) => {
    expect(split(text, separator, n)).toEqual(expected);
  });

  it('joins lists of strings', () => {
    expect(run("['a', 'b'].join()")).toBe('ab');
    expect(run("['a', 'b'].join('/')")).toBe('a/b');
    expect(run("'a,b'.split(',').join('+')")).toBe('a+b');
  });

  it('trims white space, Unicode included', () => {
    expect(trim(' \t\u00a0text\u2003\n')).toBe('text');
  });
});

describe('strings.quote', () => {
  it('escapes what CEL can escape and leaves the rest as it is', () => {
    expect(quote('say "hi"\\\n\t')).toBe('"say \\"hi\\"\\\\\\n\\t"');
    // cel-go writes other control characters raw; JSON.stringify would have escaped the NUL.
    expect(quote('a\u0000b')).toBe('"a\u0000b"');
    expect(quote('värde 値 😀')).toBe('"värde 値 😀"');
  });

  it('replaces a lone surrogate, which Go would hold as invalid UTF-8', () => {
    expect(quote('a\ud800b')).toBe('"a\ufffdb"');
  });

  it('is callable by its qualified name from a rule', () => {
    expect(run("'namespace ' + strings.quote(self)", 'Team-A')).toBe('namespace "Team-A"');
  });
});

describe('matches() runs RE2, as Go does', () => {
  it.each<[string, string, boolean]>([
    [String.raw`\p{Cc}`, 'a\tb', true],
    [String.raw`\p{Cc}`, 'ab', false],
    [String.raw`^[\p{L}\p{Z}\p{N}_.:/=+@-]*$`, 'värde 値 ١٢٣', true],
    [String.raw`^[\p{L}\p{Z}\p{N}_.:/=+@-]*$`, '50%', false],
    ['^arn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:role/([!-.0-~]+/)*[A-Za-z0-9+=,.@_-]{1,64}$', 'arn:aws:iam::123456789012:role/a/b', true],
    ['[a-z]', 'ABC1', false],
  ])('%s matches %j: %s', (pattern, text, expected) => {
    expect(run(`self.matches(r'${pattern}')`, text)).toBe(expected);
  });
});
