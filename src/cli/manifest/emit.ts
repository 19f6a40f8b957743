// The last step of every command that writes AccessEntries: names, then text, then the output.
import type { CliIo } from '../shared/io.ts';
import type { ManifestOutputOptions } from '../shared/options.ts';
import type { Reporter } from '../shared/report.ts';
import type { EntryManifest, NamedManifest } from './document.ts';
import { assignNames } from './names.ts';
import { writeManifests } from './write.ts';

export interface Emitted {
  count: number;
  /** 'stdout' or the directory. */
  destination: string;
}

/** Names the manifests (reporting collisions), renders and writes them. */
export async function emitManifests(
  manifests: readonly EntryManifest[],
  { header, output }: { header: readonly string[]; output: ManifestOutputOptions },
  io: Pick<CliIo, 'stdout' | 'cwd'>,
  reporter: Reporter,
): Promise<Emitted> {
  const { names, collisions } = assignNames(
    manifests.map((manifest) => ({ key: manifest.key, clusterName: manifest.spec.clusterName, principalName: manifest.principalName })),
  );
  for (const collision of collisions) {
    reporter.note(`${collision.members.map((member) => member.key).join(' and ')} would all be named ${collision.name}: named ${collision.members.map((member) => member.name).join(' and ')}`);
  }
  const named: NamedManifest[] = manifests.map((manifest) => ({ ...manifest, name: names.get(manifest.key) ?? '' }));
  const destination = await writeManifests(named, { format: output.format, header, labels: output.labels }, { ...(output.outputDir !== undefined ? { dir: output.outputDir } : {}), force: output.force }, io);
  return { count: named.length, destination };
}
