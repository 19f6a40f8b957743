// What the API server does to a custom resource before it validates it: drop the fields the
// schema does not know (pruning), drop nulls the schema does not allow, and fill in defaults.
// Rules read defaulted fields (spec.type is STANDARD when unset), so this must come first.
import { child, index } from './field-path.ts';
import { isObject, mapValueSchema, type JsonObject, type SchemaNode } from './schema-node.ts';

export interface Pruned {
  value: unknown;
  /** Paths of the fields that were dropped, as the API server names them in "unknown field". */
  unknownFields: string[];
}

/**
 * A copy of value pruned and defaulted against schema. The root of a resource (and an embedded
 * resource) keeps apiVersion, kind and metadata, which the API server treats as ObjectMeta.
 */
export function pruneAndDefault(value: unknown, schema: SchemaNode, isResourceRoot = true): Pruned {
  const unknownFields: string[] = [];
  return { value: walk(value, schema, { path: '', isResourceRoot, unknown: unknownFields }), unknownFields };
}

const RESOURCE_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

interface At {
  path: string;
  /** The root of a resource or an embedded one, whose apiVersion, kind and metadata are kept. */
  isResourceRoot: boolean;
  /** Where dropped fields are recorded, shared by the whole walk. */
  unknown: string[];
}

const isEmbedded = (schema: SchemaNode): boolean => schema['x-kubernetes-embedded-resource'] === true;

function walk(value: unknown, schema: SchemaNode, at: At): unknown {
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items === undefined) return structuredClone(value);
    return value.map((item, i) => walk(item, items, { ...at, path: index(at.path, i), isResourceRoot: isEmbedded(items) }));
  }
  if (!isObject(value) || (schema.type !== undefined && schema.type !== 'object')) return structuredClone(value);
  const result: JsonObject = {};
  for (const [name, fieldValue] of Object.entries(value)) {
    const kept = pruneField(name, fieldValue, schema, at);
    if (kept !== DROPPED) result[name] = kept;
  }
  applyDefaults(result, schema, at);
  return result;
}

const DROPPED = Symbol('dropped');

/** The field's value after pruning, or DROPPED when the API server would drop it. */
function pruneField(name: string, value: unknown, schema: SchemaNode, at: At): unknown {
  // An undefined field is an absent one, as in the JSON the API server would be sent.
  if (value === undefined) return DROPPED;
  const path = child(at.path, name);
  const fieldSchema = schema.properties?.[name] ?? mapValueSchema(schema);
  if (isObjectMeta(name, schema, at)) return structuredClone(value);
  if (fieldSchema !== undefined) {
    // A null the schema does not allow is dropped, so that a default can take its place.
    if (value === null && fieldSchema.nullable !== true) return DROPPED;
    return walk(value, fieldSchema, { ...at, path, isResourceRoot: isEmbedded(fieldSchema) });
  }
  if (schema.additionalProperties === true || schema['x-kubernetes-preserve-unknown-fields'] === true) return structuredClone(value);
  at.unknown.push(path);
  return DROPPED;
}

/** apiVersion, kind and metadata of a resource, which the API server reads as ObjectMeta and TypeMeta. */
function isObjectMeta(name: string, schema: SchemaNode, at: At): boolean {
  return at.isResourceRoot && RESOURCE_FIELDS.has(name) && schema.properties?.[name]?.properties === undefined;
}

function applyDefaults(result: JsonObject, schema: SchemaNode, at: At): void {
  for (const [name, fieldSchema] of Object.entries(schema.properties ?? {})) {
    if (fieldSchema.default === undefined || name in result) continue;
    result[name] = walk(fieldSchema.default, fieldSchema, { ...at, path: child(at.path, name), isResourceRoot: isEmbedded(fieldSchema) });
  }
}
