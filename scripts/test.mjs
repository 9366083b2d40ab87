// Runs every test tier that exists, in one node:test run so the summary counts them all.
//   test/unit  *.spec.ts  pure core, no I/O
//   test/node  *.test.ts  real SQLite, real loopback servers, real processes, the built CLI
//   test/threats *.test.ts the THREATS.md classes T01–T71, one probe set per class (docs/threats.md)
//   test/e2e   *.test.ts  a real VS Code (code-server) driven by Chromium
// Pass a tier name or a file filter to narrow: `node scripts/test.mjs unit`, `... shell`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

const files = (wantTiers.length ? wantTiers : tiers)
  .flatMap((t) => walk(join(root, 'test', t)).sort())
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
