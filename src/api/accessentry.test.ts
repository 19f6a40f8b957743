import { describe, expect, it } from 'vitest';
import { accessEntryKey, isAccessEntry, type AccessEntry } from './accessentry.ts';
import { API_GROUP_VERSION, KIND } from './names.ts';

const entry: AccessEntry = {
  apiVersion: API_GROUP_VERSION,
  kind: KIND,
  metadata: { name: 'platform-admins' },
  spec: { clusterName: 'demo', principalArn: 'arn:aws:iam::123456789012:role/admins' },
};

describe('accessEntryKey', () => {
  it('is the name, since the kind is cluster-scoped', () => {
    expect(accessEntryKey(entry)).toBe('platform-admins');
  });

  it('refuses an object without a name', () => {
    expect(() => accessEntryKey({ metadata: { generateName: 'x-' } })).toThrow(/metadata.name/);
  });
});

describe('isAccessEntry', () => {
  it('accepts an AccessEntry of this version', () => {
    expect(isAccessEntry(entry)).toBe(true);
  });

  it.each([
    ['null', null],
    ['a string', 'AccessEntry'],
    ['another version', { ...entry, apiVersion: 'eksaccess.dev/v1' }],
    ['another kind', { ...entry, kind: 'ConfigMap' }],
    ['an object without spec', { apiVersion: API_GROUP_VERSION, kind: KIND, metadata: {} }],
    ['an object with a null spec', { ...entry, spec: null }],
  ])('rejects %s', (_label, candidate) => {
    expect(isAccessEntry(candidate)).toBe(false);
  });
});
