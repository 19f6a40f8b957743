import { describe, expect, it } from 'vitest';
import { parseLabels } from './labels.ts';

describe('--label', () => {
  it('takes key=value labels as Kubernetes does', () => {
    expect(parseLabels(['team=platform', 'eksaccess.dev/tenant=payments', 'empty='])).toEqual({ team: 'platform', 'eksaccess.dev/tenant': 'payments', empty: '' });
  });

  it.each([['team'], ['=x'], ['Bad_Prefix/x=y'], ['team=has space'], [`team=${'x'.repeat(64)}`], ['-team=x']])('refuses %s, saying what is wrong', (label) => {
    expect(() => parseLabels([label])).toThrow(new RegExp(`--label ${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
});
