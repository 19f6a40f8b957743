import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../shared/exit.ts';
import type { NamedManifest } from './document.ts';
import { writeManifests } from './write.ts';

const render = { format: 'yaml' as const, header: ['test'], labels: {} };
const manifest = (name: string): NamedManifest => ({ name, key: name, principalName: name, spec: { clusterName: 'prod', principalArn: `arn:aws:iam::111122223333:role/${name}` } });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eaec-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writing manifests', () => {
  it('writes one stream to stdout', async () => {
    let out = '';
    expect(await writeManifests([manifest('a'), manifest('b')], render, { force: false }, { stdout: (text) => (out += text), cwd: dir })).toBe('stdout');
    expect(out.match(/^---$/gm)).toHaveLength(2);
  });

  it('writes a file per object into a directory it creates', async () => {
    const io = { stdout: () => expect.fail('nothing on stdout'), cwd: dir };
    await writeManifests([manifest('a'), manifest('b')], render, { dir: 'out/access', force: false }, io);
    expect((await readdir(join(dir, 'out/access'))).sort()).toEqual(['a.yaml', 'b.yaml']);
    expect(await readFile(join(dir, 'out/access/a.yaml'), 'utf8')).toMatch(/^# test\napiVersion: eksaccess.dev\/v1alpha1\n/);
  });

  it('writes nothing at all when a file exists, unless forced', async () => {
    await writeFile(join(dir, 'b.yaml'), 'mine\n');
    const io = { stdout: () => undefined, cwd: dir };
    await expect(writeManifests([manifest('a'), manifest('b')], render, { dir: '.', force: false }, io)).rejects.toThrow(CliError);
    await expect(writeManifests([manifest('a'), manifest('b')], render, { dir: '.', force: false }, io)).rejects.toThrow(/b\.yaml.*--force/);
    expect((await readdir(dir)).sort()).toEqual(['b.yaml']);
    expect(await readFile(join(dir, 'b.yaml'), 'utf8')).toBe('mine\n');
    await writeManifests([manifest('a'), manifest('b')], render, { dir: '.', force: true }, io);
    expect(await readFile(join(dir, 'b.yaml'), 'utf8')).toContain('name: b');
  });
});
