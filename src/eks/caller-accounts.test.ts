import { describe, expect, it } from 'vitest';
import { CallerAccounts } from './caller-accounts.ts';

describe('CallerAccounts', () => {
  it('asks once per credential set, also when asked again while the first lookup runs', async () => {
    const accounts = new CallerAccounts();
    let lookups = 0;
    const lookup = (): Promise<string> => Promise.resolve(String(++lookups).padStart(12, '1'));
    const [a, b] = await Promise.all([accounts.accountOf('default', lookup), accounts.accountOf('default', lookup)]);
    expect(await accounts.accountOf('default', lookup)).toBe(a);
    expect(b).toBe(a);
    expect(lookups).toBe(1);
    await accounts.accountOf('role-b', lookup);
    expect(lookups).toBe(2);
  });

  it('asks again after a failed lookup', async () => {
    const accounts = new CallerAccounts();
    await expect(accounts.accountOf('default', () => Promise.reject(new Error('throttled')))).rejects.toThrow('throttled');
    await expect(accounts.accountOf('default', () => Promise.resolve('123456789012'))).resolves.toBe('123456789012');
  });
});
