/**
 * Airlock's MCP server in process (real Gate, real SQLite ledger and effect store, the official MCP
 * client over the SDK's in-memory transport), with a deliberate test approver that allows: approved
 * side effects run once even when retried with the same idempotency key; retries with other
 * arguments are refused; transient failures (a real SQLITE_BUSY) are retried and then dead-lettered;
 * dead letters are listed, retried (gated again) and discarded.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { openConnection } from '../../src/node/db';
import { openDatabases } from '../../src/node/mcp/databases';
import { backoffMs, DEFAULT_RETRY, EffectStore, isTransient, RetriesExhausted, withRetries } from '../../src/node/ledger/idempotency';
import { createAirlockMcpServer } from '../../src/node/mcp/server';
import { openAirlockMcp, retryDeadLetter, type AirlockMcp } from '../../src/node/mcp/start';
import { tempDir } from '../support/gateway';
import { AllowingTestApprover, envelopeOf, ledgerSteps } from '../support/mcp';

const Sqlite = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;


const dir = tempDir('airlock-mcp-idem-');
const home = join(dir, 'airlock');
const ws = join(dir, 'ws');
mkdirSync(ws, { recursive: true });
const dbPath = join(ws, 'app.db');
{
  const db = new Sqlite(dbPath);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t (name) VALUES ('a'), ('b'), ('c');");
  db.close();
}

let mcp: AirlockMcp;
let client: Client;
const approver = new AllowingTestApprover();

before(async () => {
  mcp = await openAirlockMcp({
    home,
    discoveryPath: join(home, 'bridge.json'),
    workspaceRoots: [ws],
    mode: 'interactive',
    gate: 'local',
    approver,
    askTimeoutMs: 5000,
    sessionId: 'idem-test',
    // These tests count asks of destructive calls; with checkpoints a workspace delete would not ask (mcpCheckpoints.test.ts).
    checkpoints: false,
    databases: await openDatabases([{ name: 'app', url: `sqlite://${dbPath}`, readOnly: false }]),
    log: () => undefined,
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await createAirlockMcpServer(mcp.runner).connect(a);
  client = new Client({ name: 'airlock-test', version: '1.0.0' });
  await client.connect(b);
});
after(async () => {
  await client?.close();
  await mcp?.close();
});

describe('idempotency of approved side effects (in-process server, deliberate test approver)', () => {
  it('an approved shell command runs once even when the client retries it with the same key', async () => {
    mkdirSync(join(ws, 'build'), { recursive: true });
    const args = { command: 'rm -rf build && echo ran >> counter.txt', idempotencyKey: 'clean-build-0001' };
    const first = envelopeOf(await client.callTool({ name: 'run_shell', arguments: args }));
    assert.equal(first.ok, true, JSON.stringify(first));
    assert.equal(approver.asked.length, 1, 'the destructive command was asked');
    assert.equal(approver.asked[0]!.toolName, 'run_shell');
    const again = envelopeOf(await client.callTool({ name: 'run_shell', arguments: args }));
    const third = envelopeOf(await client.callTool({ name: 'run_shell', arguments: args }));
    assert.equal(readFileSync(join(ws, 'counter.txt'), 'utf8'), 'ran\n', 'it ran exactly once');
    assert.equal(approver.asked.length, 1, 'the retry was not asked again');
    for (const r of [again, third]) {
      assert.equal(r.replayed, true);
      assert.equal(r.traceId, first.traceId);
      assert.deepEqual(r.ok && r.data, first.ok && first.data);
    }
    const pre = ledgerSteps(join(home, 'ledger.sqlite')).filter((r) => r.tool === 'run_shell' && r.event === 'pre');
    assert.deepEqual(pre.map((r) => r.decision), ['allow'], 'one gated step in the ledger');
  });

  it('the same key with other arguments is an idempotency_conflict and does nothing', async () => {
    const e = envelopeOf(await client.callTool({ name: 'run_shell', arguments: { command: 'echo other >> counter.txt', idempotencyKey: 'clean-build-0001' } }));
    assert.equal(e.ok ? 'ok' : e.error.code, 'idempotency_conflict');
    assert.equal(readFileSync(join(ws, 'counter.txt'), 'utf8'), 'ran\n');
  });

  it('an approved DELETE without WHERE: dry run shown to the approver, runs once, before-image saved, retry replays', async () => {
    const asked = approver.asked.length;
    const args = { connection: 'app', sql: 'DELETE FROM t', idempotencyKey: 'wipe-t-000001' };
    const e = envelopeOf(await client.callTool({ name: 'db_execute', arguments: args }));
    assert.equal(e.ok, true, JSON.stringify(e));
    assert.equal(approver.asked.length, asked + 1);
    const req = approver.asked.at(-1)!;
    assert.match(req.description ?? '', /dry run \(rolled back\): 3 row\(s\) affected \(t: 3 row\(s\)\)/);
    if (!e.ok) return;
    const d = e.data as { rowsAffected: number; beforeImages?: { table: string; rows: number }[]; dryRun?: { rowsAffected: number } };
    assert.equal(d.rowsAffected, 3);
    assert.equal(d.dryRun?.rowsAffected, 3);
    assert.deepEqual(d.beforeImages, [{ table: 't', rows: 3, truncated: false }]);
    const images = mcp.store.beforeImages('app');
    assert.equal(images.length, 1);
    assert.deepEqual(images[0]!.rows.map((r) => r.name), ['a', 'b', 'c']);
    // Put a row back, then retry the same call: it must not delete again.
    const db = new Sqlite(dbPath);
    db.exec("INSERT INTO t (id, name) VALUES (100, 'survivor')");
    const r = envelopeOf(await client.callTool({ name: 'db_execute', arguments: args }));
    assert.equal(r.replayed, true);
    assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 1);
    assert.equal(approver.asked.length, asked + 1);
    // The stored before-image is complete enough to undo the delete.
    const conn = await openConnection({ name: 'app', url: `sqlite://${dbPath}` });
    try {
      const { rowsRestored } = await conn.restore(mcp.store.beforeImages('app')[0]!);
      assert.equal(rowsRestored, 3);
    } finally {
      await conn.close();
    }
    assert.deepEqual((db.prepare('SELECT name FROM t ORDER BY name').all() as { name: string }[]).map((r) => r.name), ['a', 'b', 'c', 'survivor']);
    db.close();
  });
});

describe('retries and dead letters (real SQLITE_BUSY)', () => {
  it('classifies transient errors and keeps backoff within its exponential cap', () => {
    assert.equal(isTransient(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })), true);
    assert.equal(isTransient(Object.assign(new Error('x'), { code: '40001' })), true);
    assert.equal(isTransient(Object.assign(new Error('x'), { code: '08006' })), true);
    assert.equal(isTransient(Object.assign(new Error('syntax'), { code: 'SQLITE_ERROR' })), false);
    assert.equal(isTransient(new Error('no code')), false);
    for (let n = 1; n <= 8; n++) {
      const cap = Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** (n - 1));
      assert.ok(backoffMs(n, DEFAULT_RETRY, () => 0.9999) < cap);
      assert.equal(backoffMs(n, DEFAULT_RETRY, () => 0), 0);
    }
  });

  it('a write blocked by a lock is retried, dead-lettered when retries run out, listed, retried once the lock is gone, and cannot be retried twice', async () => {
    const path = join(dir, 'busy.db');
    const setup = new Sqlite(path);
    setup.pragma('journal_mode = WAL');
    setup.exec('CREATE TABLE IF NOT EXISTS log (v TEXT)');
    setup.close();
    const locker = new Sqlite(path);
    locker.exec('BEGIN IMMEDIATE');
    const writer = new Sqlite(path, { timeout: 0 });
    const store = EffectStore.open(join(dir, 'effects-busy.sqlite'));
    let attempts = 0;
    const op = async (): Promise<string> => {
      attempts++;
      writer.prepare('INSERT INTO log (v) VALUES (?)').run('x');
      return 'written';
    };
    const args = { value: 'x' };
    assert.equal(store.begin('k-busy', 'test_write', args).kind, 'claimed');
    let letterId = 0;
    await assert.rejects(
      withRetries(op, { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 }).catch((e: unknown) => {
        assert.ok(e instanceof RetriesExhausted);
        assert.equal((e.last as { code?: string }).code, 'SQLITE_BUSY');
        letterId = store.deadLetter('k-busy', 'test_write', args, e.last, e.attempts);
        throw e;
      }),
    );
    assert.equal(attempts, 3);
    const letters = store.listDeadLetters();
    assert.equal(letters.length, 1);
    assert.equal(letters[0]!.id, letterId);
    assert.equal(letters[0]!.errorCode, 'SQLITE_BUSY');
    assert.equal(letters[0]!.attempts, 3);
    assert.equal(store.begin('k-busy', 'test_write', args).kind, 'dead', 'the call itself answers dead_lettered');
    locker.exec('ROLLBACK');
    locker.close();
    const r = await store.retryDeadLetter(letterId, async () => {
      assert.equal(store.begin('k-busy', 'test_write', args).kind, 'claimed');
      const v = await withRetries(op, { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 });
      store.complete('k-busy', v.value, v.attempts);
      return { completed: true, result: v.value };
    });
    assert.ok(!('error' in r));
    if ('error' in r) return;
    assert.equal(r.letter.status, 'retried');
    assert.equal((writer.prepare('SELECT count(*) AS n FROM log').get() as { n: number }).n, 1);
    assert.deepEqual(store.listDeadLetters(), []);
    const twice = await store.retryDeadLetter(letterId, async () => ({ completed: true, result: '' }));
    assert.ok('error' in twice && /already retried/.test(twice.error));
    assert.equal(store.begin('k-busy', 'test_write', args).kind, 'replay');
    writer.close();
    store.close();
  });

  it('through the MCP tools: a db write on a locked database is dead-lettered, then retried through the gate from the dead-letter queue', async () => {
    const lockDb = join(ws, 'locked.db');
    const s = new Sqlite(lockDb);
    s.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)');
    s.close();
    const dbs = await openDatabases([{ name: 'locked', url: `sqlite://${lockDb}`, readOnly: false }]);
    const m = await openAirlockMcp({ home: join(dir, 'airlock2'), discoveryPath: join(dir, 'airlock2', 'bridge.json'), workspaceRoots: [ws], mode: 'interactive', gate: 'local', approver: new AllowingTestApprover(), askTimeoutMs: 5000, sessionId: 'dlq-test', databases: dbs, log: () => undefined });
    // A tight retry policy so the test does not wait on the driver's busy timeout for long.
    (m.runner as unknown as { o: { retry: unknown } }).o.retry = { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 };
    const locker = new Sqlite(lockDb, { timeout: 0 });
    locker.exec('BEGIN EXCLUSIVE');
    try {
      const e = await m.runner.call('db_execute', { connection: 'locked', sql: "INSERT INTO items (v) VALUES ('once')", idempotencyKey: 'insert-once-01' });
      assert.equal(e.ok ? 'ok' : e.error.code, 'dead_lettered', JSON.stringify(e));
      const letters = m.store.listDeadLetters();
      assert.equal(letters.length, 1);
      assert.equal(letters[0]!.tool, 'db_execute');
      const again = await m.runner.call('db_execute', { connection: 'locked', sql: "INSERT INTO items (v) VALUES ('once')", idempotencyKey: 'insert-once-01' });
      assert.equal(again.ok ? 'ok' : again.error.code, 'dead_lettered');
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    const id = m.store.listDeadLetters()[0]!.id;
    const r = await retryDeadLetter(m, id);
    assert.ok(!('error' in r), JSON.stringify(r));
    if (!('error' in r)) assert.equal(r.letter.status, 'retried');
    const check = new Sqlite(lockDb, { readonly: true });
    assert.deepEqual(check.prepare('SELECT v FROM items').all(), [{ v: 'once' }]);
    check.close();
    const replay = await m.runner.call('db_execute', { connection: 'locked', sql: "INSERT INTO items (v) VALUES ('once')", idempotencyKey: 'insert-once-01' });
    assert.equal(replay.replayed, true);
    const check2 = new Sqlite(lockDb, { readonly: true });
    assert.equal((check2.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n, 1);
    check2.close();
    await m.close();
  });

  it('discarding a dead letter keeps the call dead', () => {
    const store = EffectStore.open(join(dir, 'effects-discard.sqlite'));
    store.begin('k-d', 'run_shell', { command: 'x' });
    const id = store.deadLetter('k-d', 'run_shell', { command: 'x' }, Object.assign(new Error('busy'), { code: 'EBUSY' }), 4);
    assert.equal(store.discardDeadLetter(id, 'not needed'), true);
    assert.equal(store.discardDeadLetter(id), false);
    assert.deepEqual(store.listDeadLetters(), []);
    assert.equal(store.listDeadLetters({ status: 'all' })[0]!.status, 'discarded');
    assert.equal(store.begin('k-d', 'run_shell', { command: 'x' }).kind, 'dead');
    assert.equal(existsSync(join(dir, 'effects-discard.sqlite')), true);
    store.close();
  });
});

describe('airlock dlq (the built CLI)', () => {
  it('lists and discards dead letters from the effect store in AIRLOCK_HOME', async () => {
    const { runCli } = await import('../support/gateway');
    const h = join(dir, 'airlock-cli');
    const store = EffectStore.open(join(h, 'effects.sqlite'));
    store.begin('k-cli', 'db_execute', { connection: 'x', sql: 'DELETE FROM t' });
    const id = store.deadLetter('k-cli', 'db_execute', { connection: 'x', sql: 'DELETE FROM t' }, Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }), 4);
    store.close();
    const env = { PATH: process.env.PATH ?? '', HOME: dir, AIRLOCK_HOME: h };
    const list = await runCli(['dlq', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    const letters = (JSON.parse(list.stdout) as { deadLetters: { id: number; tool: string; errorCode: string }[] }).deadLetters;
    assert.deepEqual(letters.map((l) => [l.id, l.tool, l.errorCode]), [[id, 'db_execute', 'SQLITE_BUSY']]);
    const d = await runCli(['dlq', 'discard', String(id), '--reason', 'table was restored by hand'], env);
    assert.deepEqual(JSON.parse(d.stdout), { discarded: true });
    assert.deepEqual((JSON.parse((await runCli(['dlq', 'list'], env)).stdout) as { deadLetters: unknown[] }).deadLetters, []);
    assert.equal((await runCli(['dlq', 'retry', 'x'], env)).code, 2);
  });
});
