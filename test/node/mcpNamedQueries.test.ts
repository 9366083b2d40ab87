/**
 * Scoped database tools through the built `airlock mcp` and the official MCP client, on real SQLite
 * and real PostgreSQL: a named query declared in the policy is its own tool with a strict schema
 * (extra arguments refused, nothing run), returns only its listed columns and at most its row cap;
 * with freeForm: false, db_query and db_execute refuse that connection and name the queries to use.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../support/gateway';
import { cleanEnv, connectAirlock, envelopeOf, type McpSession } from '../support/mcp';
import { findPostgresBin, startPostgres, type RunningPostgres } from '../support/postgres';

const Sqlite = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;

const policy = (conn: string) => ({
  version: 1,
  databases: {
    [conn]: {
      freeForm: false,
      queries: {
        get_customer_by_id: { sql: 'SELECT id, name, email, secret FROM customers WHERE id = $1', params: { id: { type: 'integer', min: 1 } }, columns: ['id', 'name', 'email'], rowCap: 10, description: 'One customer by id.' },
        customers_named: { sql: 'SELECT id, name, email, secret FROM customers WHERE name LIKE $1 ORDER BY id', params: { pattern: { type: 'string', maxLength: 40 } }, columns: ['id', 'name'], rowCap: 2 },
      },
    },
  },
});

function cases(label: string, setup: () => Promise<{ s: McpSession; conn: string; count: () => number }>): void {
  let s: McpSession;
  let conn: string;
  let count: () => number;
  before(async () => ({ s, conn, count } = await setup()));
  after(async () => s?.close());

  it(`${label}: each named query is listed as a tool with a strict schema`, async () => {
    const tools = (await s.client.listTools()).tools;
    const t = tools.find((x) => x.name === `db_${conn}_get_customer_by_id`);
    assert.ok(t, tools.map((x) => x.name).join());
    assert.equal((t.inputSchema as { additionalProperties?: unknown }).additionalProperties, false);
  });

  it(`${label}: a named query rejects extra parameters and mistyped ones; nothing is run`, async () => {
    const extra = envelopeOf(await s.client.callTool({ name: `db_${conn}_get_customer_by_id`, arguments: { id: 1, sql: 'DELETE FROM customers' } }));
    assert.equal(extra.ok, false);
    if (!extra.ok) assert.equal(extra.error.code, 'invalid_input');
    const typed = envelopeOf(await s.client.callTool({ name: `db_${conn}_get_customer_by_id`, arguments: { id: '1 OR 1=1' } }));
    assert.equal(typed.ok, false);
    assert.equal(count(), 5);
  });

  it(`${label}: only the listed columns, at most the row cap`, async () => {
    const one = envelopeOf(await s.client.callTool({ name: `db_${conn}_get_customer_by_id`, arguments: { id: 2 } }));
    assert.equal(one.ok, true, JSON.stringify(one));
    if (one.ok) assert.deepEqual(one.data, { columns: ['id', 'name', 'email'], rows: [{ id: 2, name: 'bob', email: 'bob@x.test' }], truncated: false });
    const many = envelopeOf(await s.client.callTool({ name: `db_${conn}_customers_named`, arguments: { pattern: '%' } }));
    assert.equal(many.ok, true, JSON.stringify(many));
    if (many.ok) assert.deepEqual(many.data, { columns: ['id', 'name'], rows: [{ id: 1, name: 'ann' }, { id: 2, name: 'bob' }], truncated: true });
    assert.doesNotMatch(JSON.stringify([one, many]), /s3cret/);
  });

  it(`${label}: db_connections lists the named queries; named_query runs them with the same schema, columns and cap`, async () => {
    const c = envelopeOf(await s.client.callTool({ name: 'db_connections', arguments: {} }));
    assert.equal(c.ok, true);
    const listed = (c.data as { connections: { name: string; freeForm?: boolean; namedQueries?: { query: string; tool: string; params: Record<string, string>; columns: string[]; rowCap: number }[] }[] }).connections.find((x) => x.name === conn)!;
    assert.equal(listed.freeForm, false);
    assert.deepEqual(listed.namedQueries?.find((q) => q.query === 'get_customer_by_id'), { query: 'get_customer_by_id', tool: `db_${conn}_get_customer_by_id`, description: 'One customer by id.', params: { id: 'integer' }, columns: ['id', 'name', 'email'], rowCap: 10 });
    const one = envelopeOf(await s.client.callTool({ name: 'named_query', arguments: { connection: conn, query: 'get_customer_by_id', args: { id: 2 } } }));
    assert.equal(one.ok, true, JSON.stringify(one));
    if (one.ok) assert.deepEqual(one.data, { columns: ['id', 'name', 'email'], rows: [{ id: 2, name: 'bob', email: 'bob@x.test' }], truncated: false });
    const many = envelopeOf(await s.client.callTool({ name: 'named_query', arguments: { connection: conn, query: 'customers_named', args: { pattern: '%' } } }));
    if (many.ok) assert.equal((many.data as { truncated: boolean }).truncated, true);
    else assert.fail(JSON.stringify(many));
    for (const [args, code, why] of [
      [{ connection: conn, query: 'get_customer_by_id', args: { id: 1, sql: 'DELETE FROM customers' } }, 'invalid_input', /sql/],
      [{ connection: conn, query: 'get_customer_by_id', args: { id: '1 OR 1=1' } }, 'invalid_input', /id/],
      [{ connection: conn, query: 'drop_everything', args: {} }, 'invalid_input', /declares no named query "drop_everything" \(declared: get_customer_by_id, customers_named\)/],
      [{ connection: 'other', query: 'get_customer_by_id', args: { id: 1 } }, 'unknown_connection', /other/],
      [{ connection: conn, query: 'get_customer_by_id', args: { id: 1 }, sql: 'DELETE FROM customers' }, 'invalid_input', /sql/],
    ] as const) {
      const r = envelopeOf(await s.client.callTool({ name: 'named_query', arguments: args }));
      assert.equal(r.ok, false, JSON.stringify(args));
      if (!r.ok) {
        assert.equal(r.error.code, code, JSON.stringify(r));
        assert.match(r.error.message, why);
      }
    }
    assert.equal(count(), 5);
  });

  it(`${label}: free-form SQL is refused on the connection when switched off`, async () => {
    const q = envelopeOf(await s.client.callTool({ name: 'db_query', arguments: { connection: conn, sql: 'SELECT secret FROM customers' } }));
    assert.equal(q.ok, false);
    if (!q.ok) {
      assert.equal(q.error.code, 'denied');
      assert.match(q.error.message, new RegExp(`free-form SQL is switched off on connection ${conn} .*db_${conn}_get_customer_by_id`));
    }
    const x = envelopeOf(await s.client.callTool({ name: 'db_execute', arguments: { connection: conn, sql: 'DELETE FROM customers WHERE id = 1' } }));
    assert.equal(x.ok, false);
    if (!x.ok) assert.match(x.error.message, /free-form SQL is switched off/);
    assert.equal(count(), 5);
  });
}

const ROWS = "INSERT INTO customers (id, name, email, secret) VALUES (1,'ann','ann@x.test','s3cret'),(2,'bob','bob@x.test','s3cret'),(3,'cy','cy@x.test','s3cret'),(4,'di','di@x.test','s3cret'),(5,'ed','ed@x.test','s3cret');";

describe('scoped database tools on real SQLite', () => {
  cases('sqlite', async () => {
    const dir = tempDir('airlock-named-sqlite-');
    const ws = join(dir, 'ws');
    const airlockHome = join(dir, 'airlock');
    mkdirSync(ws, { recursive: true });
    mkdirSync(airlockHome, { recursive: true });
    const dbPath = join(dir, 'shop.sqlite');
    const db = new Sqlite(dbPath);
    db.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, secret TEXT); ${ROWS}`);
    db.close();
    writeFileSync(join(airlockHome, 'policy.json'), JSON.stringify(policy('shop')));
    const s = await connectAirlock(['--workspace', ws, '--ask-timeout-ms', '1200', '--db', `shop=sqlite://${dbPath}`], cleanEnv(join(dir, 'home'), airlockHome));
    const count = (): number => {
      const d = new Sqlite(dbPath, { readonly: true });
      const n = Number((d.prepare('SELECT count(*) AS n FROM customers').get() as { n: number }).n);
      d.close();
      return n;
    };
    return { s, conn: 'shop', count };
  });
});

const skip = findPostgresBin() ? false : 'PostgreSQL server binaries not installed (apt-get install -y postgresql)';
describe('scoped database tools on real PostgreSQL', { skip }, () => {
  let pg: RunningPostgres;
  after(async () => pg?.stop());
  cases('postgres', async () => {
    const dir = tempDir('airlock-named-pg-');
    const ws = join(dir, 'ws');
    const airlockHome = join(dir, 'airlock');
    mkdirSync(ws, { recursive: true });
    mkdirSync(airlockHome, { recursive: true });
    pg = await startPostgres();
    const url = pg.createDatabase('shop');
    pg.psql(`CREATE TABLE customers (id integer PRIMARY KEY, name text, email text, secret text); ${ROWS}`, 'shop');
    writeFileSync(join(airlockHome, 'policy.json'), JSON.stringify(policy('shop')));
    const s = await connectAirlock(['--workspace', ws, '--ask-timeout-ms', '1200', '--db', `shop=${url}`], cleanEnv(join(dir, 'home'), airlockHome));
    return { s, conn: 'shop', count: () => Number(pg.psql('SELECT count(*) FROM customers', 'shop').trim()) };
  });
});
