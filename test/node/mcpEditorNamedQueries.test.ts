// Named queries in Copilot's language model tools (node/mcp/lmTools.ts, no editor needed): the
// language model tools API only registers tools declared in package.json, so the named queries of the
// window's policy are reached through one declared tool, airlock_named_query, with the same strict
// per-query schema, the same columns and row cap, the same gate, and free-form SQL switched off alike.
// Real GateHost (bridge, ledger), real ToolRunner, real SQLite.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { EditorTools } from '../../src/node/mcp/lmTools';
import { GateHost } from '../../src/node/gate/gateHost';
import { tempDir } from '../support/gateway';
import { ledgerSteps } from '../support/mcp';

const Sqlite = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;

describe('named queries through the language model tools', () => {
  const root = tempDir('airlock-lm-named-');
  const home = join(root, 'home');
  const ws = join(root, 'ws');
  const dbPath = join(root, 'shop.sqlite');
  let host: GateHost;
  let tools: EditorTools;
  const count = (): number => {
    const d = new Sqlite(dbPath, { readonly: true });
    const n = Number((d.prepare('SELECT count(*) AS n FROM customers').get() as { n: number }).n);
    d.close();
    return n;
  };

  before(async () => {
    process.env.HOME = tempDir('airlock-lm-named-home-');
    mkdirSync(home, { recursive: true });
    mkdirSync(ws, { recursive: true });
    const db = new Sqlite(dbPath);
    db.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, secret TEXT); INSERT INTO customers VALUES (1,'ann','s3cret'),(2,'bob','s3cret'),(3,'cy','s3cret');");
    db.close();
    writeFileSync(join(home, 'policy.json'), JSON.stringify({
      version: 1,
      databases: { shop: { freeForm: false, queries: { by_id: { sql: 'SELECT id, name, secret FROM customers WHERE id = $1', params: { id: { type: 'integer', min: 1 } }, columns: ['id', 'name'], rowCap: 5 }, all_names: { sql: 'SELECT id, name FROM customers ORDER BY id', columns: ['name'], rowCap: 2 } } } },
    }));
    host = new GateHost({ home, workspaceRoots: [ws], log: () => undefined, watchIntervalMs: 100 });
    await host.start();
    tools = new EditorTools({ home, workspaceRoots: [ws], gate: () => host.currentGate(), log: () => undefined, askTimeoutMs: 1500 });
    const r = await tools.setDatabases([{ name: 'shop', url: `sqlite://${dbPath}`, readOnly: false }]);
    assert.deepEqual(r, { opened: ['shop'], failed: [] });
  });
  after(async () => {
    tools?.close();
    await host?.dispose();
  });

  it('airlock_named_query is a declared tool with a strict schema', () => {
    const c = EditorTools.contributions().find((x) => x.name === 'airlock_named_query');
    assert.ok(c);
    assert.equal(c.inputSchema.additionalProperties, false);
    assert.deepEqual((c.inputSchema as { required?: string[] }).required, ['connection', 'query']);
  });

  it('the preview judges it as a read on its connection; invoke returns only the listed columns, at most the cap', async () => {
    const v = await tools.prepare('airlock_named_query', { connection: 'shop', query: 'by_id', args: { id: 2 } });
    assert.equal(v.preview.kind === 'judged' && v.preview.decision, 'allow', JSON.stringify(v.preview));
    assert.equal(v.confirmation, undefined);
    const one = await tools.invoke('airlock_named_query', { connection: 'shop', query: 'by_id', args: { id: 2 } });
    assert.equal(one.ok, true, JSON.stringify(one));
    if (one.ok) assert.deepEqual(one.data, { columns: ['id', 'name'], rows: [{ id: 2, name: 'bob' }], truncated: false });
    const all = await tools.invoke('airlock_named_query', { connection: 'shop', query: 'all_names' });
    if (all.ok) assert.deepEqual(all.data, { columns: ['name'], rows: [{ name: 'ann' }, { name: 'bob' }], truncated: true });
    else assert.fail(JSON.stringify(all));
    assert.doesNotMatch(JSON.stringify([one, all]), /s3cret/);
    const steps = ledgerSteps(join(home, 'ledger.sqlite')).filter((s) => s.tool === 'db_query' && s.event === 'pre');
    assert.ok(steps.length >= 2 && steps.every((s) => s.agent === 'copilot'), JSON.stringify(steps.map((s) => [s.tool, s.agent])));
  });

  it('extra or mistyped arguments and unknown queries are refused before anything runs; the preview says it will fail', async () => {
    for (const input of [
      { connection: 'shop', query: 'by_id', args: { id: 1, sql: 'DELETE FROM customers' } },
      { connection: 'shop', query: 'by_id', args: { id: '1 OR 1=1' } },
      { connection: 'shop', query: 'nope', args: {} },
      { connection: 'shop', query: 'by_id', args: { id: 1 }, extra: true },
    ]) {
      const r = await tools.invoke('airlock_named_query', input);
      assert.equal(r.ok, false, JSON.stringify(input));
      if (!r.ok) assert.equal(r.error.code, 'invalid_input', JSON.stringify(r));
      const p = await tools.prepare('airlock_named_query', input);
      assert.equal(p.preview.kind, 'fails', JSON.stringify(input));
    }
    assert.equal(count(), 3);
  });

  it('free-form SQL is refused on the connection through the language model tools too', async () => {
    const q = await tools.invoke('airlock_db_query', { connection: 'shop', sql: 'SELECT secret FROM customers' });
    assert.equal(q.ok, false);
    if (!q.ok) assert.match(q.error.message, /free-form SQL is switched off on connection shop .*db_shop_by_id/);
    const x = await tools.invoke('airlock_db_execute', { connection: 'shop', sql: 'DELETE FROM customers' });
    assert.equal(x.ok, false);
    assert.equal(count(), 3);
  });
});
