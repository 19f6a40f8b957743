// The command line as installed: `npm run build` output, run through the package's bin names,
// eks-access-entries and kubectl-access_entries, the latter found by kubectl as a plugin.
import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ROOT } from './support/cli.ts';
import { AWS_AUTH_FILE } from './support/cli-world.ts';

const TSC = join(ROOT, 'node_modules/.bin/tsc');
let build: string;
let bin: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    // The bin's shebang finds node on the PATH, as it would where npm installed the package.
    const path = [bin, dirname(process.execPath), process.env.PATH].join(':');
    const child = spawn(command, args, { cwd: ROOT, env: { PATH: path, HOME: build, ...env }, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

beforeAll(async () => {
  // Inside the repository, so the build finds node_modules as an installed package does; beside
  // its own package.json, as dist/ is in the package.
  await mkdir(join(ROOT, '.cache'), { recursive: true });
  build = await mkdtemp(join(ROOT, '.cache', 'cli-build-'));
  const compiled = await run(TSC, ['-p', 'tsconfig.build.json', '--outDir', join(build, 'dist')]);
  expect(compiled.code, compiled.stdout + compiled.stderr).toBe(0);
  await copyFile(join(ROOT, 'package.json'), join(build, 'package.json'));
  // What npm does with the package's bin entries: executable links under their names.
  const main = join(build, 'dist/cli/main.js');
  await chmod(main, 0o755);
  bin = join(build, 'bin');
  await mkdir(bin);
  await symlink(main, join(bin, 'eks-access-entries'));
  await symlink(main, join(bin, 'kubectl-access_entries'));
}, 300_000);

afterAll(async () => {
  if (build) await rm(build, { recursive: true, force: true });
});

describe('the installed command line', () => {
  it('runs as eks-access-entries from the build', async () => {
    const version = await run('eks-access-entries', ['--version']);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) as string });
    const help = await run('eks-access-entries', ['import', '--help']);
    expect(help.stdout).toMatch(/^Usage: eks-access-entries import \[options\]/);
  });

  it('runs as a kubectl plugin: kubectl access-entries', async () => {
    const help = await run(inject('kubectlPath'), ['access-entries', 'migrate', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kubectl access-entries migrate \[options\]/);
    const migrated = await run(inject('kubectlPath'), ['access-entries', 'migrate', '--cluster', 'prod', '--from-file', AWS_AUTH_FILE, '--no-iam', '--no-eks', '-q']);
    expect(migrated.code, migrated.stderr).toBe(2);
    expect((loadAll(migrated.stdout)).length).toBeGreaterThan(10);
  });
});
