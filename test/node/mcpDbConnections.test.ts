/**
 * Database connections configured in Airlock: the registry (validation, open-once check, secret vs
 * non-secret storage), the AIRLOCK_DB_CONNECTIONS encoding, the editor's MCP launch (URL in the
 * server's environment, never its arguments), and the built `airlock mcp` started by the official
 * MCP client with the connections ONLY in AIRLOCK_DB_CONNECTIONS against a real SQLite file: the
 * agent sees names, can query, and its shell does not inherit the variable.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { ConnectionRegistry, DB_CONNECTIONS_ENV, LIST_KEY, SECRET_PREFIX, decodeConnectionsEnv, encodeConnectionsEnv, mergeSpecs, takeConnectionsFromEnv, type ListPort, type SecretPort } from '../../src/node/db/connections';
import { airlockMcpLaunch } from '../../src/node/mcp/definition';
import { tempDir } from '../support/gateway';
import { cleanEnv, connectAirlock, envelopeOf, type McpSession } from '../support/mcp';

const Sqlite = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;
const dir = tempDir('airlock-dbconn-');
const ws = join(dir, 'ws');
mkdirSync(ws, { recursive: true });
const dbPath = join(ws, 'shop.db');
{
  const db = new Sqlite(dbPath);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO t (name) VALUES ('apple'), ('pear');");
  db.close();
}

/** In-memory stand-ins for VS Code's SecretStorage and globalState (plain key-value stores). */
class Secrets implements SecretPort {
  readonly m = new Map<string, string>();
  async get(k: string) {
    return this.m.get(k);
  }
  async store(k: string, v: string) {
    this.m.set(k, v);
  }
  async delete(k: string) {
    this.m.delete(k);
  }
}
class State implements ListPort {
  readonly m = new Map<string, unknown>();
  get<T>(k: string): T | undefined {
    return this.m.get(k) as T | undefined;
  }
  async update(k: string, v: unknown) {
    this.m.set(k, v);
  }
}

describe('ConnectionRegistry (real openConnection)', () => {
  it('adds a connection that opens: URL in the secret store only, name/dialect/readOnly in the list', async () => {
    const secrets = new Secrets();
    const state = new State();
    const reg = new ConnectionRegistry(secrets, state);
    const r = await reg.add('shop', `sqlite://${dbPath}`, true);
    assert.deepEqual(r, { ok: true, info: { name: 'shop', dialect: 'sqlite', readOnly: true } });
    assert.equal(secrets.m.get(`${SECRET_PREFIX}shop`), `sqlite://${dbPath}`);
    assert.deepEqual(state.m.get(LIST_KEY), [{ name: 'shop', dialect: 'sqlite', readOnly: true }]);
    assert.doesNotMatch(JSON.stringify([...state.m.values()]), /sqlite:\/\//);
    assert.deepEqual(await reg.specs(), { specs: [{ name: 'shop', url: `sqlite://${dbPath}`, readOnly: true }], missing: [] });
  });

  it('refuses bad names, bad URLs, duplicates and databases that do not open, storing nothing (and never echoing a password)', async () => {
    const secrets = new Secrets();
    const state = new State();
    const reg = new ConnectionRegistry(secrets, state);
    assert.equal((await reg.add('1bad', `sqlite://${dbPath}`, false)).ok, false);
    assert.equal((await reg.add('has space', `sqlite://${dbPath}`, false)).ok, false);
    const scheme = await reg.add('x', 'mysql://u:p@h/db', false);
    assert.equal(scheme.ok, false);
    const missing = await reg.add('gone', `sqlite://${join(ws, 'nope', 'missing.db')}`, false);
    assert.equal(missing.ok, false);
    if (!missing.ok) assert.match(missing.error, /cannot open it/);
    const pg = await reg.add('pg', 'postgres://alice:s3cretPW@127.0.0.1:1/nodb', false);
    assert.equal(pg.ok, false);
    if (!pg.ok) assert.doesNotMatch(pg.error, /s3cretPW/);
    assert.equal(secrets.m.size, 0);
    assert.equal(state.m.get(LIST_KEY), undefined);
    assert.equal((await reg.add('shop', `sqlite://${dbPath}`, false)).ok, true);
    const dup = await reg.add('shop', `sqlite://${dbPath}`, false);
    assert.equal(dup.ok, false);
    assert.equal(await reg.remove('shop'), true);
    assert.equal(secrets.m.size, 0);
    assert.deepEqual(reg.connections(), []);
    assert.equal(await reg.remove('shop'), false);
  });

  it('a listed connection whose secret is gone is reported, not guessed', async () => {
    const secrets = new Secrets();
    const state = new State();
    const reg = new ConnectionRegistry(secrets, state);
    await reg.add('shop', `sqlite://${dbPath}`, false);
    secrets.m.clear();
    assert.deepEqual(await reg.specs(), { specs: [], missing: ['shop'] });
  });
});

describe('AIRLOCK_DB_CONNECTIONS encoding', () => {
  it('round-trips and is strict', () => {
    const specs = [{ name: 'a', url: 'sqlite:///x.db', readOnly: false }, { name: 'b', url: 'postgres://u:p@h/d', readOnly: true }];
    assert.deepEqual(decodeConnectionsEnv(encodeConnectionsEnv(specs)), specs);
    for (const bad of ['nope', '{}', '[{"name":"a"}]', '[{"name":"a","url":"ftp://x"}]', '[{"name":"a","url":"sqlite:///x","extra":1}]', '[{"name":"a","url":"sqlite:///x"},{"name":"a","url":"sqlite:///y"}]', '[{"name":"a","url":"sqlite:///x","readOnly":"yes"}]']) {
      assert.throws(() => decodeConnectionsEnv(bad), new RegExp(DB_CONNECTIONS_ENV));
    }
    assert.throws(() => decodeConnectionsEnv('[{"name":"a","url":"mysql://u:topsecret@h/d"}]'), (e: Error) => !e.message.includes('topsecret'));
  });
  it('is taken out of the environment when read; names given twice (--db and env) are refused', () => {
    const env: NodeJS.ProcessEnv = { [DB_CONNECTIONS_ENV]: encodeConnectionsEnv([{ name: 'a', url: 'sqlite:///x.db', readOnly: false }]) };
    assert.deepEqual(takeConnectionsFromEnv(env), [{ name: 'a', url: 'sqlite:///x.db', readOnly: false }]);
    assert.equal(DB_CONNECTIONS_ENV in env, false);
    assert.deepEqual(takeConnectionsFromEnv({}), []);
    assert.throws(() => mergeSpecs([{ name: 'a', url: 'sqlite:///y.db', readOnly: false }], [{ name: 'a', url: 'sqlite:///x.db', readOnly: false }]), /given both/);
  });
  it('the editor launch puts the URLs in the server environment, never its arguments, and changes version with them', () => {
    const base = { extensionPath: '/ext', extensionVersion: '0.1.0', execPath: process.execPath, discoveryPath: '/d/bridge.json', home: '/h', workspaceRoots: ['/w'] };
    const without = airlockMcpLaunch(base);
    const withDb = airlockMcpLaunch({ ...base, databases: [{ name: 'shop', url: 'postgres://u:pw@h/d', readOnly: false }] });
    assert.equal(without.env[DB_CONNECTIONS_ENV], undefined);
    assert.deepEqual(decodeConnectionsEnv(withDb.env[DB_CONNECTIONS_ENV]!), [{ name: 'shop', url: 'postgres://u:pw@h/d', readOnly: false }]);
    assert.doesNotMatch(JSON.stringify(withDb.args), /postgres|pw/);
    assert.notEqual(withDb.version, without.version);
    assert.doesNotMatch(withDb.version, /pw/);
  });
});

describe('airlock mcp with AIRLOCK_DB_CONNECTIONS (official MCP client, real SQLite)', () => {
  let s: McpSession;
  before(async () => {
    const env = { ...cleanEnv(join(dir, 'home'), join(dir, 'airlock')), [DB_CONNECTIONS_ENV]: encodeConnectionsEnv([{ name: 'shop', url: `sqlite://${dbPath}`, readOnly: false }, { name: 'ro', url: `sqlite://${dbPath}`, readOnly: true }]) };
    mkdirSync(join(dir, 'home'), { recursive: true });
    s = await connectAirlock(['--workspace', ws, '--ask-timeout-ms', '1000', '--gate', 'local'], env);
  });
  after(async () => {
    await s?.close();
  });

  it('lists the connections by name, answers a SELECT, and the read-only one refuses writes', async () => {
    const c = envelopeOf(await s.client.callTool({ name: 'db_connections', arguments: {} }));
    assert.equal(c.ok, true, JSON.stringify(c));
    if (c.ok) assert.deepEqual(c.data, { connections: [{ name: 'shop', dialect: 'sqlite', readOnly: false }, { name: 'ro', dialect: 'sqlite', readOnly: true }] });
    assert.doesNotMatch(JSON.stringify(c), /sqlite:\/\//);
    const q = envelopeOf(await s.client.callTool({ name: 'db_query', arguments: { connection: 'shop', sql: 'SELECT name FROM t ORDER BY id' } }));
    assert.equal(q.ok, true, JSON.stringify(q));
    if (q.ok) assert.deepEqual((q.data as { rows: unknown[] }).rows, [{ name: 'apple' }, { name: 'pear' }]);
    const w = envelopeOf(await s.client.callTool({ name: 'db_execute', arguments: { connection: 'ro', sql: "INSERT INTO t (name) VALUES ('x')" } }));
    assert.equal(w.ok ? 'ok' : w.error.code, 'denied');
  });

  it("the agent's shell does not inherit AIRLOCK_DB_CONNECTIONS", async () => {
    // `env` alone is a secret read (it prints every token) and asks; print the two variables instead.
    const r = envelopeOf(await s.client.callTool({ name: 'run_shell', arguments: { command: 'echo "AIRLOCK_HOME=${AIRLOCK_HOME:-}"; echo "DB=${AIRLOCK_DB_CONNECTIONS:-}"' } }));
    assert.equal(r.ok, true, JSON.stringify(r));
    if (!r.ok) return;
    const out = (r.data as { stdout: string }).stdout;
    assert.match(out, /AIRLOCK_HOME=\S/, 'the environment is really there');
    assert.match(out, /^DB=$/m);
    assert.doesNotMatch(out, /AIRLOCK_DB_CONNECTIONS|sqlite:\/\//);
  });
});
