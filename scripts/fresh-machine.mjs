#!/usr/bin/env node
// Proves the README's promise on this machine as if it were a fresh one: the two commands work with
// Node, npm and git only, without root-installed packages.
//
//   node scripts/fresh-machine.mjs [--clone] [--no-tests]
//
// The setting: a fresh, empty HOME (so an empty npm cache: every package is downloaded again), and
// the system's copies of what the set-up used to need made invisible:
//   ripgrep (rg), PostgreSQL (initdb, pg_ctl, postgres, psql, /usr/lib/postgresql), the Kerberos
//   headers and krb5-config (/usr/include/krb5*, /usr/include/gssapi*), Chromium, and any `code`,
//   `code-insiders`, `codium`, `code-server` (so the code-server path is the one taken).
// As root with `unshare` (CI), it runs in a private mount namespace where those files are covered
// (an empty tmpfs over folders, /dev/null over files: present but not runnable, not readable as
// headers); the rest of the machine and other processes see nothing. Otherwise it falls back to a
// PATH without those programs (weaker: absolute paths stay visible) and says so.
//
// Then, timed:
//   1. `npm install`                       (--clone: in a fresh `git clone` of this repository)
//   2. `npm start -- --check`              the first run sets up code-server from npm, packages the
//                                          .vsix, opens the workbench in Chromium from npm, the
//                                          scripted agent run shows an approval, which is approved
//                                          in the page; screenshots test-artifacts/start*.png
//   3. `node scripts/test.mjs --setup-only` the test tiers' own set-up in this setting: PostgreSQL
//                                          and Chromium from npm, the e2e cache; prints what each
//                                          tier uses and what it would skip
//   4. (unless --no-tests) a slice of the real tests that depend on that set-up: the PostgreSQL
//      tests (embedded server, started as `nobody` when root), the run log webview (npm Chromium),
//      and the e2e activation test (code-server without system rg or kerberos, the packaged .vsix
//      installed with --install-extension, npm Chromium).
// The whole `npm test` is not repeated here: CI runs it right after, on the same cache, and doing it
// twice would double CI's time. Checks at the end: kerberos was never built, VS Code's rg is the npm
// one, nothing hidden became visible. Exit code 0 only when every step passed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const args = process.argv.slice(2);
const flag = (f) => args.includes(f);

const HIDDEN_PROGRAMS = ['rg', 'psql', 'initdb', 'pg_ctl', 'postgres', 'krb5-config', 'chromium', 'chromium-browser', 'google-chrome', 'code', 'code-insiders', 'codium', 'code-server'];
const HIDDEN_DIRS = ['/usr/lib/postgresql', '/usr/include/krb5', '/usr/include/gssapi', '/usr/include/gssrpc', '/usr/lib/chromium'];
const HIDDEN_FILES = ['/usr/include/krb5.h', '/usr/include/gssapi.h', '/usr/include/profile.h'];

function which(cmd, path = process.env.PATH ?? '') {
  for (const d of path.split(':')) {
    if (!d) continue;
    const p = join(d, cmd);
    try {
      const st = statSync(p);
      if (st.isFile() && (st.mode & 0o111) !== 0) return p;
    } catch { /* not here */ }
  }
  return undefined;
}

// ---- outer: enter a private mount namespace when we can -----------------------------------------
if (!process.env.AIRLOCK_FRESH_INNER) {
  const root = process.getuid?.() === 0;
  const probe = root ? spawnSync('unshare', ['-m', '--propagation', 'private', 'true']) : { status: 1 };
  const mode = probe.status === 0 ? 'namespace' : 'path';
  const cmd = mode === 'namespace' ? ['unshare', ['-m', '--propagation', 'private', process.execPath, ...process.argv.slice(1)]] : [process.execPath, process.argv.slice(1)];
  const r = spawnSync(cmd[0], cmd[1], { stdio: 'inherit', env: { ...process.env, AIRLOCK_FRESH_INNER: mode } });
  process.exit(r.status ?? 1);
}

// ---- inner ------------------------------------------------------------------------------------
const mode = process.env.AIRLOCK_FRESH_INNER;
const t0 = Date.now();
const timings = [];
const results = [];
const say = (m) => console.log(`\n[fresh-machine] ${m}`);
const failures = [];

function hide() {
  if (mode === 'namespace') {
    const files = new Set(HIDDEN_FILES.filter((f) => existsSync(f)));
    for (const p of HIDDEN_PROGRAMS) {
      for (const d of (process.env.PATH ?? '').split(':')) {
        const f = d && join(d, p);
        if (f && existsSync(f)) files.add(realpathSync(f));
      }
    }
    // Files first (a symlink into a folder hidden below must still resolve), then folders.
    for (const f of files) {
      const r = spawnSync('mount', ['--bind', '/dev/null', f], { encoding: 'utf8' });
      if (r.status !== 0) failures.push(`could not hide ${f}: ${r.stderr.trim()}`);
    }
    for (const d of HIDDEN_DIRS.filter((x) => existsSync(x))) {
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'airlock-hidden', d], { encoding: 'utf8' });
      if (r.status !== 0) failures.push(`could not hide ${d}: ${r.stderr.trim()}`);
    }
    return process.env.PATH;
  }
  // PATH mode: a folder of links to every program on PATH except the hidden ones.
  const farm = mkdtempSync(join(tmpdir(), 'airlock-fresh-path-'));
  const seen = new Set();
  for (const d of (process.env.PATH ?? '').split(':')) {
    let names = [];
    try { names = readdirSyncSafe(d); } catch { continue; }
    for (const n of names) {
      if (seen.has(n) || HIDDEN_PROGRAMS.includes(n)) continue;
      seen.add(n);
      spawnSync('ln', ['-s', join(d, n), join(farm, n)]);
    }
  }
  return farm;
}

function readdirSyncSafe(d) {
  return d ? spawnSync('ls', ['-1', d], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean) : [];
}

const PATH = hide();
const home = mkdtempSync(join(tmpdir(), 'airlock-fresh-home-'));
const env = { PATH, HOME: home, LANG: process.env.LANG ?? 'C.UTF-8', TERM: process.env.TERM ?? 'dumb', CI: process.env.CI ?? '', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
for (const k of ['TMPDIR', 'AIRLOCK_E2E_CACHE', 'AIRLOCK_TOOLS_CACHE']) if (process.env[k]) env[k] = process.env[k];
// The machine's network settings are not the user's state: proxies and the CA bundle that lets
// Node and npm reach the registry stay (a fresh HOME on this machine would have them too).
for (const [k, v] of Object.entries(process.env)) if (v && /proxy|(^|_)CA(_|$)|CA_CERT|SSL_CERT|EXTRA_CA/i.test(k)) env[k] = v;
// node-gyp downloads Node's headers from nodejs.org, which a machine that reaches only the npm
// registry cannot; such a machine's npm config names a folder that has them (`nodedir`). Keep that
// one setting (a machine with internet needs nothing: node-gyp downloads the headers).
const nodedir = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8', env: process.env }).stdout?.trim();
if (nodedir && nodedir !== 'undefined' && existsSync(join(nodedir, 'include', 'node', 'node_version.h'))) env.npm_config_nodedir = nodedir;

say(`kept from the machine: ${Object.keys(env).filter((k) => !['PATH', 'HOME', 'LANG', 'TERM', 'CI'].includes(k) && !k.startsWith('npm_config_') || k === 'npm_config_nodedir').join(', ')}${env.npm_config_nodedir ? ` (npm_config_nodedir=${env.npm_config_nodedir}: Node's headers for node-gyp, nodejs.org being unreachable)` : ''}`);
say(`setting: ${mode === 'namespace' ? 'private mount namespace (system copies covered)' : 'PATH without the hidden programs (not root or no unshare: absolute paths stay visible)'}; HOME=${home} (empty: empty npm cache)`);
const visible = [];
for (const p of HIDDEN_PROGRAMS) {
  const w = which(p, PATH);
  if (w) visible.push(w);
}
const krb = ['/usr/include/krb5.h', '/usr/include/gssapi/gssapi.h', '/usr/include/gssapi.h'].filter((f) => existsSync(f) && statSync(f).isFile() && statSync(f).size > 0);
const pgDebian = existsSync('/usr/lib/postgresql') && spawnSync('ls', ['/usr/lib/postgresql'], { encoding: 'utf8' }).stdout.trim() !== '';
console.log(`  runnable on PATH: ${visible.length ? visible.join(', ') : 'none of ' + HIDDEN_PROGRAMS.join(', ')}`);
console.log(`  krb5 headers readable: ${krb.length ? krb.join(', ') : mode === 'namespace' ? 'none' : 'still on disk (PATH mode cannot hide files)'}`);
console.log(`  /usr/lib/postgresql: ${pgDebian ? 'present' : 'empty or absent'}`);
if (visible.length) failures.push(`still runnable: ${visible.join(', ')}`);
if (mode === 'namespace' && (krb.length || pgDebian)) failures.push('the krb5 headers or Debian PostgreSQL are still visible');
if (failures.length) {
  console.error(`fresh-machine: FAILED to build the setting:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}

function step(name, cmd, cmdArgs, cwd, extraEnv = {}) {
  say(`${name}: $ ${cmd} ${cmdArgs.join(' ')}   (in ${cwd})`);
  const s = Date.now();
  const r = spawnSync(cmd, cmdArgs, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...env, ...extraEnv } });
  const secs = Math.round((Date.now() - s) / 100) / 10;
  timings.push([name, secs]);
  const ok = r.status === 0;
  results.push([name, ok ? 'ok' : `FAILED (exit ${r.status ?? r.error?.message})`]);
  say(`${name}: ${ok ? 'ok' : 'FAILED'} in ${secs} s`);
  return ok;
}

let dir = repo;
if (flag('--clone')) {
  dir = join(mkdtempSync(join(tmpdir(), 'airlock-fresh-clone-')), 'airlock');
  if (!step('git clone', 'git', ['clone', '--quiet', '--no-hardlinks', repo, dir], tmpdir())) process.exit(1);
}

// In place, an npm without this machine's user config may rewrite package-lock.json's form: keep the committed one.
const lockBefore = existsSync(join(dir, 'package-lock.json')) ? readFileSync(join(dir, 'package-lock.json')) : undefined;
let ok = step('npm install', 'npm', ['install', '--no-audit', '--no-fund'], dir);
if (!flag('--clone') && lockBefore) writeFileSync(join(dir, 'package-lock.json'), lockBefore);
if (!ok) {
  console.error('[fresh-machine] FAILED: npm install (see above); nothing after it can run');
  process.exit(1);
}
// Pictures from an earlier run must not pass for this one's.
for (const f of ['start-approval.png', 'start.png']) rmSync(join(dir, 'test-artifacts', f), { force: true });
ok = step('npm start -- --check', 'npm', ['start', '--', '--check'], dir);
ok = step('test set-up (scripts/test.mjs --setup-only)', process.execPath, ['scripts/test.mjs', '--setup-only'], dir) && ok;
if (!flag('--no-tests')) {
  ok = step('npm run build (the node tier runs the built CLI)', 'npm', ['run', 'build'], dir) && ok;
  ok = step('tests needing that set-up: PostgreSQL, run log webview (node tier)', process.execPath, ['scripts/test.mjs', 'node', 'db.postgres', 'mcpPostgres', 'panelWebview'], dir) && ok;
  ok = step('test needing that set-up: code-server + the packaged .vsix (e2e tier, activation)', process.execPath, ['scripts/test.mjs', 'e2e', 'activation'], dir) && ok;
}

// ---- what the set-up left behind -------------------------------------------------------------
const cache = process.env.AIRLOCK_E2E_CACHE || join(dir, '.cache', 'e2e');
const vscodeModules = join(cache, 'code-server', 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
const kerberosBuilt = existsSync(join(vscodeModules, 'kerberos', 'build', 'Release', 'kerberos.node'));
const rgInVscode = join(vscodeModules, '@vscode', 'ripgrep', 'bin', 'rg');
const rgVersion = existsSync(rgInVscode) ? spawnSync(rgInVscode, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] : 'missing';
results.push(['kerberos native module built', kerberosBuilt ? 'yes (unexpected)' : 'no (never built: no krb5 headers needed)']);
results.push(["VS Code's rg", `${rgVersion} (from @vscode/ripgrep-linux-x64 on npm)`]);
if (kerberosBuilt || rgVersion === 'missing') ok = false;
for (const shot of ['start-approval.png', 'start.png']) {
  const p = join(dir, 'test-artifacts', shot);
  results.push([`screenshot ${shot}`, existsSync(p) ? p : 'missing']);
}

const total = Math.round((Date.now() - t0) / 1000);
console.log(`\n[fresh-machine] summary (${mode} mode, HOME ${home}, ${total} s in all)`);
for (const [n, s] of timings) console.log(`  ${String(s).padStart(7)} s  ${n}`);
for (const [n, r] of results) console.log(`  ${n}: ${r}`);
mkdirSync(join(repo, 'test-artifacts'), { recursive: true });
writeFileSync(join(repo, 'test-artifacts', 'fresh-machine.json'), JSON.stringify({ mode, home, dir, timings, results, ok, at: new Date().toISOString() }, null, 2) + '\n');
if (existsSync(join(cache, 'setup.json'))) console.log(`  e2e-setup steps (s): ${JSON.stringify(JSON.parse(readFileSync(join(cache, 'setup.json'), 'utf8')).seconds)}`);
console.log(ok ? '[fresh-machine] OK: the two commands work without the hidden system packages' : '[fresh-machine] FAILED (see above)');
process.exit(ok ? 0 : 1);
