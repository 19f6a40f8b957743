// Where the documents go: stdout as one stream, or a directory with a file per object. Nothing is
// overwritten without --force, and every check is made before the first byte is written.
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CliError } from '../shared/exit.ts';
import type { CliIo } from '../shared/io.ts';
import type { NamedManifest } from './document.ts';
import { fileExtension, renderFile, renderStream, type RenderOptions } from './render.ts';

export interface OutputTarget {
  /** A directory for one file per object; unset: stdout. */
  dir?: string;
  /** Overwrite files that exist. */
  force: boolean;
}

/** Writes the manifests; resolves with where they went, for the summary. */
export async function writeManifests(
  manifests: readonly NamedManifest[],
  render: RenderOptions,
  target: OutputTarget,
  io: Pick<CliIo, 'stdout' | 'cwd'>,
): Promise<string> {
  if (target.dir === undefined) {
    io.stdout(renderStream(manifests, render));
    return 'stdout';
  }
  const dir = resolve(io.cwd, target.dir);
  const files = manifests.map((manifest) => ({ path: join(dir, `${manifest.name}${fileExtension(render.format)}`), text: renderFile(manifest, render) }));
  if (!target.force) await refuseExisting(files.map((file) => file.path));
  await mkdir(dir, { recursive: true });
  // 'wx' fails on a file that appeared since the check, rather than overwrite it.
  await Promise.all(files.map((file) => writeFile(file.path, file.text, { flag: target.force ? 'w' : 'wx' })));
  return target.dir;
}

const LISTED_AT_MOST = 5;

async function refuseExisting(paths: readonly string[]): Promise<void> {
  const existing = (await Promise.all(paths.map(async (path) => ((await exists(path)) ? path : undefined)))).filter((path) => path !== undefined);
  if (existing.length === 0) return;
  const listed = existing.slice(0, LISTED_AT_MOST).join(', ') + (existing.length > LISTED_AT_MOST ? ` and ${existing.length - LISTED_AT_MOST} more` : '');
  throw new CliError(`${existing.length} file(s) exist already (${listed}): pass --force to overwrite them, or choose another --output-dir; nothing was written`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
