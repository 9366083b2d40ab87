// The database port against real SQLite files (better-sqlite3) in a temp dir.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { DbError, openConnection } from '../../src/node/db/index';
import { dbCases } from '../support/dbCases';

const Sqlite = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;
const dir = mkdtempSync(join(tmpdir(), 'airlock-db-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function freshUrl(): Promise<string> {
  const path = join(dir, `db${++n}.sqlite`);
  new Sqlite(path).close();
  return `sqlite://${path}`;
}

describe('database port: SQLite', () => {
  dbCases({
    dialect: 'sqlite',
    freshUrl,
    readOnlyUrl: async (url) => url,
    p: () => '?',
    async admin(url) {
      const db = new Sqlite(url.slice('sqlite://'.length));
      db.pragma('foreign_keys = ON');
      return {
        exec: async (sql) => void db.exec(sql),
        all: async (sql) => db.prepare(sql).all() as Record<string, unknown>[],
        close: async () => void db.close(),
      };
    },
  });

  it('effects a rollback cannot undo are not dry-run; ATTACH is not a read', async () => {
    const url = await freshUrl();
    const db = await openConnection({ name: 'main', url });
    try {
      await db.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      const r = await db.dryRun("UPDATE t SET v = load_extension('/tmp/evil.so')");
      assert.equal(r.possible, false);
      assert.match(r.reason ?? '', /rollback does not undo/);
      const p = await db.dryRun('PRAGMA journal_mode = WAL');
      assert.equal(p.possible, false);
      await assert.rejects(db.query(`ATTACH '${join(dir, 'other.db')}' AS o`), (e) => e instanceof DbError && e.code === 'unsupported');
    } finally {
      await db.close();
    }
  });

  it('BLOBs and big integers survive a before-image round trip exactly', async () => {
    const url = await freshUrl();
    const admin = new Sqlite(url.slice('sqlite://'.length));
    admin.exec('CREATE TABLE b (k TEXT PRIMARY KEY, blob BLOB, big INTEGER, r REAL) WITHOUT ROWID');
    admin.prepare('INSERT INTO b VALUES (?, ?, ?, ?)').run('a', Buffer.from([0, 255, 1]), 9007199254740993n, 0.1);
    const dump = (): string => JSON.stringify(admin.prepare('SELECT k, hex(blob) h, CAST(big AS TEXT) big, r FROM b').all());
    const before = dump();
    const db = await openConnection({ name: 'main', url });
    try {
      const r = await db.execute('DELETE FROM b');
      assert.deepEqual(r.beforeImage?.rows[0], { k: 'a', blob: { $base64: 'AP8B' }, big: { $int: '9007199254740993' }, r: 0.1 });
      await db.restore(JSON.parse(JSON.stringify(r.beforeImage)));
      assert.equal(dump(), before);
    } finally {
      await db.close();
      admin.close();
    }
  });

  it('a URL that is not an absolute sqlite path is refused', async () => {
    await assert.rejects(openConnection({ name: 'x', url: 'sqlite://relative.db' }), (e) => e instanceof DbError && e.code === 'invalid_url');
  });
});
