/**
 * The `npm start` scripted run (scripts/demo-run.ts) must use the gate of the window that is open,
 * never a discovery file left behind by an editor that was stopped (its port has no listener: the
 * run's edits were refused as "Airlock is not running"). With only such a file it waits, then says
 * that no running gate was found.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempDir } from '../support/gateway';

/** A pid no process has: past the kernel's pid limit. */
const DEAD_PID = 4_194_305;

describe('npm start scripted run: which gate', () => {
  it('ignores a discovery file whose gate process is gone, and says no running gate was found', () => {
    const dir = tempDir('airlock-demo-disc-');
    const home = join(dir, 'airlock-home');
    const ws = join(dir, 'shop');
    mkdirSync(join(home, 'editors'), { recursive: true });
    mkdirSync(join(ws, 'src'), { recursive: true });
    writeFileSync(join(home, 'editors', `${DEAD_PID}.json`), JSON.stringify({ version: 1, url: 'http://127.0.0.1:9', token: 'a'.repeat(64), pid: DEAD_PID, startedAt: new Date().toISOString() }));
    writeFileSync(join(home, 'bridge.json'), JSON.stringify({ version: 1, url: 'http://127.0.0.1:9', token: 'a'.repeat(64), pid: DEAD_PID, startedAt: new Date().toISOString() }));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'demo-run.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir, AIRLOCK_HOME: home, AIRLOCK_DEMO_WORKSPACE: ws, AIRLOCK_DEMO_WAIT_MS: '1500' },
      timeout: 60_000,
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /no running Airlock gate found in .*after 2 s/);
    assert.doesNotMatch(r.stdout, /scripted Claude Code run/);
  });

  it('uses the discovery file of a gate process that runs', () => {
    const dir = tempDir('airlock-demo-disc-');
    const home = join(dir, 'airlock-home');
    mkdirSync(join(home, 'editors'), { recursive: true });
    // This test's own process stands in for a running gate: the run gets past the wait (and then
    // stops writing the demo file into a workspace that does not exist, before any agent starts).
    writeFileSync(join(home, 'editors', `${process.pid}.json`), JSON.stringify({ version: 1, url: 'http://127.0.0.1:9', token: 'a'.repeat(64), pid: process.pid, startedAt: new Date().toISOString() }));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'demo-run.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir, AIRLOCK_HOME: home, AIRLOCK_DEMO_WORKSPACE: join(dir, 'no-such-workspace'), AIRLOCK_DEMO_WAIT_MS: '1500' },
      timeout: 60_000,
    });
    assert.notEqual(r.status, 0);
    assert.doesNotMatch(r.stderr, /no running Airlock gate found/, r.stderr);
  });
});
