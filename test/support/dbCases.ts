/**
 * The database port's behaviour, written once and run against a real SQLite file and a real
 * PostgreSQL server (test/node/db.sqlite.test.ts, test/node/db.postgres.test.ts). Every check of
 * the database's state goes through an independent admin connection, not the layer under test.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DbError, openConnection, type DbConnection } from '../../src/node/db/index';

export interface DbHarness {
  dialect: 'sqlite' | 'postgres';
  /** A fresh empty database URL per call. */
  freshUrl(): Promise<string>;
  /** Admin access to the database at url, independent of the layer under test. */
  admin(url: string): Promise<{ exec(sql: string): Promise<void>; all(sql: string): Promise<Record<string, unknown>[]>; close(): Promise<void> }>;
  /** A URL for the same database through a login that can only read (SQLite: the same file). */
  readOnlyUrl(url: string): Promise<string>;
  /** The placeholder for parameter n (1-based). */
  p(n: number): string;
}

const N = 137;

async function seeded(h: DbHarness): Promise<{ url: string; admin: Awaited<ReturnType<DbHarness['admin']>>; dump: (t?: string) => Promise<string> }> {
  const url = await h.freshUrl();
  const admin = await h.admin(url);
  await admin.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, price REAL, note TEXT)');
  await admin.exec('CREATE TABLE child (id INTEGER PRIMARY KEY, t_id INTEGER NOT NULL REFERENCES t(id) ON DELETE CASCADE, label TEXT)');
  await admin.exec('CREATE TABLE nokey (a INTEGER, b TEXT)');
  const rows = Array.from({ length: N }, (_, i) => `(${i + 1}, 'item ${i + 1}', ${i % 10}, ${(i * 1.25).toFixed(2)}, ${i % 7 === 0 ? 'NULL' : `'n''${i}'`})`);
  await admin.exec(`INSERT INTO t (id, name, qty, price, note) VALUES ${rows.join(', ')}`);
  await admin.exec(`INSERT INTO child (id, t_id, label) VALUES (1, 1, 'c1'), (2, 2, 'c2'), (3, 50, 'c3')`);
  await admin.exec(`INSERT INTO nokey (a, b) VALUES (1, 'x'), (1, 'x'), (2, 'y')`);
  const dump = async (t = 't'): Promise<string> => JSON.stringify(await admin.all(`SELECT * FROM ${t} ORDER BY 1, 2`));
  return { url, admin, dump };
}

async function rejectsWith(p: Promise<unknown>, check: (e: DbError) => void): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DbError, `expected a DbError, got ${String(caught)}`);
  check(caught);
}

export function dbCases(h: DbHarness): void {
  const open = (url: string, extra: { readOnly?: boolean; rowCap?: number } = {}): Promise<DbConnection> => openConnection({ name: 'main', url, ...extra });

  it('dry run of DELETE without WHERE reports the exact row count, samples, and leaves the table intact', async () => {
    const { url, admin, dump } = await seeded(h);
    const before = await dump();
    const db = await open(url);
    try {
      const r = await db.dryRun('DELETE FROM t', [], { sampleRows: 3 });
      assert.equal(r.possible, true);
      assert.equal(r.rowsAffected, N);
      const t = r.tables.find((x) => x.table.endsWith('t') && !x.table.endsWith('nokey'));
      assert.ok(t, JSON.stringify(r.tables));
      assert.equal(t.rowsAffected, N);
      assert.equal(t.deleted, N);
      assert.equal(t.before.length, 3);
      assert.deepEqual(t.after, []);
      // The foreign-key cascade shows up as its own table.
      const c = r.tables.find((x) => x.table.endsWith('child'));
      assert.equal(c?.deleted, 3);
      assert.equal(await dump(), before);
      assert.equal(await dump('child'), JSON.stringify(await admin.all('SELECT * FROM child ORDER BY 1, 2')));
      assert.equal((await admin.all('SELECT count(*) AS n FROM child'))[0]!.n == 3, true);
      // The write connection is usable again (nothing of the dry run is left in its session).
      const again = await db.dryRun('DELETE FROM t WHERE id = 1');
      assert.equal(again.rowsAffected, 1);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('dry run of UPDATE with WHERE and a parameter shows before and after rows', async () => {
    const { url, admin, dump } = await seeded(h);
    const before = await dump();
    const db = await open(url);
    try {
      const r = await db.dryRun(`UPDATE t SET name = ${h.p(1)} WHERE id <= 4`, ['renamed'], { sampleRows: 10 });
      assert.equal(r.possible, true);
      assert.equal(r.rowsAffected, 4);
      assert.equal(r.tables.length, 1);
      const t = r.tables[0]!;
      assert.equal(t.updated, 4);
      assert.deepEqual(t.before.map((x) => String(x.name)).sort(), ['item 1', 'item 2', 'item 3', 'item 4']);
      assert.deepEqual(t.after.map((x) => x.name), ['renamed', 'renamed', 'renamed', 'renamed']);
      assert.deepEqual(t.before.map((x) => String(x.id)).sort(), t.after.map((x) => String(x.id)).sort());
      assert.equal(await dump(), before);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('dry run of DROP TABLE reports the rows it would destroy; the table survives', async () => {
    const { url, admin } = await seeded(h);
    const db = await open(url);
    try {
      const r = await db.dryRun('DROP TABLE nokey');
      assert.equal(r.possible, true);
      const t = r.tables.find((x) => x.table.endsWith('nokey'));
      assert.equal(t?.destroyed, 3);
      assert.equal((await admin.all('SELECT count(*) AS n FROM nokey'))[0]!.n, h.dialect === 'sqlite' ? 3 : '3');
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('VACUUM cannot be dry-run (possible: false with the reason) but executes', async () => {
    const { url, admin } = await seeded(h);
    const db = await open(url);
    try {
      const r = await db.dryRun('VACUUM');
      assert.equal(r.possible, false);
      assert.match(r.reason ?? '', /VACUUM cannot run inside a transaction/);
      const x = await db.execute('VACUUM');
      assert.equal(x.rowsAffected, 0);
      assert.match(x.beforeImageNote ?? '', /VACUUM/);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('transaction control is refused, so a batch cannot commit a dry run', async () => {
    const { url, admin, dump } = await seeded(h);
    const before = await dump();
    const db = await open(url);
    try {
      await rejectsWith(db.dryRun('DELETE FROM t; COMMIT'), (e) => assert.equal(e.code, 'unsupported'));
      await rejectsWith(db.execute('COMMIT'), (e) => assert.equal(e.code, 'unsupported'));
      assert.equal(await dump(), before);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('execute UPDATE saves a before-image; restore gives back the identical table', async () => {
    const { url, admin, dump } = await seeded(h);
    const before = await dump();
    const db = await open(url);
    try {
      const r = await db.execute(`UPDATE t SET name = upper(name), qty = qty + 100, note = NULL WHERE qty < ${h.p(1)}`, [3]);
      const expected = Array.from({ length: N }, (_, i) => i).filter((i) => i % 10 < 3).length;
      assert.equal(r.rowsAffected, expected);
      assert.ok(r.beforeImage);
      assert.equal(r.beforeImage.operation, 'update');
      assert.equal(r.beforeImage.rows.length, expected);
      assert.equal(r.beforeImage.truncated, false);
      assert.deepEqual(r.beforeImage.key, ['id']);
      assert.notEqual(await dump(), before);
      // The image survives a trip through JSON (the ledger stores it that way).
      const image = JSON.parse(JSON.stringify(r.beforeImage));
      const back = await db.restore(image);
      assert.equal(back.rowsRestored, expected);
      assert.equal(await dump(), before);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('execute DELETE with a cascade saves every affected table; restore brings parent and children back', async () => {
    const { url, admin, dump } = await seeded(h);
    const before = await dump();
    const beforeChild = await dump('child');
    const db = await open(url);
    try {
      const r = await db.execute('DELETE FROM t WHERE id IN (1, 2, 3, 50)');
      assert.equal(r.rowsAffected, 4);
      assert.equal(r.beforeImage?.table, 't');
      assert.equal(r.beforeImage?.rows.length, 4);
      const child = r.beforeImages?.find((i) => i.table === 'child');
      assert.equal(child?.rows.length, 3);
      assert.equal((await admin.all('SELECT count(*) AS n FROM child'))[0]!.n == 0, true);
      const back = await db.restore(JSON.parse(JSON.stringify(r.beforeImages)));
      assert.equal(back.rowsRestored, 7);
      assert.equal(await dump(), before);
      assert.equal(await dump('child'), beforeChild);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('a table without a primary key round-trips too (duplicate rows included)', async () => {
    const { url, admin, dump } = await seeded(h);
    const before = await dump('nokey');
    const db = await open(url);
    try {
      const u = await db.execute("UPDATE nokey SET b = 'z' WHERE a = 1");
      assert.equal(u.rowsAffected, 2);
      assert.deepEqual(u.beforeImage?.key, h.dialect === 'sqlite' ? ['rowid'] : []);
      await db.restore(u.beforeImage!);
      assert.equal(await dump('nokey'), before);
      const d = await db.execute('DELETE FROM nokey');
      assert.equal(d.rowsAffected, 3);
      await db.restore(d.beforeImage!);
      assert.equal(await dump('nokey'), before);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('restore refuses when a row changed since the write, and changes nothing', async () => {
    const { url, admin, dump } = await seeded(h);
    const db = await open(url);
    try {
      const r = await db.execute("UPDATE t SET name = 'x' WHERE id IN (10, 11)");
      await admin.exec("UPDATE t SET name = 'someone else' WHERE id = 11");
      const mid = await dump();
      await rejectsWith(db.restore(r.beforeImage!), (e) => {
        assert.equal(e.code, 'restore_conflict');
        assert.match(e.message, /changed since/);
      });
      assert.equal(await dump(), mid);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('more rows than beforeImageLimit: the image is marked truncated and restore refuses it', async () => {
    const { url, admin } = await seeded(h);
    const db = await open(url);
    try {
      const r = await db.execute('DELETE FROM nokey', [], { beforeImageLimit: 2 });
      assert.equal(r.rowsAffected, 3);
      assert.equal(r.beforeImage?.truncated, true);
      assert.deepEqual(r.beforeImage?.rows, []);
      assert.match(r.beforeImageNote ?? '', /cannot be undone/);
      await rejectsWith(db.restore(r.beforeImage!), (e) => assert.equal(e.code, 'restore_conflict'));
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('a read-only connection refuses writes at the database level', async () => {
    const { url, admin, dump } = await seeded(h);
    const before = await dump();
    const db = await open(await h.readOnlyUrl(url), { readOnly: true });
    try {
      assert.equal(db.readOnly, true);
      await rejectsWith(db.execute('DELETE FROM t'), (e) => assert.equal(e.code, 'read_only'));
      await rejectsWith(db.dryRun('DELETE FROM t'), (e) => assert.equal(e.code, 'read_only'));
      // The write sent through query() reaches the database, which refuses it itself.
      await rejectsWith(db.query('DELETE FROM t'), (e) => {
        assert.equal(e.code, 'sql');
        if (h.dialect === 'sqlite') {
          assert.equal(e.dbCode, 'SQLITE_READONLY');
          assert.match(e.message, /readonly database/);
        } else {
          assert.equal(e.dbCode, '25006');
          assert.match(e.message, /read-only transaction/);
        }
      });
      assert.equal(await dump(), before);
      const ok = await db.query('SELECT count(*) AS n FROM t');
      assert.equal(Number(ok.rows[0]!.n), N);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('query() on a writable connection is read-only too', async () => {
    const { url, admin, dump } = await seeded(h);
    const before = await dump();
    const db = await open(url);
    try {
      await rejectsWith(db.query("UPDATE t SET name = 'q'"), (e) => assert.equal(e.code, 'sql'));
      await rejectsWith(db.query('SELECT 1; DELETE FROM t'), (e) => assert.ok(e.code === 'unsupported' || e.code === 'sql'));
      assert.equal(await dump(), before);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('row caps truncate reads and say so', async () => {
    const { url, admin } = await seeded(h);
    const db = await open(url, { rowCap: 50 });
    try {
      const a = await db.query('SELECT id, name FROM t ORDER BY id');
      assert.equal(a.rows.length, 50);
      assert.equal(a.truncated, true);
      assert.deepEqual(a.columns, ['id', 'name']);
      assert.equal(Number(a.rows[49]!.id), 50);
      const b = await db.query(`SELECT id FROM t WHERE id > ${h.p(1)} ORDER BY id`, [N - 5], { rowCap: 5 });
      assert.equal(b.rows.length, 5);
      assert.equal(b.truncated, false);
      const c = await db.query('SELECT id FROM t', [], { rowCap: 0 });
      assert.equal(c.rows.length, 0);
      assert.equal(c.truncated, true);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it('errors never carry the connection string', async () => {
    const url = await h.freshUrl();
    const bad = h.dialect === 'sqlite' ? url.replace(/[^/]+$/, 'missing-dir/secret-name.db') : url.replace(/:([^:@/]+)@/, ':wrong-secret-pw@');
    await rejectsWith(open(bad), (e) => {
      assert.equal(e.code, 'connection');
      assert.ok(!e.message.includes(bad), e.message);
      assert.ok(!e.message.includes('wrong-secret-pw'), e.message);
    });
    await rejectsWith(openConnection({ name: 'x', url: 'mysql://u:topsecret@h/db' }), (e) => {
      assert.equal(e.code, 'invalid_url');
      assert.ok(!e.message.includes('topsecret'));
    });
  });
}
