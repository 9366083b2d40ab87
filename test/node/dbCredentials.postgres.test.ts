/**
 * Credentials kept by Airlock (CLI side), with a real PostgreSQL server: `airlock db add` stores the
 * URL in an owner-only file, `airlock db list` shows names only, `airlock mcp --db NAME` opens it by
 * name; the password never reaches a tool result, an error or the ledger.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, tempDir } from '../support/gateway';
import { cleanEnv, connectAirlock, envelopeOf, type McpSession } from '../support/mcp';
import { findPostgresBin, startPostgres, type RunningPostgres } from '../support/postgres';

const skip = findPostgresBin() ? false : 'PostgreSQL server binaries not installed (apt-get install -y postgresql)';

describe('airlock db add/list/remove and mcp --db NAME on a real PostgreSQL server', { skip }, () => {
  const dir = tempDir('airlock-dbcred-');
  const ws = join(dir, 'ws');
  const airlockHome = join(dir, 'airlock');
  mkdirSync(ws, { recursive: true });
  const env = cleanEnv(join(dir, 'home'), airlockHome);
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
  let pg: RunningPostgres;
  let s: McpSession;

  before(async () => {
    pg = await startPostgres();
    const url = pg.createDatabase('shop');
    pg.psql("CREATE TABLE t (id serial PRIMARY KEY, name text); INSERT INTO t (name) VALUES ('a'), ('b');", 'shop');
    const add = cli('db', 'add', 'shop', url);
    assert.equal(add.status, 0, add.stderr);
    assert.equal(add.stdout.includes(pg.password), false);
    s = await connectAirlock(['--workspace', ws, '--ask-timeout-ms', '1200', '--db', 'shop'], env);
  });
  after(async () => {
    await s?.close();
    await pg?.stop();
  });

  it('the file is owner-only and list shows names, never the URL', () => {
    assert.equal(statSync(join(airlockHome, 'db-connections.json')).mode & 0o777, 0o600);
    const l = cli('db', 'list');
    assert.equal(l.status, 0);
    assert.match(l.stdout, /^shop\tpostgres$/m);
    assert.equal(l.stdout.includes(pg.password), false);
    assert.equal(l.stdout.includes('127.0.0.1'), false);
  });

  it('mcp --db NAME opens the saved connection; results, errors and the ledger never hold the password', async () => {
    const q = envelopeOf(await s.client.callTool({ name: 'db_query', arguments: { connection: 'shop', sql: 'SELECT name FROM t ORDER BY id' } }));
    assert.equal(q.ok, true, JSON.stringify(q));
    const err = envelopeOf(await s.client.callTool({ name: 'db_query', arguments: { connection: 'shop', sql: 'SELECT nope FROM missing_table' } }));
    assert.equal(err.ok, false);
    const c = envelopeOf(await s.client.callTool({ name: 'db_connections', arguments: {} }));
    for (const e of [q, err, c]) assert.equal(JSON.stringify(e).includes(pg.password), false);
    // The ledger and its write-ahead log, and everything else in Airlock's home but the credential file.
    const files = readdirSync(airlockHome).filter((f) => f !== 'db-connections.json' && statSync(join(airlockHome, f)).isFile());
    assert.ok(files.some((f) => f.startsWith('ledger.sqlite')), files.join());
    for (const f of files) assert.equal(readFileSync(join(airlockHome, f)).includes(Buffer.from(pg.password)), false, f);
    assert.equal(s.stderr().includes(pg.password), false);
  });

  it('remove forgets it; an unknown name is a clear error at start', () => {
    assert.equal(cli('db', 'remove', 'shop').status, 0);
    assert.doesNotMatch(cli('db', 'list').stdout, /shop/);
    const r = cli('mcp', '--db', 'shop');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /no saved database connection named "shop"/);
  });
});
