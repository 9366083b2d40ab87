/**
 * Least privilege for databases, against a real PostgreSQL server (a throw-away cluster):
 * - a connection declared read-only is verified at connect time (a login that can write, or a
 *   superuser, is refused with the reason);
 * - a login that can only read cannot write even when the statement would be judged allowed (the
 *   database refuses it, not only Airlock);
 * - the kill switch revokes: during a long-running query through Airlock's MCP tool (built
 *   `airlock mcp`, official MCP client), latching the flag terminates the session and the next
 *   tool call is refused. The time from pull to inert is printed (BENCHMARKS.md keeps the figure).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import pgClient from 'pg';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DbError, openConnection } from '../../src/node/db/index';
import { latchKill } from '../../src/node/bridge/discovery';
import { tempDir } from '../support/gateway';
import { cleanEnv, connectAirlock, envelopeOf, type McpSession } from '../support/mcp';
import { findPostgresBin, startPostgres, type RunningPostgres } from '../support/postgres';

const skip = findPostgresBin() ? false : 'PostgreSQL server binaries not installed (apt-get install -y postgresql)';

describe('least privilege on a real PostgreSQL server', { skip }, () => {
  const dir = tempDir('airlock-lp-pg-');
  let pg: RunningPostgres;
  let url: string;

  before(async () => {
    pg = await startPostgres();
    url = pg.createDatabase('shop');
    pg.psql("CREATE TABLE t (id serial PRIMARY KEY, name text NOT NULL); INSERT INTO t (name) VALUES ('apple'), ('pear'), ('plum');", 'shop');
  });
  after(async () => {
    await pg?.stop();
  });

  it('a connection declared read-only whose login can write is refused at connect, with the reason', async () => {
    await assert.rejects(openConnection({ name: 'ro', url, readOnly: true }), (e: unknown) => {
      assert.ok(e instanceof DbError);
      assert.equal(e.code, 'read_only');
      assert.match(e.message, /connection ro is declared read-only, but its login \S+ is a superuser/);
      assert.doesNotMatch(e.message, new RegExp(pg.password));
      return true;
    });
    pg.psql(`CREATE ROLE writer LOGIN PASSWORD '${pg.password}'; GRANT CONNECT ON DATABASE shop TO writer;`);
    pg.psql('GRANT USAGE ON SCHEMA public TO writer; GRANT SELECT, UPDATE ON t TO writer;', 'shop');
    const writerUrl = url.replace(/\/\/[^:]+:/, '//writer:');
    await assert.rejects(openConnection({ name: 'ro', url: writerUrl, readOnly: true }), /its login writer can write public\.t/);
    // The same database through a login that can only read is accepted.
    const ok = await openConnection({ name: 'ro', url: pg.readOnlyUrl('shop'), readOnly: true });
    assert.equal(Number((await ok.query('SELECT count(*) AS n FROM t')).rows[0]!.n), 3);
    await ok.close();
  });

  it('a login that can only read cannot write even when the statement would be allowed', async () => {
    // Declared read-write (so Airlock itself does not refuse): the database refuses the UPDATE.
    const db = await openConnection({ name: 'shop', url: pg.readOnlyUrl('shop'), readOnly: false });
    try {
      await assert.rejects(db.execute("UPDATE t SET name = 'x' WHERE id = 1"), (e: unknown) => e instanceof DbError && e.dbCode === '42501');
      assert.equal(pg.psql('SELECT name FROM t WHERE id = 1', 'shop').trim(), 'apple');
    } finally {
      await db.close();
    }
  });

  describe('the kill switch revokes database sessions', () => {
    const ws = join(dir, 'ws');
    const home = join(dir, 'home');
    const airlockHome = join(dir, 'airlock');
    let s: McpSession;
    before(async () => {
      mkdirSync(ws, { recursive: true });
      mkdirSync(home, { recursive: true });
      s = await connectAirlock(['--workspace', ws, '--gate', 'local', '--ask-timeout-ms', '1200', '--db', `shop=${url}`], cleanEnv(home, airlockHome));
    });
    after(async () => {
      await s?.close();
    });

    const sessions = (): number => Number(pg.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'airlock:shop'").trim());

    it('during a long query: the session is gone quickly after the pull, and the next call is refused', async () => {
      // A long read that costs no CPU: it waits for a lock an admin session holds.
      const admin = new pgClient.Client({ connectionString: url });
      await admin.connect();
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
      after(async () => {
        await admin.query('ROLLBACK').catch(() => undefined);
        await admin.end().catch(() => undefined);
      });
      const running = s.client.callTool({ name: 'db_query', arguments: { connection: 'shop', sql: 'SELECT count(*) FROM t' } }, undefined, { timeout: 60_000 });
      const until = Date.now() + 20_000;
      let settled: unknown;
      void running.then((r) => (settled = r), (e: unknown) => (settled = e));
      while (Number(pg.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'airlock:shop' AND state = 'active'").trim()) === 0) {
        assert.ok(Date.now() < until && settled === undefined, `the long query never started: ${JSON.stringify(settled)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const live = async (): Promise<number> => Number((await admin2.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'airlock:shop'")).rows[0].n);
      const admin2 = new pgClient.Client({ connectionString: url });
      await admin2.connect();
      const t0 = Date.now();
      latchKill('test: pulled during a long query', airlockHome);
      while ((await live()) > 0) {
        assert.ok(Date.now() - t0 < 10_000, 'the database session outlived the kill switch by 10 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      const inertMs = Date.now() - t0;
      await admin2.end();
      console.log(`# kill switch: database session gone ${inertMs} ms after the pull`);
      const first = envelopeOf(await running);
      assert.equal(first.ok, false, 'the interrupted query did not return rows');
      const next = envelopeOf(await s.client.callTool({ name: 'db_query', arguments: { connection: 'shop', sql: 'SELECT 1' } }));
      assert.equal(next.ok, false);
      assert.match(JSON.stringify(next), /kill switch/);
      assert.equal(sessions(), 0);
    });
  });
});
