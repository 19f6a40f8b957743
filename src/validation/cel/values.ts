// A JSON value as the API server hands it to CEL: integers are CEL ints (bigint here), numbers
// doubles, date and date-time strings timestamps, byte strings bytes; objects and maps are maps.
import { create } from '@bufbuild/protobuf';
import { TimestampSchema, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { CelInput } from '@bufbuild/cel';
import { isObject, mapValueSchema, type SchemaNode } from '../schema-node.ts';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2}))?$/;

/** The value as CEL sees it, given the schema of the node it sits at. */
export function toCelValue(value: unknown, schema: SchemaNode | undefined): CelInput {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => toCelValue(item, schema?.items));
  if (isObject(value)) return objectValue(value, schema);
  if (typeof value === 'number') return schema?.type === 'number' || !Number.isInteger(value) ? value : BigInt(value);
  if (typeof value === 'string') return stringValue(value, schema?.format);
  return value as CelInput;
}

function objectValue(value: Record<string, unknown>, schema: SchemaNode | undefined): CelInput {
  const result: Record<string, CelInput> = {};
  for (const [name, fieldValue] of Object.entries(value)) {
    result[name] = toCelValue(fieldValue, schema?.properties?.[name] ?? (schema ? mapValueSchema(schema) : undefined));
  }
  return result;
}

function stringValue(text: string, format: string | undefined): CelInput {
  if (format === 'date-time' || format === 'date') return parseTimestamp(text) ?? text;
  if (format === 'byte') return Buffer.from(text, 'base64');
  return text;
}

/** An RFC 3339 time (or a date, at midnight UTC) as a protobuf Timestamp, to the nanosecond. */
export function parseTimestamp(text: string): Timestamp | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const offset = m[8] === undefined || /z/i.test(m[8]) ? 0 : offsetSeconds(m[8]);
  const seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offset;
  const nanos = Number((m[7] ?? '').padEnd(9, '0').slice(0, 9));
  return create(TimestampSchema, { seconds: BigInt(seconds), nanos });
}

function offsetSeconds(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [hours, minutes] = offset.slice(1).split(':').map(Number) as [number, number];
  return sign * (hours * 3600 + minutes * 60);
}

/** Rules on nodes holding values this module cannot give CEL faithfully: durations. */
export function unsupportedValueIn(schema: SchemaNode): string | undefined {
  if (schema.format === 'duration') return 'duration values are not converted offline';
  for (const next of [schema.items, mapValueSchema(schema), ...Object.values(schema.properties ?? {})]) {
    const reason = next && unsupportedValueIn(next);
    if (reason) return reason;
  }
  return undefined;
}
