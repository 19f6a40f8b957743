// @cloud-copilot/iam-simulate (and what it pulls in) is AGPL-licensed: it evaluates the IAM
// policies in tests only. It must never be a runtime dependency, reach the image, or be imported
// by the controller's code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../scripts/image-smoke.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const json = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Record<string, unknown>;
const SIMULATOR_SCOPE = '@cloud-copilot/';

describe('the IAM simulator', () => {
  it('is a devDependency, never a dependency', () => {
    const manifest = json('package.json') as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(manifest.devDependencies)).toContain('@cloud-copilot/iam-simulate');
    expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith(SIMULATOR_SCOPE))).toEqual([]);
  });

  it('and everything of its scope is locked as dev-only, so pruning dev dependencies removes it', () => {
    const packages = (json('package-lock.json') as { packages: Record<string, { dev?: boolean }> }).packages;
    const installed = Object.entries(packages).filter(([path]) => path.includes(`node_modules/${SIMULATOR_SCOPE}`));
    expect(installed.length).toBeGreaterThan(0);
    expect(installed.filter(([, entry]) => entry.dev !== true).map(([path]) => path)).toEqual([]);
  });

  it('is pruned before the image copies node_modules', () => {
    const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).stages;
    const build = stages.find((stage) => stage.lines.some((line) => /^RUN .*npm ci/.test(line)))!;
    expect(build.lines.some((line) => /^RUN .*npm prune --omit=dev/.test(line))).toBe(true);
    const runtime = stages.at(-1)!;
    expect(runtime.lines.filter((line) => /^COPY .*node_modules/.test(line))).toEqual(['COPY --from=build /app/node_modules ./node_modules']);
    expect(runtime.lines.some((line) => /^RUN .*npm (ci|install)/.test(line))).toBe(false);
  });

  it('is imported by no file of the controller', () => {
    const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    expect(sources.filter((file) => readFileSync(join(ROOT, 'src', file), 'utf8').includes(SIMULATOR_SCOPE))).toEqual([]);
  });
});
