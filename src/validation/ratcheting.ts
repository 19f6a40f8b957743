// CRD validation ratcheting (on by default since Kubernetes 1.30): on update, an error in a value
// that did not change is let through, so that a stricter schema does not lock existing objects.
// A value correlates with the old one at the same field or map key, or, in a list-type map list,
// the item with the same keys; other list items correlate with nothing and ratchet with their list.
import { isDeepStrictEqual } from 'node:util';
import { isObject, mapValueSchema, type SchemaNode } from './schema-node.ts';

/** Whether the value at pointer (a JSON pointer into value) is unchanged from old, as ratcheting correlates. */
export function isUnchanged(pointer: string, value: unknown, old: unknown, schema: SchemaNode | undefined): boolean {
  let [now, before, node] = [value, old, schema];
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(now)) {
      const item: unknown = now[Number(token)];
      const correlated = correlatedItem(item, before, node);
      // An item that correlates with nothing is judged by the deepest node that does.
      if (correlated === undefined) return isDeepStrictEqual(now, before);
      [now, before, node] = [item, correlated, node?.items];
    } else {
      now = isObject(now) ? now[token] : undefined;
      before = isObject(before) ? before[token] : undefined;
      node = node?.properties?.[token] ?? (node && mapValueSchema(node));
    }
  }
  return before !== undefined && isDeepStrictEqual(now, before);
}

function correlatedItem(item: unknown, oldList: unknown, schema: SchemaNode | undefined): unknown {
  const keys = schema?.['x-kubernetes-list-map-keys'];
  if (schema?.['x-kubernetes-list-type'] !== 'map' || !keys || !Array.isArray(oldList) || !isObject(item)) return undefined;
  return oldList.find((candidate: unknown) => isObject(candidate) && keys.every((k) => isDeepStrictEqual(candidate[k], item[k])));
}
