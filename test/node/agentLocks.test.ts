/**
 * The live agents are installed from lockfiles (scripts/agent-locks/), so a dependency published
 * after they were verified cannot change or break CI's install. Each lock pins exactly the agent
 * version scripts/agent-packages.mjs names, with an integrity hash for every package; a lock that
 * disagrees with the pinned version is refused before npm runs, naming the command that fixes it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TOOL_PACKAGES } from '../../scripts/tools.mjs';
import { agentPackages } from '../support/agentLive';
import { ROOT } from '../support/gateway';

const LOCKS = join(ROOT, 'scripts', 'agent-locks');
interface LockEntry { version?: string; integrity?: string; optional?: boolean }
interface Lock { lockfileVersion: number; packages: Record<string, LockEntry & { dependencies?: Record<string, string> }> }
const readLock = (name: string): Lock => JSON.parse(readFileSync(join(LOCKS, `${name}.json`), 'utf8')) as Lock;

describe('agent lockfiles', () => {
  const pinned = agentPackages();

  it('one lock per pinned agent, and no lock for an agent that is not pinned', () => {
    assert.ok(Object.keys(pinned).length >= 6, 'the pinned list parsed');
    assert.deepEqual(readdirSync(LOCKS).sort(), Object.keys(pinned).map((n) => `${n}.json`).sort());
  });

  for (const [name, spec] of Object.entries(agentPackages())) {
    it(`${name}: the lock pins ${spec.pkg}@${spec.version} and hashes every package`, () => {
      const lock = readLock(name);
      assert.equal(lock.lockfileVersion, 3);
      assert.deepEqual(lock.packages['']!.dependencies, { [spec.pkg]: spec.version });
      assert.equal(lock.packages[`node_modules/${spec.pkg}`]?.version, spec.version);
      for (const [path, entry] of Object.entries(lock.packages)) {
        if (path === '') continue;
        assert.match(entry.version ?? '', /^\d+\.\d+\.\d+/, `${path} has an exact version`);
        assert.match(entry.integrity ?? '', /^sha(512|1)-/, `${path} has an integrity hash`);
      }
    });
  }

  it('a lock that pins another version than scripts/agent-packages.mjs is refused before npm runs', () => {
    const locks = mkdtempSync(join(tmpdir(), 'airlock-locks-'));
    const cache = mkdtempSync(join(tmpdir(), 'airlock-agents-'));
    try {
      const lock = readLock('kilo');
      const pkg = pinned.kilo!.pkg;
      lock.packages['']!.dependencies = { [pkg]: '0.0.1' };
      writeFileSync(join(locks, 'kilo.json'), JSON.stringify(lock));
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'install-agents.mjs'), 'kilo'], {
        encoding: 'utf8',
        env: { ...process.env, AIRLOCK_AGENT_LOCKS: locks, AIRLOCK_AGENTS_CACHE: cache },
      });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /kilo\.json pins .*0\.0\.1.* run node scripts\/install-agents\.mjs --relock kilo/);
      assert.ok(!existsSync(join(cache, 'kilo', 'node_modules')), 'nothing was installed');
    } finally {
      rmSync(locks, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('a tool lock (scripts/tool-locks/) pins the version scripts/tools.mjs installs, with hashes', () => {
    const dir = join(ROOT, 'scripts', 'tool-locks');
    const tools = TOOL_PACKAGES as Record<string, { name: string; version: string }>;
    for (const file of readdirSync(dir)) {
      const tool = file.replace(/\.json$/, '');
      const spec = tools[tool];
      assert.ok(spec, `${file} names a tool of scripts/tools.mjs`);
      const lock = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Lock;
      assert.deepEqual(lock.packages['']!.dependencies, { [spec.name]: spec.version });
      for (const [path, entry] of Object.entries(lock.packages)) if (path) assert.match(entry.integrity ?? '', /^sha(512|1)-/, `${path} has an integrity hash`);
    }
  });

  it('an unknown agent name is a usage error', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'install-agents.mjs'), 'nosuchagent'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown agent\(s\): nosuchagent \(known: .*cline/);
  });
});
