/**
 * scripts/e2e-setup.mjs on an existing cache: a second run redoes nothing, checks what is there and
 * says so; the staged better-sqlite3 is the Node 22 build while node_modules keeps this Node's.
 * (CI runs the setup from scratch in .ci/run before npm test; this test proves the idempotent path.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readSetupStamp } from '../../scripts/e2e-paths.mjs';
import { e2eCache } from '../support/e2eCache';
import { ROOT } from '../support/gateway';

const cache = e2eCache();

describe('e2e-setup (cache already filled)', { skip: cache.skip }, () => {
  it('a second run is a no-op that still verifies code-server and the Node 22 better-sqlite3', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'e2e-setup.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /everything cached/);
    assert.match(r.stdout, /code-server 4\.117\.0/);
    assert.match(r.stdout, /better-sqlite3 [\d.]+ for Node 22: .* \(SQLite [\d.]+ abi 127\)/);
    const stamp = readSetupStamp(cache.paths)!;
    assert.match(stamp.nodeVersion, /^v22\./);
  });

  it('the staged binary loads under Node 22 and not under this Node; node_modules still loads here', () => {
    const load = (node: string, dir: string) => spawnSync(node, ['-e', `new (require(${JSON.stringify(dir)}))(':memory:').close()`], { encoding: 'utf8' });
    const staged = join(cache.paths!.sqliteStage, 'node_modules', 'better-sqlite3');
    assert.equal(load(cache.paths!.nodeBin, staged).status, 0);
    const here = load(process.execPath, staged);
    assert.notEqual(here.status, 0);
    assert.match(here.stderr, /NODE_MODULE_VERSION 127/);
    assert.equal(load(process.execPath, join(ROOT, 'node_modules', 'better-sqlite3')).status, 0);
  });
});
