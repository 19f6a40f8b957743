// Cursor pagination for the List operations. The token is opaque to clients: it names the last
// key returned, so entries added or removed between pages neither repeat nor shift the page.
import { invalidParameter } from './errors.ts';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** `items` must be sorted by `keyOf`. */
export function paginate<T>(items: T[], keyOf: (item: T) => string, maxResults: number, nextToken: string | null): Page<T> {
  const after = nextToken === null ? undefined : decodeToken(nextToken);
  const start = after === undefined ? 0 : items.findIndex((item) => keyOf(item) > after);
  const remaining = start === -1 ? [] : items.slice(start);
  const page = remaining.slice(0, maxResults);
  const last = page.at(-1);
  if (remaining.length > maxResults && last !== undefined) return { items: page, nextToken: encodeToken(keyOf(last)) };
  return { items: page };
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof decoded.after === 'string') return decoded.after;
  } catch {
    // fall through to the error below
  }
  throw invalidParameter('The nextToken is not valid. Pass the nextToken from the previous response unchanged, or leave it out to start over.');
}
