// The container image, assembled and run without a container engine (none can run here, and no
// base image can be pulled): the Dockerfile's steps on a temporary copy, then dist/main.js run the
// way the image and the shipped Deployment run it. test/integration/image.test.ts drives it
// against the test API server and the EKS emulator.
//
//   npx tsx scripts/image-smoke.ts assemble            prints the directory of the image tree
//   npx tsx scripts/image-smoke.ts run DIR -- ARGS...  runs the controller from it (as root only)
//
// assemble: the build context is the repository filtered by .dockerignore, exactly as `docker
// build` sends it; the build stage's COPY lines copy from it; its `npm ci` is the workspace's own
// node_modules (installed by npm ci from the same package-lock.json), its `npm run build` runs as
// written (tsc, then scripts/bundle.ts, whose bundle is dist/main.js); the final stage's
// node_modules is a fresh `npm ci --omit=dev` (what `npm prune --omit=dev` leaves).
// The tree is then made read-only. A Dockerfile step this script does not know fails it, so the
// two cannot drift apart unnoticed.
//
// run: the Dockerfile's ENTRYPOINT node flags and ENV, as the final USER (numeric), with no
// capabilities and no-new-privs (allowPrivilegeEscalation: false, capabilities drop ALL), in a
// private mount namespace whose root file system is remounted read-only
// (readOnlyRootFilesystem: true, and the Deployment mounts no writable volume).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE = join(ROOT, 'node_modules/node/bin/node');

export interface Dockerfile {
  stages: Array<{ from: string; name?: string; lines: string[] }>;
}

/** Instructions per stage, comments and blank lines dropped, continuation lines joined. */
export function parseDockerfile(text: string): Dockerfile {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Dockerfile['stages'] = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) stages.push({ from: from[1]!, ...(from[2] ? { name: from[2] } : {}), lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return { stages };
}

/** The final stage's USER as numbers; the kubelet's runAsNonRoot check needs them numeric. */
export function finalUser(dockerfile: Dockerfile): { uid: number; gid: number } {
  const user = dockerfile.stages.at(-1)?.lines.filter((l) => /^USER\s/i.test(l)).at(-1)?.replace(/^USER\s+/i, '');
  const match = /^(\d+)(?::(\d+))?$/.exec(user ?? '');
  if (!match) throw new Error(`the final stage's USER is ${JSON.stringify(user)}, not numeric`);
  return { uid: Number(match[1]), gid: Number(match[2] ?? match[1]) };
}

export function entrypoint(dockerfile: Dockerfile): string[] {
  const line = dockerfile.stages.at(-1)?.lines.find((l) => /^ENTRYPOINT\s/i.test(l));
  const args = line ? (JSON.parse(line.replace(/^ENTRYPOINT\s+/i, '')) as unknown) : undefined;
  if (!Array.isArray(args) || args.length < 2) throw new Error(`the final stage has no exec-form ENTRYPOINT: ${String(line)}`);
  return args as string[];
}

/**
 * A .dockerignore pattern as a regular expression, per Docker's rules (moby/patternmatcher): `*`
 * is any run of characters but `/` (dot files included), `?` one of them, `**` any number of
 * directories, `[...]` a class.
 */
function dockerGlob(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` everything below.
      source += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i);
      source += end > i ? `[${glob.slice(i + 1, end).replace(/^\^/, '^')}]` : '\\[';
      i = end > i ? end : i;
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The patterns of a .dockerignore, in order, without comments and blank lines. */
function ignorePatterns(text: string): { negated: boolean; pattern: string }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => ({ negated: line.startsWith('!'), pattern: line.replace(/^!/, '').replace(/^\/+|\/+$/g, '') }));
}

/** A .dockerignore as `docker build` reads it: patterns in order, the last that matches a path or one of its parents wins. */
export function dockerignore(text: string): (path: string) => boolean {
  const patterns = ignorePatterns(text).map(({ negated, pattern }) => ({ negated, glob: dockerGlob(pattern) }));
  return (path) => {
    const parts = path.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const { negated, glob } of patterns) {
      if (candidates.some((candidate) => glob.test(candidate))) excluded = !negated;
    }
    return excluded;
  };
}

/**
 * Every file of the build context (repository paths, relative), as .dockerignore leaves it. An
 * ignored directory is still looked into when an exception (`!dir/file`) names something in it,
 * as docker build does.
 */
export async function buildContext(root = ROOT): Promise<string[]> {
  const text = await readFile(join(root, '.dockerignore'), 'utf8');
  const ignored = dockerignore(text);
  const exceptions = ignorePatterns(text).filter(({ negated }) => negated).map(({ pattern }) => pattern);
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      const isDirectory = entry.isDirectory();
      if (ignored(path) && !(isDirectory && exceptions.some((pattern) => pattern.startsWith(`${path}/`)))) continue;
      if (isDirectory) await walk(path);
      else files.push(path);
    }
  };
  await walk('');
  return files.sort();
}

function run(command: string, args: string[], cwd: string, log: (line: string) => void): Promise<void> {
  log(`$ ${[command, ...args].join(' ')}   (in ${cwd})`);
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => (code === 0 ? done() : fail(new Error(`${command} ${args.join(' ')} exited ${String(code)}:\n${output}`))));
  });
}

/** Copies the context's files under `source` (a file or directory of the context) to `target`. */
async function copyFromContext(context: string[], source: string, target: string): Promise<void> {
  const prefix = source.replace(/\/+$/, '');
  const files = context.filter((file) => file === prefix || file.startsWith(`${prefix}/`));
  if (files.length === 0) throw new Error(`COPY ${source}: nothing of it is in the build context (.dockerignore?)`);
  for (const file of files) {
    const to = file === prefix ? target : join(target, relative(prefix, file));
    await mkdir(dirname(to), { recursive: true });
    await cp(join(ROOT, file), to);
  }
}

export interface ImageTree {
  /** The temporary directory holding everything; remove it when done. */
  root: string;
  /** What the final stage's WORKDIR (/app) holds: package.json, node_modules, dist. */
  app: string;
  dockerfile: Dockerfile;
}

const BUILD_STEPS = {
  install: 'RUN npm ci --ignore-scripts',
  build: 'RUN npm run build && npm prune --omit=dev --ignore-scripts',
};

/** The build stage: COPY from the context, `npm ci` = the workspace's modules, `npm run build` as written (tsc, then the bundle). */
async function buildStage(stage: Dockerfile['stages'][number], context: string[], dir: string, log: (line: string) => void): Promise<void> {
  for (const line of stage.lines) {
    const copy = /^COPY\s+(.+)\s+(\S+)$/i.exec(line);
    if (/^WORKDIR\s+\/app$/i.test(line)) continue;
    if (copy && !line.includes('--from')) {
      const sources = copy[1]!.split(/\s+/);
      const dest = copy[2]!.replace(/^\.\/?/, '');
      const intoDir = copy[2]!.endsWith('/') || dest === '' || sources.length > 1;
      for (const source of sources) await copyFromContext(context, source, intoDir ? join(dir, dest, basename(source)) : join(dir, dest));
    } else if (line === BUILD_STEPS.install) {
      await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    } else if (line === BUILD_STEPS.build) {
      await run('npm', ['run', 'build'], dir, log);
    } else {
      throw new Error(`the build stage has a step scripts/image-smoke.ts does not know how to reproduce: ${line}`);
    }
  }
}

/** The final stage: production modules from the lockfile, dist from the build, package.json from the context. */
async function finalStage(stage: Dockerfile['stages'][number], context: string[], dirs: { build: string; app: string }, log: (line: string) => void): Promise<void> {
  const { build, app } = dirs;
  for (const line of stage.lines) {
    const copy = /^COPY\s+(?:--from=(\S+)\s+)?(\S+)\s+(\S+)$/i.exec(line);
    if (!copy) continue;
    const [, from, source, dest] = copy as unknown as [string, string | undefined, string, string];
    const destRel = dest.replace(/^\.\/?/, '');
    const target = join(app, destRel);
    if (from === undefined) await copyFromContext(context, source, destRel === '' || dest.endsWith('/') ? join(target, basename(source)) : target);
    else if (source === '/app/node_modules') {
      await mkdir(target, { recursive: true });
      const staging = join(dirname(app), 'production-install');
      await mkdir(staging, { recursive: true });
      for (const file of ['package.json', 'package-lock.json']) await cp(join(build, file), join(staging, file));
      await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], staging, log);
      await cp(join(staging, 'node_modules'), target, { recursive: true, verbatimSymlinks: true });
    } else if (source.startsWith('/app/')) {
      await cp(join(build, source.slice('/app/'.length)), target, { recursive: true });
    } else {
      throw new Error(`the final stage copies ${source} from ${from}, which scripts/image-smoke.ts does not know`);
    }
  }
}

async function makeReadOnly(path: string): Promise<void> {
  await run('chmod', ['-R', 'a-w', path], dirname(path), () => {});
}

/** Builds the image tree in a fresh temporary directory. */
export async function assembleImage(log: (line: string) => void = () => {}): Promise<ImageTree> {
  const dockerfile = parseDockerfile(await readFile(join(ROOT, 'Dockerfile'), 'utf8'));
  const [build, final] = [dockerfile.stages.at(0), dockerfile.stages.at(-1)];
  if (!build || !final || build === final) throw new Error('expected a build stage and a final stage in the Dockerfile');
  const context = await buildContext();
  const root = await mkdtemp(join(tmpdir(), 'eaec-image-'));
  // The image's user must reach the files: a temporary directory is the creator's only.
  await chmod(root, 0o755);
  const [buildDir, app] = [join(root, 'build'), join(root, 'app')];
  await mkdir(buildDir);
  await mkdir(app);
  await buildStage(build, context, buildDir, log);
  await finalStage(final, context, { build: buildDir, app }, log);
  await makeReadOnly(app);
  return { root, app, dockerfile };
}

export interface ImageProcess {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Runs the image's entry point from `tree.app` with `args`, as the image's user, capabilities
 * dropped, no-new-privs, on a read-only root file system. Needs root (to switch users and to
 * remount): the test machines run tests as root.
 */
export function runImage(tree: ImageTree, args: string[], env: Record<string, string>): ImageProcess {
  if (process.getuid?.() !== 0) throw new Error('runImage needs root: it switches to the image\'s user with setpriv and remounts / read-only');
  const { uid, gid } = finalUser(tree.dockerfile);
  const [, ...nodeArgs] = entrypoint(tree.dockerfile);
  const imageEnv = Object.fromEntries(
    tree.dockerfile.stages.at(-1)!.lines.filter((l) => /^ENV\s/i.test(l)).map((l) => l.replace(/^ENV\s+/i, '').split('=', 2) as [string, string]),
  );
  const command = [
    '-m', '--propagation', 'private', '--',
    'sh', '-c', 'mount -o remount,bind,ro / && exec "$@"', 'sh',
    'setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--no-new-privs', '--inh-caps=-all', '--bounding-set=-all',
    NODE, ...nodeArgs, ...args,
  ];
  const child = spawn('unshare', command, {
    cwd: tree.app,
    env: { PATH: '/usr/bin:/bin', HOME: '/home/nonroot', ...imageEnv, ...env },
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** A file the image's user can read (a kubeconfig, say), next to the image tree. */
export async function readableFile(tree: ImageTree, name: string, content: string): Promise<string> {
  const path = join(tree.root, name);
  await writeFile(path, content, { mode: 0o444 });
  return path;
}

async function main(): Promise<void> {
  const [command, dir, separator, ...rest] = process.argv.slice(2);
  const log = (line: string): void => void process.stderr.write(`[image] ${line}\n`);
  if (command === 'assemble') {
    const tree = await assembleImage(log);
    process.stdout.write(`${tree.root}\n`);
  } else if (command === 'run' && dir && separator === '--') {
    const dockerfile = parseDockerfile(await readFile(join(ROOT, 'Dockerfile'), 'utf8'));
    const image = runImage({ root: dir, app: join(dir, 'app'), dockerfile }, rest, Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(AWS_|KUBECONFIG$|POD_)/.test(k))) as Record<string, string>);
    image.child.stdout.pipe(process.stdout);
    image.child.stderr.pipe(process.stderr);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => image.child.kill(signal));
    process.exitCode = (await image.exited) ?? 1;
  } else {
    process.stderr.write('usage: image-smoke.ts assemble | image-smoke.ts run DIR -- ARGS...\n');
    process.exitCode = 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
