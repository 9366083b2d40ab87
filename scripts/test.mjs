// Runs every test tier that exists, in one node:test run so the summary counts them all.
//   test/unit  *.spec.ts  pure core, no I/O
//   test/node  *.test.ts  real SQLite, real loopback servers, real processes, the built CLI
//   test/threats *.test.ts the THREATS.md classes T01–T71, one probe set per class (docs/threats.md)
//   test/e2e   *.test.ts  a real VS Code (code-server) driven by Chromium
// Pass a tier name or a file filter to narrow: `node scripts/test.mjs unit`, `... shell`.
//
// The real home is never touched: the tests run with their own temporary AIRLOCK_HOME, and the run
// fails loudly, naming the paths, if anything under the real ~/.airlock (or $AIRLOCK_HOME) was
// created, changed or removed while they ran.
import { lstatSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const tiers = ['unit', 'node', 'threats', 'e2e'];
const args = process.argv.slice(2);
const wantTiers = tiers.filter((t) => args.includes(t));
const filters = args.filter((a) => !tiers.includes(a));

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
// The homes a careless test could write to: the real ~/.airlock and an AIRLOCK_HOME set outside.
const guarded = [...new Set([join(homedir(), '.airlock'), ...(process.env.AIRLOCK_HOME ? [resolve(process.env.AIRLOCK_HOME)] : [])])];
const before = guarded.map(snapshot);
const scratch = mkdtempSync(join(tmpdir(), 'airlock-test-home-'));
const env = { ...process.env, AIRLOCK_HOME: join(scratch, 'airlock') };
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit', cwd: root, env });
rmSync(scratch, { recursive: true, force: true });
const written = guarded.flatMap((g, i) => changes(before[i], snapshot(g)));
if (written.length) {
  console.error(`\nFAIL: the tests wrote into the real Airlock home (tests must use a temporary AIRLOCK_HOME and HOME):\n${written.map((w) => `  ${w}`).join('\n')}`);
  process.exit(1);
}
process.exit(r.status ?? 1);
