// Field paths as k8s.io/apimachinery's field.Path prints them: spec.accessPolicies[0].policy for
// fields and list items, spec.tags[team] for the keys of a map.

/** A named field under path. */
export function child(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/** An item of the list at path. */
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** A key of the map at path. */
export function key(path: string, mapKey: string): string {
  return `${path}[${mapKey}]`;
}

/**
 * Turns a JSON pointer (/spec/tags/team, as ajv reports) into the path kube-openapi's schema
 * errors name: fields and map keys joined with dots, list items in brackets.
 */
export function fromJsonPointer(pointer: string, data: unknown): string {
  let path = '';
  let node: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) {
      path = index(path, Number(token));
      node = node[Number(token)];
    } else {
      path = child(path, token);
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[token] : undefined;
    }
  }
  return path;
}
