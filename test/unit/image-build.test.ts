// What goes into the image's build context, and how the base images are to be pinned.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildContext, dockerignore, parseDockerfile } from '../../scripts/image-smoke.ts';

const root = new URL('../../', import.meta.url);
const dockerfileText = readFileSync(new URL('Dockerfile', root), 'utf8');

describe('.dockerignore', () => {
  it('keeps every test, the EKS emulator and everything but the sources and the bundler out of the build context', async () => {
    const context = await buildContext();
    const bundler = 'scripts/bundle.ts';
    expect(context.filter((file) => file !== bundler && /\.test\.ts$|^test\/|^bench\/|^src\/emulator\/|^scripts\/|^deploy\/|^docs\/|^\.git\/|^node_modules\/|^dist\/|\.log$/.test(file))).toEqual([]);
    expect(context.filter((file) => !file.startsWith('src/'))).toEqual(['package-lock.json', 'package.json', bundler, 'tsconfig.build.json', 'tsconfig.json']);
    expect(context).toContain('src/main.ts');
  });

  it('leaves in everything the Dockerfile copies from the context', async () => {
    const context = await buildContext();
    const sources = parseDockerfile(dockerfileText)
      .stages.flatMap((stage) => stage.lines)
      .filter((line) => /^COPY\s/i.test(line) && !line.includes('--from'))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(context.some((file) => file === source || file.startsWith(`${source}/`)), source).toBe(true);
  });

  it('is read the way docker build reads it: last match wins, parents count, * matches dot files', () => {
    const ignored = dockerignore('*\n!src\nsrc/**/*.test.ts\n# a comment\nsrc/emulator\n');
    expect(ignored('.git/config')).toBe(true);
    expect(ignored('README.md')).toBe(true);
    expect(ignored('src/main.ts')).toBe(false);
    expect(ignored('src/config.test.ts')).toBe(true);
    expect(ignored('src/kube/errors.test.ts')).toBe(true);
    expect(ignored('src/emulator/main.ts')).toBe(true);
  });
});

describe('the Dockerfile base images', () => {
  it('say, next to each FROM, how to pin it by digest (no registry was reachable to do it)', () => {
    const lines = dockerfileText.split('\n');
    const froms = lines.map((line, i) => [line, i] as const).filter(([line]) => /^FROM\s/i.test(line));
    expect(froms.length).toBe(2);
    for (const [line, i] of froms) {
      const image = line.split(/\s+/)[1]!;
      const notes = lines.slice(Math.max(0, i - 6), i).join('\n');
      expect(notes, line).toContain(`crane digest ${image}`);
      expect(notes, line).toContain('skopeo inspect');
      expect(notes, line).toContain(`# FROM ${image}@sha256:`);
    }
  });
});
