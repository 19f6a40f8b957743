// EKS's page size for the List operations.
import { invalidParameter } from '../core/errors.ts';

export const MAX_PAGE_SIZE = 100;

export function parseMaxResults(raw: string | null): number {
  if (raw === null) return MAX_PAGE_SIZE;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw invalidParameter(`maxResults must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${raw}.`);
  }
  return value;
}
