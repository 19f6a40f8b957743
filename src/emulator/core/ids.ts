// Ids in AWS's style: upper-case letters and digits.
import { randomBytes } from 'node:crypto';

// 32 symbols, so a byte maps onto one without bias.
export const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `length` random upper-case letters and digits. */
export function randomWord(length: number): string {
  return [...randomBytes(length)].map((byte) => ID_ALPHABET[byte % 32]).join('');
}
