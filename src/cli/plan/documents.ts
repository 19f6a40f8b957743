// The AccessEntries a GitOps repository holds: files and directories (recursively), multi-document
// YAML or JSON, `kind: List` expanded. Other kinds and kustomize's own files are skipped and counted,
// never guessed at: plan shows what would be applied of AccessEntries alone.
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative, resolve } from 'node:path';
import { loadAll } from 'js-yaml';
import { API_GROUP, KIND } from '../../api/names.ts';
import type { CliIo } from '../shared/io.ts';
import type { PlanError } from './model.ts';

export interface SourceDocument {
  /** `path (document N)`, the path as given or relative to it. */
  source: string;
  doc: Record<string, unknown>;
}

export interface Sources {
  accessEntries: SourceDocument[];
  /** Documents left out, by kind (`kustomization` for kustomize's own files). */
  skipped: Record<string, number>;
  errors: PlanError[];
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** kustomize's own files, by the names kustomize looks for. */
const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);
export const KUSTOMIZATION = 'kustomization';

/** Reads every path (`-` is stdin) in the order given, directories in name order. */
export async function readSources(paths: readonly string[], io: Pick<CliIo, 'cwd' | 'readFile' | 'readStdin'>): Promise<Sources> {
  const sources: Sources = { accessEntries: [], skipped: {}, errors: [] };
  for (const path of paths) {
    if (path === '-') {
      addText(sources, 'stdin', await io.readStdin());
      continue;
    }
    for (const file of await filesOf(resolve(io.cwd, path), path, sources)) {
      if (KUSTOMIZATION_FILES.has(basename(file.absolute))) {
        count(sources, KUSTOMIZATION);
        continue;
      }
      try {
        addText(sources, file.shown, await io.readFile(file.absolute));
      } catch (err) {
        sources.errors.push({ subject: file.shown, message: `cannot read it: ${(err as Error).message}` });
      }
    }
  }
  return sources;
}

interface FoundFile {
  absolute: string;
  shown: string;
}

async function filesOf(absolute: string, shown: string, sources: Sources): Promise<FoundFile[]> {
  let info;
  try {
    info = await stat(absolute);
  } catch {
    sources.errors.push({ subject: shown, message: 'no such file or directory: give a file or a directory of manifests with -f' });
    return [];
  }
  if (!info.isDirectory()) return [{ absolute, shown }];
  const names = await readdir(absolute, { recursive: true });
  return names
    // Hidden folders and files (.git, .github) hold no manifests to apply.
    .filter((name) => !name.split(/[\\/]/).some((part) => part.startsWith('.')))
    .filter((name) => MANIFEST_EXTENSIONS.has(extname(name)) || KUSTOMIZATION_FILES.has(basename(name)))
    .sort()
    .map((name) => ({ absolute: join(absolute, name), shown: join(shown, relative(absolute, join(absolute, name))) }));
}

function addText(sources: Sources, shown: string, text: string): void {
  let docs: unknown[];
  try {
    docs = loadAll(text, null, { filename: shown });
  } catch (err) {
    sources.errors.push({ subject: shown, message: `not valid YAML or JSON: ${(err as Error).message}` });
    return;
  }
  docs.forEach((doc, index) => addDocument(sources, `${shown} (document ${index + 1})`, doc));
}

function addDocument(sources: Sources, source: string, doc: unknown): void {
  if (doc === null || doc === undefined) return;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    sources.errors.push({ subject: source, message: 'not a Kubernetes object (a mapping with apiVersion and kind)' });
    return;
  }
  const object = doc as Record<string, unknown>;
  const kind = typeof object.kind === 'string' ? object.kind : '(no kind)';
  if (kind === 'List' && Array.isArray(object.items)) {
    object.items.forEach((item, index) => addDocument(sources, `${source} item ${index + 1}`, item));
    return;
  }
  if (kind === KIND && String(object.apiVersion).startsWith(`${API_GROUP}/`)) {
    sources.accessEntries.push({ source, doc: object });
    return;
  }
  count(sources, String(object.apiVersion).startsWith('kustomize.config.k8s.io/') ? KUSTOMIZATION : kind);
}

function count(sources: Sources, kind: string): void {
  sources.skipped[kind] = (sources.skipped[kind] ?? 0) + 1;
}
