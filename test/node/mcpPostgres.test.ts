/**
 * Database tools of the built `airlock mcp --db NAME=postgres://…` against a real PostgreSQL server
 * (Debian's package, a throw-away cluster), with the official MCP client over stdio and no approver
 * (headless): SELECT returns rows; DELETE without WHERE comes back asked-then-denied with the
 * dry-run row count and the table intact; a read-only connection is refused by the database itself.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../support/gateway';
import { cleanEnv, connectAirlock, envelopeOf, ledgerSteps, type McpSession } from '../support/mcp';
import { NO_POSTGRES, findPostgresBin, startPostgres, type RunningPostgres } from '../support/postgres';

const skip = findPostgresBin() ? false : NO_POSTGRES;

describe('airlock mcp database tools on a real PostgreSQL server', { skip }, () => {
  const dir = tempDir('airlock-mcp-pg-');
  const ws = join(dir, 'ws');
  const home = join(dir, 'home');
  mkdirSync(ws, { recursive: true });
  mkdirSync(home, { recursive: true });
  let pg: RunningPostgres;
  let url: string;
  let s: McpSession;
  const count = (): number => Number(pg.psql('SELECT count(*) FROM t', 'shop').trim());

  before(async () => {
    pg = await startPostgres();
    url = pg.createDatabase('shop');
    pg.psql("CREATE TABLE t (id serial PRIMARY KEY, name text NOT NULL); INSERT INTO t (name) VALUES ('apple'), ('pear'), ('plum'), ('fig'), ('kiwi'), ('lime');", 'shop');
    s = await connectAirlock(['--workspace', ws, '--ask-timeout-ms', '1200', '--db', `shop=${url}`, '--db', `ro=${pg.readOnlyUrl('shop')}`, '--db-read-only', 'ro'], cleanEnv(home, join(dir, 'airlock')));
  });
  after(async () => {
    await s?.close();
    await pg?.stop();
  });

  it('answers a SELECT with rows, and never shows the connection string', async () => {
    const c = envelopeOf(await s.client.callTool({ name: 'db_connections', arguments: {} }));
    assert.equal(c.ok, true);
    assert.doesNotMatch(JSON.stringify(c), /postgres:\/\/|postgresql:\/\//);
    const q = envelopeOf(await s.client.callTool({ name: 'db_query', arguments: { connection: 'shop', sql: 'SELECT name FROM t WHERE id > $1 ORDER BY id', params: [4] } }));
    assert.equal(q.ok, true, JSON.stringify(q));
    if (q.ok) assert.deepEqual((q.data as { rows: unknown[] }).rows, [{ name: 'kiwi' }, { name: 'lime' }]);
  });

  it('DELETE FROM t without WHERE: asked, denied headless with the dry-run row count; the table is intact', async () => {
    const e = envelopeOf(await s.client.callTool({ name: 'db_execute', arguments: { connection: 'shop', sql: 'DELETE FROM t' } }));
    assert.equal(e.ok, false, JSON.stringify(e));
    if (e.ok) return;
    assert.equal(e.error.code, 'denied');
    assert.match(e.error.message, /needs a person's approval for this.*queued as approval #\d+/s);
    assert.match(e.error.message, /6 row\(s\) affected/);
    const dry = e.error.details?.dryRun as { possible: boolean; rowsAffected: number };
    assert.equal(dry.possible, true);
    assert.equal(dry.rowsAffected, 6);
    assert.equal(count(), 6, 'the dry run was rolled back and nothing ran');
    const step = ledgerSteps(join(dir, 'airlock', 'ledger.sqlite')).filter((r) => r.tool === 'db_execute' && r.event === 'pre').at(-1)!;
    assert.equal(step.decision, 'deny');
    assert.doesNotMatch(JSON.stringify(step), new RegExp(pg.password));
  });

  it('a read-only connection refuses a write; a malformed call changes nothing', async () => {
    const ro = envelopeOf(await s.client.callTool({ name: 'db_execute', arguments: { connection: 'ro', sql: "INSERT INTO t (name) VALUES ('x')" } }));
    assert.equal(ro.ok, false);
    const bad = envelopeOf(await s.client.callTool({ name: 'db_execute', arguments: { connection: 'shop', sql: 'DELETE FROM t', bogus: 1 } }));
    assert.equal(bad.ok ? 'ok' : bad.error.code, 'invalid_input');
    assert.equal(count(), 6);
  });
});
