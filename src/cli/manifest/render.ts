// Documents to text: one YAML stream (or a JSON List), or one file's worth per object. Stable:
// the same objects give byte-identical text, so a re-run shows as no change in Git.
import { dump } from 'js-yaml';
import { accessEntryObject, type NamedManifest } from './document.ts';
import { compare } from './names.ts';

export const MANIFEST_FORMATS = ['yaml', 'json'] as const;
export type ManifestFormat = (typeof MANIFEST_FORMATS)[number];

export interface RenderOptions {
  format: ManifestFormat;
  /** Lines for the comment at the top: what made this and from what (never a time). */
  header: readonly string[];
  labels: Record<string, string>;
}

/** Every manifest in one text, sorted by name. */
export function renderStream(manifests: readonly NamedManifest[], options: RenderOptions): string {
  const sorted = [...manifests].sort((a, b) => compare(a.name, b.name));
  if (options.format === 'json') {
    return json({ apiVersion: 'v1', kind: 'List', items: sorted.map((manifest) => accessEntryObject(manifest, options.labels)) });
  }
  return comment(options.header) + sorted.map((manifest) => `---\n${yamlDocument(manifest, options.labels)}`).join('');
}

/** One manifest as a file of its own (header included). */
export function renderFile(manifest: NamedManifest, options: RenderOptions): string {
  if (options.format === 'json') return json(accessEntryObject(manifest, options.labels));
  return comment(options.header) + yamlDocument(manifest, options.labels);
}

export function fileExtension(format: ManifestFormat): string {
  return format === 'json' ? '.json' : '.yaml';
}

function yamlDocument(manifest: NamedManifest, labels: Record<string, string>): string {
  // No folding (a long ARN stays on one line, as people grep for it) and no anchors.
  const body = dump(accessEntryObject(manifest, labels), { lineWidth: -1, noRefs: true });
  return comment(manifest.comments ?? []) + withFieldComments(body, manifest);
}

/**
 * js-yaml writes no comments, so a field's comment goes in above its line. The spec is the last
 * top-level key and its fields sit two spaces in, each once: after `spec:` the line is unambiguous.
 */
function withFieldComments(body: string, manifest: NamedManifest): string {
  const entries = Object.entries(manifest.fieldComments ?? {});
  if (entries.length === 0) return body;
  const lines = body.split('\n');
  const specLine = lines.indexOf('spec:');
  return lines
    .flatMap((line, index) => {
      const field = index > specLine ? /^ {2}([A-Za-z]+):/.exec(line)?.[1] : undefined;
      const above = entries.find(([name]) => name === field)?.[1] ?? [];
      return [...above.map((text) => `  # ${text}`), line];
    })
    .join('\n');
}

function comment(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? '#\n' : `# ${line}\n`)).join('');
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
