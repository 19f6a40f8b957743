// Matching a raw request path against a template like `/clusters/{name}`. Labels match one
// segment and are URL-decoded after splitting, so ARNs with encoded slashes stay whole.

export function matchPath(template: string, rawPath: string): Record<string, string> | undefined {
  const pattern = template.split('/');
  const segments = rawPath.split('/');
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] ?? '';
    if (part.startsWith('{')) {
      const value = safeDecode(segment);
      if (value === undefined || value === '') return undefined;
      params[part.slice(1, -1)] = value;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
