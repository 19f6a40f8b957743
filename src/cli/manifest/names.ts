// Object names for the AccessEntries a command writes: readable (cluster and principal), valid
// DNS-1123 labels, unique, and the same for the same principal whatever else is in the input.
import { createHash } from 'node:crypto';

export const MAX_NAME_LENGTH = 63;
const FIRST_HASH_LENGTH = 6;
/** Far past any real collision of SHA-256 prefixes; it only bounds the loop below. */
const LONGEST_HASH = 32;
const HASH_STEP = 2;

export interface NameRequest {
  /** What makes the entry unique (its principal ARN): the suffix of a name that collides is its hash. */
  key: string;
  clusterName: string;
  principalName: string;
}

export interface NameCollision {
  /** The name every member would have had. */
  name: string;
  members: { key: string; name: string }[];
}

export interface Naming {
  /** Name by key. */
  names: Map<string, string>;
  collisions: NameCollision[];
}

/**
 * `CLUSTER-PRINCIPAL`, lower-cased. Entries whose names would collide (a role and a user of one
 * name, roles of one name in two accounts) each get a suffix derived from their own key, never
 * from their place in the input, so adding a principal renames no other.
 */
export function assignNames(requests: readonly NameRequest[]): Naming {
  const bases = new Map(requests.map((request) => [request.key, dnsLabel(`${request.clusterName}-${request.principalName}`)]));
  const hashLength = new Map<string, number>();
  const nameOf = (key: string): string => {
    const length = hashLength.get(key);
    const base = bases.get(key) ?? '';
    return length === undefined ? base : withSuffix(base, hashOf(key, length));
  };
  for (let length = FIRST_HASH_LENGTH; length <= LONGEST_HASH; length += HASH_STEP) {
    const clashing = duplicates(requests, nameOf);
    if (clashing.length === 0) break;
    for (const key of clashing) hashLength.set(key, length);
  }
  const names = new Map(requests.map((request) => [request.key, nameOf(request.key)]));
  return { names, collisions: collisionsOf(requests, bases, names) };
}

/** Lower-case letters, digits and inner hyphens, at most 63 characters: a DNS-1123 label. */
export function dnsLabel(text: string): string {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'entry';
  if (cleaned.length <= MAX_NAME_LENGTH) return cleaned;
  // Cut names keep a hash of the whole, so two long names that start alike stay apart.
  return withSuffix(cleaned, hashOf(cleaned, FIRST_HASH_LENGTH));
}

function withSuffix(base: string, suffix: string): string {
  const room = MAX_NAME_LENGTH - suffix.length - 1;
  return `${base.slice(0, room).replace(/-+$/, '')}-${suffix}`;
}

function hashOf(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The keys of every request whose name another request has too. */
function duplicates(requests: readonly NameRequest[], nameOf: (key: string) => string): string[] {
  const byName = new Map<string, string[]>();
  for (const { key } of requests) byName.set(nameOf(key), [...(byName.get(nameOf(key)) ?? []), key]);
  return [...byName.values()].filter((keys) => keys.length > 1 && new Set(keys).size > 1).flat();
}

function collisionsOf(requests: readonly NameRequest[], bases: Map<string, string>, names: Map<string, string>): NameCollision[] {
  const byBase = new Map<string, string[]>();
  for (const { key } of requests) byBase.set(bases.get(key) ?? '', [...(byBase.get(bases.get(key) ?? '') ?? []), key]);
  return [...byBase.entries()]
    .filter(([, keys]) => keys.length > 1)
    .map(([name, keys]) => ({ name, members: keys.map((key) => ({ key, name: names.get(key) ?? '' })).sort(byName) }))
    .sort((a, b) => compare(a.name, b.name));
}

function byName(a: { name: string }, b: { name: string }): number {
  return compare(a.name, b.name);
}

/** Code-unit order: the same everywhere, unlike localeCompare. */
export function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
