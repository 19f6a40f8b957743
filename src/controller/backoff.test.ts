import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';

const noJitter = (): number => 0;

describe('Backoff', () => {
  it.each([
    [1, 500],
    [2, 1_000],
    [3, 2_000],
    [10, 256_000],
    [11, 300_000],
    [5_000, 300_000],
  ])('with the defaults, attempt %i waits %i ms', (attempt, expected) => {
    expect(new Backoff({}, noJitter).nextDelay(attempt)).toBe(expected);
  });

  it('honours base, factor and cap given by the caller', () => {
    const backoff = new Backoff({ baseMs: 100, factor: 3, maxMs: 1_000, jitter: 0 });
    expect([1, 2, 3, 4, 5].map((attempt) => backoff.nextDelay(attempt))).toEqual([100, 300, 900, 1_000, 1_000]);
  });

  it('treats options left undefined as the defaults', () => {
    expect(new Backoff({ baseMs: undefined, jitter: undefined }, noJitter).nextDelay(2)).toBe(1_000);
  });

  it('jitter only shortens a delay, by at most the jitter fraction', () => {
    expect(new Backoff({ jitter: 0.1 }, () => 0.999_999).nextDelay(1)).toBe(450);
    expect(new Backoff({ jitter: 0.1 }, () => 0.5).nextDelay(1)).toBe(475);
    expect(new Backoff({ jitter: 0.1, maxMs: 1_000 }, () => 0).nextDelay(20)).toBe(1_000);
  });

  it('spreads delays of the same attempt when jitter is on', () => {
    const backoff = new Backoff({ baseMs: 10_000 });
    const delays = new Set(Array.from({ length: 20 }, () => backoff.nextDelay(1)));
    expect(delays.size).toBeGreaterThan(1);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(9_000);
      expect(delay).toBeLessThanOrEqual(10_000);
    }
  });

  it.each([
    [{ baseMs: 0 }, /baseMs must be a positive number/],
    [{ baseMs: 1_000, maxMs: 10 }, /maxMs must be a number no smaller than baseMs \(1000\), got 10/],
    [{ factor: 0.5 }, /factor must be a number of at least 1, got 0.5/],
    [{ jitter: 2 }, /jitter must be a fraction between 0 and 1, got 2/],
    [{ jitter: Number.NaN }, /jitter must be a fraction/],
  ])('rejects %o with a message that says what to fix', (options, message) => {
    expect(() => new Backoff(options)).toThrow(message);
  });

  it.each([0, -1, 1.5])('rejects attempt %d', (attempt) => {
    expect(() => new Backoff().nextDelay(attempt)).toThrow(/attempt must be an integer of at least 1/);
  });
});
