/**
 * Database tools of the built `airlock mcp --db NAME=sqlite:///…` against a real SQLite file, with
 * the official MCP client over stdio and no approver (headless): SELECT returns rows; a DELETE
 * without WHERE comes back asked-then-denied with the dry-run row count, and the table is intact.
 * (PostgreSQL variants of the port are tested by the database layer's own tests.)
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { tempDir } from '../support/gateway';
import { cleanEnv, connectAirlock, envelopeOf, ledgerSteps, type McpSession } from '../support/mcp';

const Sqlite = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;
const dir = tempDir('airlock-mcp-db-');
const ws = join(dir, 'ws');
const home = join(dir, 'home');
mkdirSync(ws, { recursive: true });
mkdirSync(home, { recursive: true });
const dbPath = join(ws, 'shop.db');
{
  const db = new Sqlite(dbPath);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO t (name) VALUES ('apple'), ('pear'), ('plum'), ('fig');");
  db.close();
}
const env = cleanEnv(home, join(dir, 'airlock'));
const count = (): number => {
  const db = new Sqlite(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

let s: McpSession;
before(async () => {
  s = await connectAirlock(['--workspace', ws, '--ask-timeout-ms', '1200', '--db', `shop=sqlite://${dbPath}`, '--db', `ro=sqlite://${dbPath}`, '--db-read-only', 'ro'], env);
});
after(async () => {
  await s?.close();
});

describe('airlock mcp database tools on a real SQLite file', () => {
  it('lists connections by name only (no URL) and answers a SELECT with rows', async () => {
    const c = envelopeOf(await s.client.callTool({ name: 'db_connections', arguments: {} }));
    assert.equal(c.ok, true);
    if (c.ok) assert.deepEqual(c.data, { connections: [{ name: 'shop', dialect: 'sqlite', readOnly: false }, { name: 'ro', dialect: 'sqlite', readOnly: true }] });
    assert.doesNotMatch(JSON.stringify(c), /sqlite:\/\//);
    const q = envelopeOf(await s.client.callTool({ name: 'db_query', arguments: { connection: 'shop', sql: 'SELECT name FROM t WHERE id > ? ORDER BY id', params: [1] } }));
    assert.equal(q.ok, true, JSON.stringify(q));
    if (q.ok) assert.deepEqual(q.data, { columns: ['name'], rows: [{ name: 'pear' }, { name: 'plum' }, { name: 'fig' }], truncated: false });
    assert.equal(q.decision?.reversibility, 'read');
  });

  it('an allowed write (INSERT) runs and says how many rows it changed (before anything is denied in this run)', async () => {
    const e = envelopeOf(await s.client.callTool({ name: 'db_execute', arguments: { connection: 'shop', sql: 'INSERT INTO t (name) VALUES (?)', params: ['kiwi'] } }));
    assert.equal(e.ok, true, JSON.stringify(e));
    if (e.ok) assert.equal((e.data as { rowsAffected: number }).rowsAffected, 1);
    assert.equal(count(), 5);
  });
  it('db_query refuses a write before it reaches the database', async () => {
    const e = envelopeOf(await s.client.callTool({ name: 'db_query', arguments: { connection: 'shop', sql: 'DELETE FROM t' } }));
    assert.equal(e.ok ? 'ok' : e.error.code, 'invalid_input');
    assert.equal(count(), 5);
  });

  it('DELETE FROM t without WHERE: asked, denied headless with the dry-run row count; the table is intact', async () => {
    const e = envelopeOf(await s.client.callTool({ name: 'db_execute', arguments: { connection: 'shop', sql: 'DELETE FROM t' } }));
    assert.equal(e.ok, false);
    if (e.ok) return;
    assert.equal(e.error.code, 'denied');
    assert.equal(e.error.retryable, true);
    assert.match(e.error.message, /needs a person's approval for this.*queued as approval #\d+/s);
    assert.match(e.error.message, /5 row\(s\) affected/);
    const dry = e.error.details?.dryRun as { possible: boolean; rowsAffected: number; tables: { table: string; rowsAffected: number; before: { name: string }[] }[] };
    assert.equal(dry.possible, true);
    assert.equal(dry.rowsAffected, 5);
    assert.equal(dry.tables[0]!.table, 't');
    assert.equal(dry.tables[0]!.rowsAffected, 5);
    assert.equal(dry.tables[0]!.before[0]!.name, 'apple');
    assert.equal(count(), 5, 'the dry run was rolled back and nothing ran');
    // The person would have seen the dry run: it is the step's description in the ledger.
    const step = ledgerSteps(join(dir, 'airlock', 'ledger.sqlite')).filter((r) => r.tool === 'db_execute' && r.event === 'pre').at(-1)!;
    assert.equal(step.decision, 'deny');
    assert.match(step.description ?? '', /Airlock dry run \(rolled back\): 5 row\(s\) affected \(t: 5 row\(s\)\)/);
  });

  it('a read-only connection refuses writes; unknown connections and malformed calls change nothing', async () => {
    const ro = envelopeOf(await s.client.callTool({ name: 'db_execute', arguments: { connection: 'ro', sql: "INSERT INTO t (name) VALUES ('x')" } }));
    assert.equal(ro.ok ? 'ok' : ro.error.code, 'denied');
    const unk = envelopeOf(await s.client.callTool({ name: 'db_execute', arguments: { connection: 'prod', sql: "INSERT INTO t (name) VALUES ('x')" } }));
    assert.equal(unk.ok ? 'ok' : unk.error.code, 'unknown_connection');
    const bad = envelopeOf(await s.client.callTool({ name: 'db_execute', arguments: { connection: 'shop', sql: 'DELETE FROM t', params: [{ nested: true }] } }));
    assert.equal(bad.ok ? 'ok' : bad.error.code, 'invalid_input');
    assert.equal(count(), 5);
  });

});
