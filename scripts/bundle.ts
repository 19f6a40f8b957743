// node scripts/bundle.ts [OUTFILE]: the controller as one file, dist/main.js by default, the file
// the image runs. `npm run build` runs it after tsc, so dist/main.js is the bundle and the rest
// of dist/ (the command-line tools) stays tsc's.
//
// Why a bundle: every module Node loads keeps its source text in the heap for as long as the
// process lives, and @kubernetes/client-node's package root loads every generated API and model
// of every Kubernetes group. Bundled, only what the controller reaches is loaded, and the source
// Node keeps is a third of what it was (BENCHMARKS.md, "A lean process").
import { build, type Plugin } from 'esbuild';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const outfile = process.argv[2] ?? 'dist/main.js';

/**
 * Node's built-in modules, each taken with `require` rather than `import`. An ES module import of
 * a built-in makes Node build its whole namespace, which reads every lazy getter of its exports:
 * `node:http`'s WebSocket loads Node's own copy of undici (a second one: client-node brings its
 * own; about 1 MiB of heap in the idle controller, for a class it never uses), `node:tls`'s
 * rootCertificates parses every root certificate, and `node:crypto`'s webcrypto loads Web Crypto. `require` hands over the exports object as it is,
 * and a getter runs only if something reads it.
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

await build({
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
  plugins: [builtinsByRequire],
  logLevel: 'warning',
});
