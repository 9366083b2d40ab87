// One esbuild entry per runtime. Typechecking is separate (`tsc --noEmit`).
//   dist/extension.js  VS Code extension host (node, cjs, 'vscode' external): the small entry VS Code activates;
//                      dist/extensionMain.js is the full start (gate host, features), required right after activate()
//   dist/cli.js        the `airlock` command (node, cjs): a dispatcher; dist/check.js and dist/commands.js hold the commands
//                      (check.js, commands.js, shim.js and offline.js are pre-wrapped for src/cli/codeCache.ts's loader)
//   dist/hook.js       the hook's entry (the installed command): compiles dist/shim.js, the shim, from its code cache;
//                      dist/offline.js is the shim's offline judge, loaded on demand
//   dist/ledgerWriter.js  the ledger's writer thread (worker_threads), started by whichever bundle hosts a gate
//   dist/vendor/*.js   mvdan/sh and node-sql-parser's dialects, required by the bundles above on first use;
//                      dist/vendor/zod.js, zod for offline.js and check.js, loaded when a schema is first built
//   dist/policy.schema.json  generated from the zod policy schema (jsonValidation)
//   dist/libpg-query.wasm    the PostgreSQL parser, loaded at run time next to the bundles
//   dist/webview/runLog.js   the run log panel's webview (browser, iife) + codicon.css/.ttf
// better-sqlite3 is native and cannot be bundled: it stays external and ships from node_modules.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const production = process.argv.includes('--production');

/**
 * What this build is, by content: the sources and zod's version. src/node/policy/policyStore.ts
 * keeps policy files it has validated under this id (a later build, whose schema may differ, reads
 * none of them); a build of the same sources has the same id.
 */
function buildId() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) h.update(`${p}\0`).update(readFileSync(p)).update('\0');
    }
  };
  walk('src');
  h.update(`zod ${JSON.parse(readFileSync('node_modules/zod/package.json', 'utf8')).version}`);
  return h.digest('hex').slice(0, 16);
}
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  minify: production,
  external: ['vscode', 'better-sqlite3'],
  logLevel: 'warning',
  define: { AIRLOCK_BUILD_ID: JSON.stringify(buildId()) },
};

// The two big parsers only some actions need (mvdan/sh for shell syntax beyond plain words,
// node-sql-parser for SQL) are their own files in dist/vendor/, required at run time on first use:
// a process that judges `ls` neither reads nor compiles them (~4 MB).
const VENDOR = {
  'mvdan-sh': 'mvdan-sh.js',
  'node-sql-parser/build/mysql': 'nsp-mysql.js',
  'node-sql-parser/build/sqlite': 'nsp-sqlite.js',
  'node-sql-parser/build/postgresql': 'nsp-postgresql.js',
};
const vendorSplit = {
  name: 'vendor-split',
  setup(b) {
    b.onResolve({ filter: /^(mvdan-sh|node-sql-parser\/build\/(mysql|sqlite|postgresql))$/ }, (args) => ({ path: `./vendor/${VENDOR[args.path]}`, external: true }));
  },
};

/** Rewrite `import { z } from 'zod';` in the project's sources to `to` (a build-time change; types are unchanged). */
const rewriteZodImport = (b, to) =>
  b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
    const text = await readFile(args.path, 'utf8');
    if (!text.includes("import { z } from 'zod';")) return undefined;
    return { contents: text.replace("import { z } from 'zod';", to), loader: 'ts' };
  });

// `import { z } from 'zod'` is bundled as `import * as z from 'zod'`: same bindings, but esbuild then
// resolves every `z.string`/`z.object` to zod's own function instead of building the `z` namespace
// object at load (hundreds of getters, each locale's namespace with them) and keeping all of zod.
// Loading dist/offline.js ran ~25 M instructions of Object.defineProperty for it.
const zodNamespace = { name: 'zod-namespace', setup: (b) => rewriteZodImport(b, "import * as z from 'zod';") };

// The judge bundles a short-lived process loads (dist/offline.js, dist/check.js) load zod only when a
// schema is first built: judging `ls` with no policy file builds none (the offline hook checks the
// action with core/actionCheck.ts), and evaluating zod's modules was ~14 M instructions and a third of
// the young-generation allocation of the offline hook's start. In those bundles `import { z } from 'zod'`
// becomes a stand-in whose first property read loads dist/vendor/zod.js (zod's classic API, English
// messages only; through the code cache loader, with a cache of its own). A separate file, not a lazily
// initialised part of the bundle: esbuild hoists a lazily initialised ES module's functions to the
// bundle's top level, so they would still be created at load. Types are unchanged (a build-time
// rewrite); if the file cannot be loaded, building the schema throws and the caller denies.
const LAZY_ZOD = `
import { join } from 'node:path';
import { codeCacheDir, loadBundle } from './codeCache';
let api;
const load = () => api ?? (api = loadBundle(join(__dirname, 'vendor', 'zod.js'), codeCacheDir()));
export const z = new Proxy({}, { get: (_t, k) => load()[k], has: (_t, k) => k in load() });
`;
const zodLocalesEnglish = (b) => {
  b.onResolve({ filter: /\/locales\/index\.c?js$/ }, (args) => (/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales-en', namespace: 'zod-locales' } : undefined));
  b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({ contents: "export { default as en } from 'zod/v4/locales/en.js';", resolveDir: process.cwd() }));
};
const lazyZod = {
  name: 'lazy-zod',
  setup(b) {
    rewriteZodImport(b, "import { z } from 'airlock:lazy-zod';");
    b.onResolve({ filter: /^airlock:lazy-zod$/ }, () => ({ path: 'lazy-zod', namespace: 'airlock-zod' }));
    b.onLoad({ filter: /.*/, namespace: 'airlock-zod' }, () => ({ contents: LAZY_ZOD, loader: 'ts', resolveDir: resolve('src/cli') }));
  },
};

// The bundles loaded through src/cli/codeCache.ts (loadBundle) are written pre-wrapped in the function
// Node's CommonJS loader would wrap them in, so the loader compiles the file's text as read (no copy
// of the whole source). The same text as codeCache.ts's WRAP_HEAD / WRAP_TAIL (a test holds them equal).
const WRAPPED = { banner: { js: '(function (exports, require, module, __filename, __dirname) { ' }, footer: { js: '\n})' } };

// The extension's activation loads only what starting the gate needs (bench/editor.ts, BENCHMARKS §11):
// two more libraries it requires on first use are their own files (the price table with the first
// priced call, the OTLP protobuf classes with the first telemetry batch), and zod's error messages in
// other languages are left out (Airlock only ever uses the English ones, zod's default).
const EXTENSION_VENDOR = {
  '@pydantic/genai-prices': 'genai-prices.js',
  'otlp-proto-generated/build/src/generated/root': 'otlp-proto.js',
};
const extensionSplit = {
  name: 'extension-split',
  setup(b) {
    b.onResolve({ filter: /^(@pydantic\/genai-prices|otlp-proto-generated\/build\/src\/generated\/root)$/ }, (args) => ({ path: `./vendor/${EXTENSION_VENDOR[args.path]}`, external: true }));
    zodLocalesEnglish(b);
  },
};

// `supported: dynamic-import false`: import() of a built-in or external module becomes a require()
// in a promise. The short-lived bundles are compiled through vm.Script with a code cache
// (src/cli/codeCache.ts), and a vm.Script has no module loader for import() on Node 20.
const split = { ...common, plugins: [vendorSplit, zodNamespace], supported: { 'dynamic-import': false } };

mkdirSync('dist', { recursive: true });
await Promise.all([
  // The banner marks when the bundle starts evaluating (the activation log line reports it: bench/editor.ts).
  // The entry imports only 'vscode', node:path and the status bar: activation evaluates a few KB.
  build({ ...split, plugins: [...split.plugins, extensionSplit], entryPoints: ['src/vscode/entry.ts'], outfile: 'dist/extension.js', banner: { js: 'var __airlockBundleStart = performance.now();' } }),
  build({ ...split, plugins: [...split.plugins, extensionSplit], entryPoints: ['src/extension.ts'], outfile: 'dist/extensionMain.js' }),
  ...Object.entries(EXTENSION_VENDOR).map(([mod, file]) => build({ ...common, entryPoints: [mod], outfile: `dist/vendor/${file}`, minify: true, sourcemap: false })),
  // dist/cli.js only dispatches: `check` runs dist/check.js, every other command dist/commands.js.
  build({ ...split, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', minify: true }),
  build({ ...split, ...WRAPPED, plugins: [vendorSplit, lazyZod], entryPoints: ['src/cli/checkEntry.ts'], outfile: 'dist/check.js', minify: true }),
  build({ ...split, ...WRAPPED, entryPoints: ['src/cli/commandRunner.ts'], outfile: 'dist/commands.js' }),
  // The hook shim runs once per agent tool call: a lean entry, and the offline judge on its own
  // (minified: less to read and compile in a process that lives for one judgement).
  // dist/hook.js is the entry the installed hook command runs: it only compiles dist/shim.js (the
  // shim, from hookMain.ts) from its V8 code cache.
  build({ ...split, entryPoints: ['src/cli/hookEntry.ts'], outfile: 'dist/hook.js', minify: true }),
  build({ ...split, ...WRAPPED, entryPoints: ['src/cli/hookMain.ts'], outfile: 'dist/shim.js', minify: true }),
  build({ ...split, ...WRAPPED, plugins: [vendorSplit, lazyZod], entryPoints: ['src/node/gate/offlineJudge.ts'], outfile: 'dist/offline.js', minify: true }),
  // The ledger's writer thread (a worker_threads entry, src/node/ledger/ledgerWriter.ts starts it).
  build({ ...split, entryPoints: ['src/node/ledger/ledgerWriterWorker.ts'], outfile: 'dist/ledgerWriter.js', minify: true }),
  ...Object.entries(VENDOR).map(([mod, file]) => build({ ...common, entryPoints: [mod], outfile: `dist/vendor/${file}`, minify: true, sourcemap: false })),
  // zod for dist/offline.js and dist/check.js (lazy-zod above): its classic API, English messages only.
  build({ ...common, ...WRAPPED, plugins: [{ name: 'zod-en', setup: zodLocalesEnglish }], entryPoints: [resolve('node_modules/zod/v4/classic/external.js')], outfile: 'dist/vendor/zod.js', minify: true, sourcemap: false }),
  // The run log webview: a browser bundle (imports core/protocol and core/present only).
  build({ ...common, platform: 'browser', target: 'chrome120', format: 'iife', external: [], entryPoints: ['src/webview/runLog.ts'], outfile: 'dist/webview/runLog.js' }),
]);
// Codicons for the webview (font + its stylesheet), served from dist/webview.
mkdirSync('dist/webview', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/webview/${f}`);
// libpg-query (the real PostgreSQL parser) loads its wasm from next to the bundle (__dirname).
copyFileSync('node_modules/libpg-query/wasm/libpg-query.wasm', 'dist/libpg-query.wasm');
// A package.json of dist's own: Node looks up the nearest one for every file it runs (is it an ES
// module?), and the project's is 37 KB of non-ASCII JSON, read and parsed on every hook call otherwise.
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
// AIRLOCK_CODE_CACHE=0: a build writes nothing into anybody's Airlock home.
const schema = execFileSync(process.execPath, ['dist/cli.js', 'policy', 'schema'], { encoding: 'utf8', env: { ...process.env, AIRLOCK_CODE_CACHE: '0' } });
writeFileSync('dist/policy.schema.json', schema);
console.log(`built dist/ (${production ? 'production' : 'development'})`);
