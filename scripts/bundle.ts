// node scripts/bundle.ts [OUTFILE]: the controller as one file, dist/main.js by default, the file
// the image runs. `npm run build` runs it after tsc, so dist/main.js is the bundle and the rest
// of dist/ (the command-line tools) stays tsc's.
//
// Why a bundle: every module Node loads keeps its source text in the heap for as long as the
// process lives, and @kubernetes/client-node's package root loads every generated API and model
// of every Kubernetes group. Bundled, only what the controller reaches is loaded, and the source
// Node keeps is a third of what it was (BENCHMARKS.md, "A lean process").
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const outfile = process.argv[2] ?? 'dist/main.js';

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
  logLevel: 'warning',
});
