import { describe, expect, it } from 'vitest';
import type { AccessEntry } from '../api/accessentry.ts';
import { expiresIn, isExpired } from './expiry.ts';

const at = (expiresAt?: string): AccessEntry =>
  ({ apiVersion: 'eksaccess.dev/v1alpha1', kind: 'AccessEntry', metadata: {}, spec: { clusterName: 'c', principalArn: 'p', ...(expiresAt ? { expiresAt } : {}) } });
const now = new Date('2026-12-08T06:00:00Z');

describe('expiry', () => {
  it('never expires without expiresAt; counts down to it; is expired from that instant on', () => {
    expect(expiresIn(at(), now)).toBe(Number.POSITIVE_INFINITY);
    expect(expiresIn(at('2026-12-08T06:00:10Z'), now)).toBe(10_000);
    expect(isExpired(at('2026-12-08T06:00:00Z'), now)).toBe(true);
    expect(isExpired(at('2026-12-08T06:00:01Z'), now)).toBe(false);
  });

  it('takes a time it cannot read as expired: it never grants access', () => {
    expect(isExpired(at('next tuesday'), now)).toBe(true);
  });
});
