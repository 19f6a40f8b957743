// Kubernetes' CEL string functions (cel-go's strings extension, which the API server enables for
// CRD rules), with cel-go's semantics: indexes count Unicode code points (Go runes), not UTF-16
// units as JavaScript's string methods do; errors read as cel-go's. @bufbuild/cel ships an
// extension of the same names that works on UTF-16 units, which would give other answers for
// characters outside the Basic Multilingual Plane, hence these.
import { celFunc, celList, celMethod, CelScalar, listType, type CelFunc, type CelList } from '@bufbuild/cel';
import { BACKSLASH_ESCAPES } from '../escapes.ts';

const { STRING, INT } = CelScalar;
const LIST_OF_STRINGS = listType(STRING);

/** The code points of text, as Go's []rune(text). */
const runes = (text: string): string[] => Array.from(text);

function outOfRange(i: number | bigint): Error {
  return new Error(`index out of range: ${i}`);
}

export function charAt(text: string, at: bigint): string {
  const chars = runes(text);
  if (at < 0n || at > BigInt(chars.length)) throw outOfRange(at);
  return chars[Number(at)] ?? '';
}

function matchesAt(chars: string[], sub: string[], at: number): boolean {
  return sub.every((char, j) => chars[at + j] === char);
}

export function indexOf(text: string, substr: string, offset = 0n): bigint {
  if (substr === '') return offset;
  const chars = runes(text);
  const sub = runes(substr);
  if (offset < 0n || offset >= BigInt(chars.length)) throw outOfRange(offset);
  for (let i = Number(offset); i < chars.length - (sub.length - 1); i++) if (matchesAt(chars, sub, i)) return BigInt(i);
  return -1n;
}

export function lastIndexOf(text: string, substr: string, offset?: bigint): bigint {
  const chars = runes(text);
  const from = offset ?? BigInt(chars.length - 1);
  if (substr === '') return offset ?? BigInt(chars.length);
  const sub = runes(substr);
  if (from < 0n || from >= BigInt(chars.length)) throw outOfRange(from);
  for (let i = Math.min(Number(from), chars.length - sub.length); i >= 0; i--) if (matchesAt(chars, sub, i)) return BigInt(i);
  return -1n;
}

export function substring(text: string, start: bigint, end?: bigint): string {
  const chars = runes(text);
  const length = BigInt(chars.length);
  if (end !== undefined && start > end) throw new Error(`invalid substring range. start: ${start}, end: ${end}`);
  if (start < 0n || start > length) throw outOfRange(start);
  if (end !== undefined && (end < 0n || end > length)) throw outOfRange(end);
  return chars.slice(Number(start), end === undefined ? undefined : Number(end)).join('');
}

/** Changes only A-Z (or a-z): lowerAscii('ÀB') is 'Àb'. */
export function lowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

export function upperAscii(text: string): string {
  return text.replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/** Go's strings.Replace: n < 0 replaces all; an empty old inserts at every code point boundary. */
export function replace(text: string, old: string, replacement: string, n = -1n): string {
  if (n === 0n || old === replacement) return text;
  // With an empty old, the "pieces" between matches are the code points themselves.
  const pieces = old === '' ? ['', ...runes(text), ''] : text.split(old);
  const separators = pieces.length - 1;
  const count = n < 0n ? separators : Math.min(Number(n), separators);
  let result = pieces[0]!;
  for (let i = 1; i < pieces.length; i++) result += (i <= count ? replacement : old) + pieces[i]!;
  return result;
}

/** Go's strings.SplitN: n < 0 all; n == 0 none; otherwise at most n pieces, the last holding the rest. */
export function split(text: string, separator: string, n = -1n): string[] {
  if (n === 0n) return [];
  const pieces = separator === '' ? runes(text) : text.split(separator);
  if (n < 0n || pieces.length <= Number(n)) return pieces;
  const head = pieces.slice(0, Number(n) - 1);
  return [...head, pieces.slice(Number(n) - 1).join(separator)];
}

/** Go's strings.TrimSpace: Unicode white space at both ends. */
export function trim(text: string): string {
  return text.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '');
}

/**
 * strings.quote: the escapes CEL knows, and nothing else escaped (a NUL stays a NUL), as cel-go
 * quotes; a lone surrogate (invalid UTF-8 in Go) becomes U+FFFD.
 */
export function quote(text: string): string {
  let quoted = '';
  for (const char of text) quoted += BACKSLASH_ESCAPES[char] ?? (/\p{Cs}/u.test(char) ? '\ufffd' : char);
  return `"${quoted}"`;
}

function join(list: CelList, separator = ''): string {
  return Array.from(list, (item) => {
    if (typeof item !== 'string') throw new Error('join: the list holds a value that is not a string');
    return item;
  }).join(separator);
}

/** The functions, for a @bufbuild/cel environment. */
export const KUBERNETES_STRING_FUNCTIONS: CelFunc[] = [
  celMethod('charAt', STRING, [INT], STRING, function (this: string, at) {
    return charAt(this, at);
  }),
  celMethod('indexOf', STRING, [STRING], INT, function (this: string, sub) {
    return indexOf(this, sub);
  }),
  celMethod('indexOf', STRING, [STRING, INT], INT, function (this: string, sub, offset) {
    return indexOf(this, sub, offset);
  }),
  celMethod('lastIndexOf', STRING, [STRING], INT, function (this: string, sub) {
    return lastIndexOf(this, sub);
  }),
  celMethod('lastIndexOf', STRING, [STRING, INT], INT, function (this: string, sub, offset) {
    return lastIndexOf(this, sub, offset);
  }),
  celMethod('lowerAscii', STRING, [], STRING, function (this: string) {
    return lowerAscii(this);
  }),
  celMethod('upperAscii', STRING, [], STRING, function (this: string) {
    return upperAscii(this);
  }),
  celMethod('replace', STRING, [STRING, STRING], STRING, function (this: string, old, replacement) {
    return replace(this, old, replacement);
  }),
  celMethod('replace', STRING, [STRING, STRING, INT], STRING, function (this: string, old, replacement, n) {
    return replace(this, old, replacement, n);
  }),
  celMethod('split', STRING, [STRING], LIST_OF_STRINGS, function (this: string, separator) {
    return celList(split(this, separator));
  }),
  celMethod('split', STRING, [STRING, INT], LIST_OF_STRINGS, function (this: string, separator, n) {
    return celList(split(this, separator, n));
  }),
  celMethod('substring', STRING, [INT], STRING, function (this: string, start) {
    return substring(this, start);
  }),
  celMethod('substring', STRING, [INT, INT], STRING, function (this: string, start, end) {
    return substring(this, start, end);
  }),
  celMethod('trim', STRING, [], STRING, function (this: string) {
    return trim(this);
  }),
  celMethod('join', LIST_OF_STRINGS, [], STRING, function (this: CelList) {
    return join(this);
  }),
  celMethod('join', LIST_OF_STRINGS, [STRING], STRING, function (this: CelList, separator) {
    return join(this, separator);
  }),
  celFunc('strings.quote', [STRING], STRING, quote),
];
