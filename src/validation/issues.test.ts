// Values and issues printed as the API server prints field errors.
import { describe, expect, it } from 'vitest';
import { describeValue, formatIssue, goQuote, invalid, isRefused, notSupported, OMIT_VALUE, tooLong, tooMany } from './issues.ts';

describe('describeValue, as field.Error prints a bad value', () => {
  it.each<[unknown, string]>([
    ['EC2_MAC', '"EC2_MAC"'],
    [5, '5'],
    [5.5, '5.5'],
    [12n, '12'],
    [false, 'false'],
    [null, 'null'],
    [{ k: 'a', b: 1 }, '{"b":1,"k":"a"}'],
    [['a', 1], '["a",1]'],
  ])('%s prints as %s', (value, printed) => {
    expect(describeValue(value)).toBe(printed);
  });
});

describe('goQuote, as Go strconv.Quote', () => {
  it.each<[string, string]>([
    ['plain', '"plain"'],
    ['tab\there', '"tab\\there"'],
    ['nul\u0000', '"nul\\x00"'],
    ['newline\n', '"newline\\n"'],
    ['quote " and \\', '"quote \\" and \\\\"'],
    ['värde 値 😀', '"värde 値 😀"'],
    ['zero\u200bwidth', '"zero\\u200bwidth"'],
  ])('%j quotes as %s', (text, quoted) => {
    expect(goQuote(text)).toBe(quoted);
  });
});

describe('issues', () => {
  it('read as the API server words its causes', () => {
    expect(formatIssue(notSupported('spec.type', 'FOO', ['STANDARD', 'EC2']))).toBe('spec.type: Unsupported value: "FOO": supported values: "STANDARD", "EC2"');
    expect(formatIssue(tooLong('spec.clusterName', 100))).toBe('spec.clusterName: Too long: may not be more than 100 bytes');
    expect(formatIssue(tooMany('spec.accessPolicies', 21, 20))).toBe('spec.accessPolicies: Too many: 21: must have at most 20 items');
    expect(formatIssue(invalid('spec.tags', OMIT_VALUE, 'tag keys must be 1 to 128 characters long'))).toBe('spec.tags: Invalid value: tag keys must be 1 to 128 characters long');
    expect(formatIssue(invalid('', null, 'x'))).toBe('<nil>: Invalid value: null: x');
  });

  it('make a document refused only when one is an error', () => {
    const warning = { field: 'spec.x', message: 'unknown field "spec.x"', kind: 'request', severity: 'warning' } as const;
    expect(isRefused([warning, { ...warning, severity: 'unchecked' }])).toBe(false);
    expect(isRefused([warning, { ...warning, severity: 'error' }])).toBe(true);
  });
});
