// x-kubernetes-list-type set and map: the API server refuses an item listed twice (by value for a
// set, by its key fields for a map), after the schema and before the CEL rules.
import { child, index } from './field-path.ts';
import { canonicalJson, duplicate, type ValidationIssue } from './issues.ts';
import { isObject, mapValueSchema, type SchemaNode } from './schema-node.ts';

/** Every duplicate item in the set and map lists of value, in document order. */
export function listTypeIssues(value: unknown, schema: SchemaNode, path = ''): ValidationIssue[] {
  if (Array.isArray(value)) return listIssues(value, schema, path);
  if (!isObject(value)) return [];
  const issues: ValidationIssue[] = [];
  for (const [name, fieldValue] of Object.entries(value)) {
    const fieldSchema = schema.properties?.[name] ?? mapValueSchema(schema);
    if (fieldSchema) issues.push(...listTypeIssues(fieldValue, fieldSchema, child(path, name)));
  }
  return issues;
}

function listIssues(list: unknown[], schema: SchemaNode, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const identity = listIdentity(schema);
  if (identity) {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const shown = identity(item);
      const id = canonicalJson(shown);
      if (seen.has(id)) issues.push(duplicate(index(path, i), shown));
      seen.add(id);
    });
  }
  const items = schema.items;
  if (items) list.forEach((item, i) => issues.push(...listTypeIssues(item, items, index(path, i))));
  return issues;
}

/** What makes two items the same: the whole item in a set, the key fields in a map list. */
function listIdentity(schema: SchemaNode): ((item: unknown) => unknown) | undefined {
  if (schema['x-kubernetes-list-type'] === 'set') return (item) => item;
  const keys = schema['x-kubernetes-list-map-keys'];
  if (schema['x-kubernetes-list-type'] !== 'map' || !keys) return undefined;
  return (item) => Object.fromEntries(keys.filter((k) => isObject(item) && k in item).map((k) => [k, (item as Record<string, unknown>)[k]]));
}
