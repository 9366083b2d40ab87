#!/usr/bin/env node
// Installs the real coding agents the live tests drive (test/node/agent-*.test.ts) from npm, each
// into its own git-ignored folder .cache/agents/<name> (or $AIRLOCK_AGENTS_CACHE/<name>), at the
// versions the tests were verified with. They are not devDependencies: together they are about
// 1.5 GB, most of it native binaries, and only the live agent tests need them.
//   node scripts/install-agents.mjs              every agent
//   node scripts/install-agents.mjs qwen cline   some of them
//   node scripts/install-agents.mjs --relock X   rewrite scripts/agent-locks/X.json after a version
//                                                change in scripts/agent-packages.mjs
// Each agent's whole dependency tree is pinned by a lockfile in scripts/agent-locks/ and installed
// with npm from that lock, so a dependency published since (or one the registry lists but cannot
// serve yet) cannot change or break the install. The locks record the linux-x64 binaries, the
// platform the live tests run on; npm adds another platform's (optional) binary package when it
// installs there. (Not `npm ci`: it refuses a lock without every platform's optional package.)
// Idempotent: an agent already installed at its version is skipped. A test whose agent is missing
// skips with the command to run. A failed install is retried twice (after 5 s, then 20 s).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_PACKAGES, agentsCache } from './agent-packages.mjs';

// AIRLOCK_AGENT_LOCKS: another folder of locks (the tests use it to show a stale lock is refused).
const LOCKS = process.env.AIRLOCK_AGENT_LOCKS || new URL('./agent-locks/', import.meta.url).pathname;
const NPM_QUIET = ['--no-audit', '--no-fund', '--ignore-scripts'];

const args = process.argv.slice(2);
const relock = args[0] === '--relock';
const want = relock ? args.slice(1) : args;
const unknown = want.filter((a) => !AGENT_PACKAGES[a]);
if (unknown.length || (relock && !want.length)) {
  console.error(unknown.length
    ? `unknown agent(s): ${unknown.join(', ')} (known: ${Object.keys(AGENT_PACKAGES).join(', ')})`
    : 'usage: node scripts/install-agents.mjs --relock <agent>...');
  process.exit(2);
}

/** The package.json an agent's folder gets: the one pinned dependency its lockfile was made for. */
const manifest = (name, spec) => ({ name: `airlock-agent-${name}`, private: true, dependencies: { [spec.pkg]: spec.version } });

/** Why a lockfile cannot install this spec, or null when it can. */
function lockProblem(lock, name, spec) {
  const root = lock?.packages?.[''];
  if (lock?.lockfileVersion !== 3 || !root) return `scripts/agent-locks/${name}.json is not an npm v3 lockfile`;
  const want = JSON.stringify(manifest(name, spec).dependencies);
  if (JSON.stringify(root.dependencies ?? {}) !== want) {
    return `scripts/agent-locks/${name}.json pins ${JSON.stringify(root.dependencies)}, scripts/agent-packages.mjs wants ${want}: run node scripts/install-agents.mjs --relock ${name}`;
  }
  return null;
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function npm(cwd, npmArgs) {
  for (const [attempt, pause] of [[1, 5_000], [2, 20_000], [3, 0]]) {
    const r = spawnSync('npm', [...npmArgs, ...NPM_QUIET], { cwd, stdio: 'inherit' });
    if (r.status === 0) return true;
    if (!pause) break;
    console.error(`  npm ${npmArgs[0]} failed (attempt ${attempt} of 3); again in ${pause / 1000} s`);
    sleep(pause);
  }
  return false;
}

if (relock) {
  let failed = false;
  for (const name of want) {
    const spec = AGENT_PACKAGES[name];
    const dir = mkdtempSync(join(tmpdir(), `airlock-relock-${name}-`));
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest(name, spec), null, 2) + '\n');
    // Seeded with the old lock, npm keeps every pin it still can and re-resolves only what the
    // version change needs.
    if (existsSync(join(LOCKS, `${name}.json`))) copyFileSync(join(LOCKS, `${name}.json`), join(dir, 'package-lock.json'));
    if (npm(dir, ['install', '--package-lock-only'])) {
      copyFileSync(join(dir, 'package-lock.json'), join(LOCKS, `${name}.json`));
      console.log(`✓ ${name}: scripts/agent-locks/${name}.json pins ${spec.pkg}@${spec.version}`);
    } else {
      console.error(`✗ ${name}: could not lock ${spec.pkg}@${spec.version}`);
      failed = true;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
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
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest(name, spec), null, 2) + '\n');
  const lockFile = join(LOCKS, `${name}.json`);
  const lock = existsSync(lockFile) ? JSON.parse(readFileSync(lockFile, 'utf8')) : null;
  const problem = lock ? lockProblem(lock, name, spec) : `no lockfile scripts/agent-locks/${name}.json`;
  if (problem) {
    console.error(`✗ ${name}: ${problem}`);
    failed = true;
    continue;
  }
  copyFileSync(lockFile, join(dir, 'package-lock.json'));
  if (!npm(dir, ['install'])) {
    console.error(`✗ ${name}: installing ${spec.pkg}@${spec.version} failed`);
    failed = true;
    continue;
  }
  console.log(`✓ ${name} ${spec.version} in ${dir}`);
}
process.exit(failed ? 1 : 0);
