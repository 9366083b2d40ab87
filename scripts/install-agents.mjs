#!/usr/bin/env node
// Installs the real coding agents the live tests drive (test/node/agent-*.test.ts) from npm, each
// into its own git-ignored folder .cache/agents/<name> (or $AIRLOCK_AGENTS_CACHE/<name>), at the
// versions the tests were verified with. They are not devDependencies: together they are about
// 1.5 GB, most of it native binaries, and only the live agent tests need them.
//   node scripts/install-agents.mjs            every agent
//   node scripts/install-agents.mjs qwen cline some of them
// Idempotent: an agent already installed at its version is skipped. A test whose agent is missing
// skips with the command to run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_PACKAGES, agentsCache } from './agent-packages.mjs';

const want = process.argv.slice(2);
const unknown = want.filter((a) => !AGENT_PACKAGES[a]);
if (unknown.length) {
  console.error(`unknown agent(s): ${unknown.join(', ')} (known: ${Object.keys(AGENT_PACKAGES).join(', ')})`);
  process.exit(2);
}
let failed = false;
for (const [name, spec] of Object.entries(AGENT_PACKAGES)) {
  if (want.length && !want.includes(name)) continue;
  const dir = join(agentsCache(), name);
  const pkgJson = join(dir, 'node_modules', ...spec.pkg.split('/'), 'package.json');
  if (existsSync(pkgJson) && JSON.parse(readFileSync(pkgJson, 'utf8')).version === spec.version) {
    console.log(`✓ ${name} ${spec.version} (cached in ${dir})`);
    continue;
  }
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  const pkgs = [`${spec.pkg}@${spec.version}`, ...(spec.extra ?? [])];
  // --ignore-scripts: the platform binaries come as optional dependencies; no postinstall needed.
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...pkgs], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`✗ ${name}: npm install ${pkgs.join(' ')} failed`);
    failed = true;
    continue;
  }
  console.log(`✓ ${name} ${spec.version} in ${dir}`);
}
process.exit(failed ? 1 : 0);
