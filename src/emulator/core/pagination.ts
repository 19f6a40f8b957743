// Cursor pagination for the List operations. The token is opaque to clients: it names the last
// key returned, so entries added or removed between pages neither repeat nor shift the page.
import { invalidParameter } from './errors.ts';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface PageRequest {
  /** The most items a page holds. */
  maxResults: number;
  /** The token of the previous page; null for the first. */
  token: string | null;
  /** How errors name the token: EKS's `nextToken` (the default), IAM's `Marker`. */
  tokenName?: string;
}

/** `items` must be sorted by `keyOf`. */
export function paginate<T>(items: T[], keyOf: (item: T) => string, { maxResults, token, tokenName = 'nextToken' }: PageRequest): Page<T> {
  const after = token === null ? undefined : decodeToken(token, tokenName);
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

function decodeToken(token: string, tokenName: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof decoded.after === 'string') return decoded.after;
  } catch {
    // fall through to the error below
  }
  throw invalidParameter(`The ${tokenName} is not valid. Pass the ${tokenName} from the previous response unchanged, or leave it out to start over.`);
}
