// node scripts/bundle.ts [OUTFILE]: the controller as one file, dist/main.js by default, the file
// the image runs. `npm run build` runs it after tsc, so dist/main.js is the bundle and the rest
// of dist/ (the command-line tools) stays tsc's.
//
// Why a bundle: every module Node loads keeps its source text in the heap for as long as the
// process lives, and @kubernetes/client-node's package root loads every generated API and model
// of every Kubernetes group. Bundled, only what the controller reaches is loaded, and the source
// Node keeps is a third of what it was (BENCHMARKS.md, "A lean process").
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const outfile = process.argv[2] ?? 'dist/main.js';

/**
 * Node's built-in modules, each taken with `require` rather than `import`. An ES module import of
 * a built-in makes Node build its whole namespace, which reads every lazy getter of its exports:
 * `node:http`'s WebSocket loads Node's own copy of undici (a second one: client-node brings its
 * own; about 1 MiB of heap in the idle controller, for a class it never uses), `node:tls`'s
 * rootCertificates parses every root certificate, and `node:crypto`'s webcrypto loads Web
 * Crypto. `require` hands over the exports object as it is, and a getter runs only if read.
 */
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, ({ path, namespace }) =>
      namespace !== 'builtin' && BUILTINS.has(path) ? { path: path.replace(/^node:/, ''), namespace: 'builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, ({ path }) => ({ contents: `module.exports = require(${JSON.stringify(`node:${path}`)});`, loader: 'js' }));
  },
};

/**
 * client-node's ObjectSerializer looks models up by name, so it imports every model of every
 * Kubernetes group (760 modules) though the controller calls three API classes. The models kept
 * are those the client-node code in the bundle can name (its API classes' request and response
 * types, the serializer's own), and every model they hold, transitively; the serializer's table
 * and the models' barrel are cut to them. A first pass, without the cut, finds that code.
 */
const MODELS = join(ROOT, 'node_modules/@kubernetes/client-node/dist/gen/models');
const CUT_FILES = /@kubernetes\/client-node\/dist\/gen\/models\/(ObjectSerializer|all)\.js$/;

function modelsInUse(inputs: readonly string[]): Set<string> {
  const named = (text: string): string[] => [...text.matchAll(/["']([A-Za-z0-9]+)["']/g)].map((m) => m[1]!);
  const clientCode = inputs.filter((file) => file.includes('@kubernetes/client-node/dist/') && !file.includes('/gen/models/'));
  const pending = clientCode.flatMap((file) => named(readFileSync(join(ROOT, file), 'utf8')));
  const kept = new Set<string>();
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    const file = join(MODELS, `${name}.js`);
    if (kept.has(name) || !existsSync(file)) continue;
    kept.add(name);
    // "type": "Array<V1Container>", "{ [key: string]: V1Volume; }", "V1ObjectMeta": every word may be a model.
    for (const [, type] of readFileSync(file, 'utf8').matchAll(/"type": "([^"]+)"/g)) pending.push(...type!.split(/[^A-Za-z0-9]+/).filter(Boolean));
  }
  return kept;
}

function onlyModels(kept: Set<string>): Plugin {
  const dropped = (line: string): boolean => {
    const model = /\.\.\/models\/([A-Za-z0-9]+)\.js'/.exec(line)?.[1] ?? /^\s+"([A-Za-z0-9]+)": \1,$/.exec(line)?.[1];
    return model !== undefined && model !== 'ObjectSerializer' && !kept.has(model);
  };
  return {
    name: 'only-models-in-use',
    setup(build) {
      build.onLoad({ filter: CUT_FILES }, ({ path }) => ({
        contents: readFileSync(path, 'utf8').split('\n').filter((line) => !dropped(line)).join('\n'),
        loader: 'js',
      }));
    },
  };
}

const options: BuildOptions = {
  absWorkingDir: ROOT,
  entryPoints: ['src/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // The AWS SDK's ESM builds, which esbuild can shake: their CommonJS builds hold every command
  // and serializer of a service in one module.
  mainFields: ['module', 'main'],
  // Minified, so the source text Node keeps is small; names kept, for the `type` of logged
  // errors and for stack traces (dist/main.js.map maps them back, with --enable-source-maps).
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  sourcesContent: false,
  // V8 holds a source with any character past Latin-1 as two bytes a character: escaped, and
  // license comments (some with names in other scripts) moved to dist/main.js.LEGAL.txt.
  charset: 'ascii',
  legalComments: 'external',
  // Bundled CommonJS modules require Node's built-ins; an ES module has no `require` of its own.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
};

const firstPass = await build({ ...options, plugins: [builtinsByRequire], write: false, metafile: true, minify: false, sourcemap: false });
const inputs = Object.values(firstPass.metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([file]) => file));
await build({ ...options, plugins: [builtinsByRequire, onlyModels(modelsInUse(inputs))] });
