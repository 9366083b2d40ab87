/**
 * The ledger's SQLite driver fallback (src/node/ledger/sqlite.ts): where better-sqlite3's binary does not
 * match the runtime, node:sqlite (Node 22.13+) keeps the same ledger; where neither loads, opening
 * the ledger throws and the headless gate refuses to start.
 *
 * The Node 22 runs use the binary from the e2e cache: under it the repo's better-sqlite3 (built for
 * this machine's Node 20) really fails to load, which is the situation in an editor's extension host.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ledger, firstBreak } from '../../src/node/ledger/ledger';
import { openSqlite } from '../../src/node/ledger/sqlite';
import { e2eCache } from '../support/e2eCache';
import { ROOT, runCli, tempDir } from '../support/gateway';

const cache = e2eCache();
const CHILD = join(ROOT, 'test', 'support', 'ledgerChild.ts');

function child(ledgerPath: string, env: Record<string, string | undefined> = {}): Record<string, unknown> {
  const r = spawnSync(cache.paths!.nodeBin, ['--no-warnings', '--import', 'tsx', CHILD, ledgerPath, '3'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, AIRLOCK_SQLITE: undefined, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

describe('ledger SQLite driver', () => {
  it('this Node (the test runner) opens the ledger with better-sqlite3', () => {
    const dir = tempDir('airlock-sqlite-');
    const l = Ledger.open(join(dir, 'ledger.sqlite'));
    assert.deepEqual(l.driver, { driver: 'better-sqlite3' });
    l.close();
  });

  it('under Node 22 the Node 20 binary does not load and node:sqlite keeps the same ledger (WAL, chain, rollback)', { skip: cache.skip }, () => {
    const dir = tempDir('airlock-sqlite-');
    const path = join(dir, 'ledger.sqlite');
    const out = child(path);
    assert.equal(out.error, undefined);
    assert.match(String(out.node), /^22\./);
    const driver = out.driver as { driver: string; fallbackReason: string };
    assert.equal(driver.driver, 'node:sqlite');
    // The real reason: an ABI mismatch of the native module, not a forced switch.
    assert.match(driver.fallbackReason, /better-sqlite3 did not load: .*NODE_MODULE_VERSION/);
    assert.equal(out.steps, 3);
    assert.deepEqual(out.seqs, [1, 2, 3]);
    assert.equal(out.chainBreak, null);
    assert.equal(out.journal, 'wal');
    assert.equal(out.badRun, 'no run no-such-run');

    // The file node:sqlite wrote is an ordinary ledger: better-sqlite3 (here, Node 20) reads it,
    // the chain is intact, and appending continues the same chain.
    const l = Ledger.open(path);
    const steps = l.allSteps();
    assert.equal(steps.length, 3);
    assert.equal(firstBreak(steps), undefined);
    const run = l.runs()[0]!;
    l.appendStep({ runId: run.id, event: 'pre', agent: 'claude-code', sessionId: 'session-1', tool: 'Read', decision: 'allow', reversibility: 'read', reasons: [], rules: [], effects: [], policyHash: 'p', startedAt: 'x', decidedAt: 'x', durationUs: 0 });
    assert.equal(firstBreak(l.allSteps()), undefined);
    assert.deepEqual(l.allSteps().map((s) => s.seq), [1, 2, 3, 4]);
    l.close();

    // And node:sqlite continues a chain better-sqlite3 wrote.
    const again = child(path);
    assert.equal(again.steps, 7);
    assert.equal(again.chainBreak, null);
  });

  it('the gate and bridge tests pass with their ledger on node:sqlite (Node 22, forced): a drop-in, not a look-alike', { skip: cache.skip }, () => {
    const files = ['gate.test.ts', 'bridge.test.ts'].map((f) => join(ROOT, 'test', 'node', f));
    const r = spawnSync(cache.paths!.nodeBin, ['--no-warnings', '--import', 'tsx', '--test', '--test-reporter=tap', ...files], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_TEST_CONTEXT: undefined, AIRLOCK_SQLITE: 'node-sqlite' } });
    assert.equal(r.status, 0, r.stdout.split('\n').filter((l) => /not ok|error|Error/.test(l)).join('\n') + r.stderr);
    const pass = Number(/^# pass (\d+)/m.exec(r.stdout)?.[1]);
    assert.ok(pass >= 15, `only ${pass} tests passed:\n${r.stdout.slice(-2000)}`);
    assert.match(r.stdout, /^# fail 0$/m);
  });

  it('AIRLOCK_SQLITE=node-sqlite under Node 22 uses node:sqlite and says it was forced', { skip: cache.skip }, () => {
    const out = child(join(tempDir('airlock-sqlite-'), 'ledger.sqlite'), { AIRLOCK_SQLITE: 'node-sqlite' });
    assert.deepEqual(out.driver, { driver: 'node:sqlite', fallbackReason: 'AIRLOCK_SQLITE=node-sqlite' });
    assert.equal(out.chainBreak, null);
  });

  it('AIRLOCK_SQLITE=better-sqlite3 under Node 22: no fallback, the ledger does not open', { skip: cache.skip }, () => {
    const out = child(join(tempDir('airlock-sqlite-'), 'ledger.sqlite'), { AIRLOCK_SQLITE: 'better-sqlite3' });
    assert.match(String(out.error), /better-sqlite3 did not load: .*AIRLOCK_SQLITE=better-sqlite3/);
  });

  it('neither driver (Node 20 has no node:sqlite): opening throws with both reasons', () => {
    const dir = tempDir('airlock-sqlite-');
    assert.throws(() => openSqlite(join(dir, 'x.sqlite'), {}, 'node-sqlite'), /no SQLite driver: AIRLOCK_SQLITE=node-sqlite; node:sqlite is not available in Node 20\./);
    assert.throws(() => openSqlite(join(dir, 'x.sqlite'), {}, 'sqlite3'), /expected better-sqlite3 or node-sqlite/);
  });

  it('neither driver: `airlock serve` refuses to start (no gate that cannot record), and the shim then denies a write', async () => {
    const dir = tempDir('airlock-sqlite-home-');
    const ws = join(dir, 'ws');
    mkdirSync(ws);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: join(dir, 'home'), AIRLOCK_HOME: join(dir, 'airlock'), AIRLOCK_SQLITE: 'node-sqlite' };
    delete env.AIRLOCK_DISCOVERY;
    const r = await runCli(['serve'], env);
    assert.notEqual(r.code, 0, `serve started without a ledger: ${r.stdout}`);
    assert.match(r.stderr, /no SQLite driver/);
    assert.equal(existsSync(join(dir, 'airlock', 'bridge.json')), false);
    const write = { session_id: 's1', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: join(ws, 'new.txt'), content: 'x' } };
    const h = await runCli(['hook', 'claude'], env, JSON.stringify(write), ws);
    const out = JSON.parse(h.stdout).hookSpecificOutput as { permissionDecision: string; permissionDecisionReason: string };
    assert.equal(out.permissionDecision, 'deny');
    assert.match(out.permissionDecisionReason, /Airlock is not running/);
    assert.equal(existsSync(join(ws, 'new.txt')), false);
  });
});
