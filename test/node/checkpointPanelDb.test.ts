/**
 * The run log's Undo on a database step: an approved DELETE through Airlock's MCP tools (real gate,
 * ledger, effect store, SQLite) is marked undoable in the panel's rows, its plan lists the rows
 * (no file diff), and the panel's undo puts them back through the gate, recorded as a `db_undo`
 * step; afterwards the row is no longer undoable. Restoring a run to before a database step is
 * refused with the reason.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CheckpointStore } from '../../src/node/checkpoints/store';
import { PanelCheckpoints } from '../../src/node/checkpoints/panelUndo';
import { withDbUndo, type PanelDbUndo } from '../../src/node/checkpoints/dbUndoRows';
import { undoStep } from '../../src/node/db/undo';
import { LedgerQueries } from '../../src/node/ledger/queries';
import { openDatabases } from '../../src/node/mcp/databases';
import { createAirlockMcpServer } from '../../src/node/mcp/server';
import { openAirlockMcp, type AirlockMcp } from '../../src/node/mcp/start';
import { tempDir } from '../support/gateway';
import { AllowingTestApprover, envelopeOf } from '../support/mcp';

const Sqlite = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;

const dir = tempDir('airlock-paneldb-');
const home = join(dir, 'airlock');
const ws = join(dir, 'ws');
mkdirSync(ws, { recursive: true });
const dbPath = join(ws, 'app.db');
{
  const db = new Sqlite(dbPath);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO t (name) VALUES ('a'), ('b'), ('c');");
  db.close();
}
const names = (): string[] => {
  const db = new Sqlite(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT name FROM t ORDER BY id').all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    db.close();
  }
};

let mcp: AirlockMcp;
let client: Client;
let databases: Awaited<ReturnType<typeof openDatabases>>;
const ledger = join(home, 'ledger.sqlite');

before(async () => {
  mcp = await openAirlockMcp({ home, discoveryPath: join(home, 'bridge.json'), workspaceRoots: [ws], mode: 'interactive', gate: 'local', approver: new AllowingTestApprover(), askTimeoutMs: 5000, sessionId: 'panel-db', databases: (databases = await openDatabases([{ name: 'app', url: `sqlite://${dbPath}`, readOnly: false }])), log: () => undefined });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await createAirlockMcpServer(mcp.runner).connect(a);
  client = new Client({ name: 'airlock-test', version: '1.0.0' });
  await client.connect(b);
});
after(async () => {
  await client?.close();
  await mcp?.close();
});

describe('Undo of a database step from the run log', () => {
  it('marked, planned as rows, undone through the gate and recorded; then no longer undoable', async () => {
    const e = envelopeOf(await client.callTool({ name: 'db_execute', arguments: { connection: 'app', sql: "DELETE FROM t WHERE name <> 'a'" } }));
    assert.equal(e.ok, true, JSON.stringify(e));
    assert.deepEqual(names(), ['a']);
    const stepId = e.traceId;
    const db: PanelDbUndo = {
      images: (id) => mcp.store.beforeImagesFor(id),
      undo: async (id, requestedBy) => {
        const r = await undoStep(id, { store: mcp.store, gate: mcp.gate.gate, connection: (n) => databases.get(n), sessionId: 'panel-db-person', askTimeoutMs: 5000, requestedBy });
        return r.ok ? { ok: true, rowsRestored: r.rowsRestored, tables: r.tables } : { ok: false, message: r.message };
      },
    };
    const q = LedgerQueries.open(ledger);
    try {
      const l = new Sqlite(ledger, { readonly: true });
      const runId = (l.prepare('SELECT run_id FROM steps WHERE id = ?').get(stepId) as { run_id: string }).run_id;
      l.close();
      const marked = withDbUndo(q, () => db);
      const row = () => marked.pageSteps(runId, {}, 0, 50).rows.find((r) => r.id === stepId)!;
      assert.equal(row().dbUndo, true, 'the panel shows Undo on the DELETE');
      assert.equal(row().checkpoint, null);
      assert.equal(marked.stepDetail(stepId)!.row.dbUndo, true);
      assert.equal(q.pageSteps(runId, {}, 0, 50).rows.find((r) => r.id === stepId)!.dbUndo, false, 'the ledger alone does not know about before-images');

      const port = new PanelCheckpoints(new CheckpointStore(home), () => q, () => mcp.gate.gate, 'panel-db-person', () => db);
      const [plan, ...more] = await port.plan(runId, stepId, 'step');
      assert.equal(more.length, 0);
      assert.equal(plan!.kind, 'db');
      assert.deepEqual(plan!.changes.map((c) => [c.kind, c.action, c.rel]), [['rows', 'recreate', 'app · t: insert again 2 deleted row(s)']]);
      await assert.rejects(port.plan(runId, stepId, 'run'), /changed database rows: undo it on its own/);

      const r = await port.undo(runId, stepId, 'step', { force: false, requestedBy: 'a person (run log panel)' });
      assert.equal(r.ok, true, r.message);
      assert.match(r.message, /2 row\(s\) put back in t/);
      assert.deepEqual(names(), ['a', 'b', 'c']);
      const undoRow = new Sqlite(ledger, { readonly: true }).prepare("SELECT decision, description FROM steps WHERE tool = 'db_undo' AND event = 'pre'").get() as { decision: string; description: string };
      assert.equal(undoRow.decision, 'allow');
      assert.match(undoRow.description, /Requested by a person \(run log panel\)/);
      assert.equal(row().dbUndo, false, 'undone: no second Undo');
      await assert.rejects(port.plan(runId, stepId, 'step'), /has no checkpoint/);
    } finally {
      q.close();
    }
  });
});
