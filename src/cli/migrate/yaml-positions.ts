// Where things are in a YAML text, read from js-yaml's event stream, so that messages can name a
// line a person finds in their editor.
import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, type Event } from 'js-yaml';

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === NEWLINE) line++;
  return line;
}

/** The 1-based line each item of the text's top-level sequence starts on ([] when it is not a sequence). */
export function sequenceItemLines(text: string): number[] {
  const events = parseEvents(text, {});
  const root = firstDocumentRoot(events);
  if (root === undefined || events[root]?.type !== EVENT_ID.SEQUENCE) return [];
  return children(events, root).map((index) => lineAt(text, startOf(events[index])));
}

/** Where a block-literal (`|`) value starts, so its lines map one to one onto the file's. */
export interface LiteralBlock {
  /** The file line of the value's first line. */
  firstLine: number;
}

/**
 * The literal blocks under `data:` of the text's first document, by key (a ConfigMap's
 * data.mapRoles, say). Values written any other way are left out: their lines do not map onto
 * the file's.
 */
export function dataLiteralBlocks(text: string): Map<string, LiteralBlock> {
  const events = parseEvents(text, {});
  const blocks = new Map<string, LiteralBlock>();
  const root = firstDocumentRoot(events);
  const data = root === undefined ? undefined : mappingValue(text, events, root, 'data');
  if (data === undefined || events[data]?.type !== EVENT_ID.MAPPING) return blocks;
  for (const [key, value] of mappingPairs(text, events, data)) {
    const event = events[value];
    if (event?.type === EVENT_ID.SCALAR && event.style === SCALAR_STYLE.LITERAL_BLOCK) blocks.set(key, { firstLine: lineAt(text, event.valueStart) });
  }
  return blocks;
}

const NEWLINE = 10;

function firstDocumentRoot(events: Event[]): number | undefined {
  return events[0]?.type === EVENT_ID.DOCUMENT && events.length > 1 ? 1 : undefined;
}

/** The index just past the node that starts at `index`. */
function after(events: Event[], index: number): number {
  const type = events[index]?.type;
  if (type !== EVENT_ID.MAPPING && type !== EVENT_ID.SEQUENCE) return index + 1;
  let next = index + 1;
  while (next < events.length && events[next]?.type !== EVENT_ID.POP) next = after(events, next);
  return next + 1;
}

/** Indexes of the nodes directly inside the collection at `index`. */
function children(events: Event[], index: number): number[] {
  const found: number[] = [];
  for (let next = index + 1; next < events.length && events[next]?.type !== EVENT_ID.POP; next = after(events, next)) found.push(next);
  return found;
}

function mappingPairs(text: string, events: Event[], index: number): [string, number][] {
  const nodes = children(events, index);
  const pairs: [string, number][] = [];
  for (let i = 0; i + 1 < nodes.length; i += 2) {
    const key = events[nodes[i] as number];
    if (key?.type === EVENT_ID.SCALAR) pairs.push([getScalarValue(text, key), nodes[i + 1] as number]);
  }
  return pairs;
}

function mappingValue(text: string, events: Event[], index: number, key: string): number | undefined {
  if (events[index]?.type !== EVENT_ID.MAPPING) return undefined;
  return mappingPairs(text, events, index).find(([name]) => name === key)?.[1];
}

function startOf(event: Event | undefined): number {
  if (event === undefined) return 0;
  if (event.type === EVENT_ID.SCALAR) return event.valueStart;
  if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) return event.start;
  return 0;
}
