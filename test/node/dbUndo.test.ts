/**
 * Undo from before-images: an approved DELETE through Airlock's MCP tools (in-process server, real
 * Gate, real ledger and effect store, the official MCP client, a deliberate test approver), then
 * undoStep -> the rows are back and the undo is its own ledger step; a second undo restores nothing
 * twice; an undo of a row changed since is refused and changes nothing; `airlock undo` (the built
 * CLI) finds the step by its idempotency key and is gated by an in-process gate.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { undoStep } from '../../src/node/db/undo';
import { EffectStore } from '../../src/node/ledger/idempotency';
import { openDatabases } from '../../src/node/mcp/databases';
import { createAirlockMcpServer } from '../../src/node/mcp/server';
import { openAirlockMcp, type AirlockMcp } from '../../src/node/mcp/start';
import { CLI, tempDir } from '../support/gateway';
import { AllowingTestApprover, envelopeOf, ledgerSteps } from '../support/mcp';

const Sqlite = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;


const dir = tempDir('airlock-undo-');
const home = join(dir, 'airlock');
const ws = join(dir, 'ws');
mkdirSync(ws, { recursive: true });
const dbPath = join(ws, 'app.db');
{
  const db = new Sqlite(dbPath);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER); INSERT INTO t (name, qty) VALUES ('a', 1), ('b', 2), ('c', 3);");
  db.close();
}
const rows = (): { id: number; name: string; qty: number }[] => {
  const db = new Sqlite(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT id, name, qty FROM t ORDER BY id').all() as { id: number; name: string; qty: number }[];
  } finally {
    db.close();
  }
};

let mcp: AirlockMcp;
let client: Client;
let databases: Awaited<ReturnType<typeof openDatabases>>;
const approver = new AllowingTestApprover();
const ledger = join(home, 'ledger.sqlite');

before(async () => {
  mcp = await openAirlockMcp({ home, discoveryPath: join(home, 'bridge.json'), workspaceRoots: [ws], mode: 'interactive', gate: 'local', approver, askTimeoutMs: 5000, sessionId: 'undo-test', databases: (databases = await openDatabases([{ name: 'app', url: `sqlite://${dbPath}`, readOnly: false }])), log: () => undefined });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await createAirlockMcpServer(mcp.runner).connect(a);
  client = new Client({ name: 'airlock-test', version: '1.0.0' });
  await client.connect(b);
});
after(async () => {
  await client?.close();
  await mcp?.close();
});

const undoOpts = () => ({ store: mcp.store, gate: mcp.gate.gate, connection: (n: string) => databases.get(n), sessionId: 'undo-test-person', askTimeoutMs: 5000, requestedBy: 'the undo test' });

describe('undo of an approved DELETE from its before-images', () => {
  let stepId = '';
  it('the approved DELETE runs and its before-image is linked to its ledger step and key', async () => {
    const e = envelopeOf(await client.callTool({ name: 'db_execute', arguments: { connection: 'app', sql: 'DELETE FROM t WHERE qty >= ?', params: [2], idempotencyKey: 'del-bc-000001' } }));
    assert.equal(e.ok, true, JSON.stringify(e));
    assert.deepEqual(rows().map((r) => r.name), ['a']);
    stepId = e.traceId;
    const imgs = mcp.store.beforeImagesFor(stepId);
    assert.equal(imgs.length, 1);
    assert.equal(imgs[0]!.stepId, stepId);
    assert.equal(imgs[0]!.effectKey, 'key:db_execute:del-bc-000001');
    assert.deepEqual(mcp.store.beforeImagesFor('del-bc-000001').map((i) => i.id), imgs.map((i) => i.id), 'found by the idempotency key too');
    const pre = ledgerSteps(ledger).filter((r) => r.tool === 'db_execute' && r.event === 'pre');
    assert.equal(pre.length, 1);
    assert.deepEqual(mcp.store.recentUndoable().map((r) => [r.target, r.tables, r.rows, r.undoneAt]), [[stepId, ['t'], 2, null]]);
  });

  it('undoStep puts the rows back and records the undo as its own ledger step', async () => {
    const r = await undoStep(stepId, undoOpts());
    assert.equal(r.ok, true, JSON.stringify(r));
    if (!r.ok) return;
    assert.equal(r.rowsRestored, 2);
    assert.equal(r.replayed, false);
    assert.deepEqual(rows(), [{ id: 1, name: 'a', qty: 1 }, { id: 2, name: 'b', qty: 2 }, { id: 3, name: 'c', qty: 3 }]);
    const undo = ledgerSteps(ledger).filter((s) => s.tool === 'db_undo');
    assert.deepEqual(undo.map((s) => [s.event, s.decision]), [['pre', 'allow'], ['post', 'outcome']]);
    assert.match(undo[0]!.action_json ?? '', /INSERT INTO \\"t\\"/);
    assert.match(undo[0]!.description ?? '', /insert again 2 deleted row\(s\) into t/);
    assert.ok(mcp.store.recentUndoable()[0]!.undoneAt, 'marked undone');
  });

  it('a second undo (by step id or by key) restores nothing twice', async () => {
    const steps = ledgerSteps(ledger).length;
    for (const target of [stepId, 'del-bc-000001']) {
      const r = await undoStep(target, undoOpts());
      assert.equal(r.ok, true, JSON.stringify(r));
      if (r.ok) assert.equal(r.replayed, true);
    }
    assert.equal(rows().length, 3, 'no double insert');
    assert.equal(ledgerSteps(ledger).length, steps, 'nothing more was gated or recorded');
  });

  it('an undo of an UPDATE whose row changed since is refused and changes nothing; unknown targets are not_found', async () => {
    const e = envelopeOf(await client.callTool({ name: 'db_execute', arguments: { connection: 'app', sql: 'UPDATE t SET qty = qty * 10', idempotencyKey: 'upd-all-0001' } }));
    assert.equal(e.ok, true, JSON.stringify(e));
    const db = new Sqlite(dbPath);
    db.exec("UPDATE t SET qty = 999 WHERE name = 'b'");
    db.close();
    const r = await undoStep('upd-all-0001', undoOpts());
    assert.equal(r.ok ? 'ok' : r.code, 'conflict', JSON.stringify(r));
    assert.deepEqual(rows().map((x) => x.qty), [10, 999, 30], 'nothing restored');
    // Put the row as the update left it: now the undo goes through (the refusal did not burn the undo).
    const db2 = new Sqlite(dbPath);
    db2.exec("UPDATE t SET qty = 20 WHERE name = 'b'");
    db2.close();
    const ok = await undoStep('upd-all-0001', undoOpts());
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.deepEqual(rows().map((x) => x.qty), [1, 2, 3]);
    const none = await undoStep('no-such-step', undoOpts());
    assert.equal(none.ok ? 'ok' : none.code, 'not_found');
  });
});

describe('airlock undo (the built CLI)', () => {
  it('lists undoable steps, undoes by idempotency key through an in-process gate, and twice restores once', async () => {
    // The CLI uses the same home and effect store as the server above: a new approved delete first.
    const e = envelopeOf(await client.callTool({ name: 'db_execute', arguments: { connection: 'app', sql: "DELETE FROM t WHERE name = 'c'", idempotencyKey: 'del-c-000001' } }));
    assert.equal(e.ok, true, JSON.stringify(e));
    assert.equal(rows().length, 2);
    const env = { ...process.env, AIRLOCK_HOME: home, HOME: dir, AIRLOCK_DB_CONNECTIONS: JSON.stringify([{ name: 'app', url: `sqlite://${dbPath}`, readOnly: false }]) };
    const list = spawnSync(process.execPath, [CLI, 'undo', '--list'], { env, encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    const undoable = (JSON.parse(list.stdout) as { undoable: { target: string; tables: string[]; rows: number }[] }).undoable;
    assert.deepEqual(undoable[0], { ...undoable[0], target: e.traceId, tables: ['t'], rows: 1 });
    // Without the connection: refused, nothing restored.
    const noConn = spawnSync(process.execPath, [CLI, 'undo', 'del-c-000001', '--ask-timeout-ms', '500'], { env: { ...env, AIRLOCK_DB_CONNECTIONS: '' }, encoding: 'utf8' });
    assert.equal(noConn.status, 1);
    assert.equal((JSON.parse(noConn.stdout) as { code: string }).code, 'unknown_connection');
    const r1 = spawnSync(process.execPath, [CLI, 'undo', 'del-c-000001'], { env, encoding: 'utf8' });
    assert.equal(r1.status, 0, r1.stdout + r1.stderr);
    assert.deepEqual(JSON.parse(r1.stdout), { ok: true, target: 'del-c-000001', connection: 'app', tables: ['t'], rowsRestored: 1, undoStepId: (JSON.parse(r1.stdout) as { undoStepId: string }).undoStepId, replayed: false });
    assert.deepEqual(rows().map((r) => r.name), ['a', 'b', 'c']);
    const r2 = spawnSync(process.execPath, [CLI, 'undo', e.traceId], { env, encoding: 'utf8' });
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal((JSON.parse(r2.stdout) as { replayed: boolean }).replayed, true);
    assert.equal(rows().length, 3);
    const st = EffectStore.open(join(home, 'effects.sqlite'));
    try {
      assert.ok(st.beforeImagesFor('del-c-000001')[0]!.undoneAt);
    } finally {
      st.close();
    }
  });
});
