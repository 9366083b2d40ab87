/**
 * SQLite behind the database port (better-sqlite3, loaded lazily: it is native).
 *
 * - Reads go through a second handle opened `readonly` with `PRAGMA query_only=ON`: a write sent
 *   through query() is refused by SQLite itself ("attempt to write a readonly database").
 * - Writes run on the read-write handle (none for a read-only connection) inside
 *   `BEGIN IMMEDIATE`. Rows are captured by TEMP triggers installed on every table of the main
 *   schema for the duration of the transaction: they see exactly the rows the statement changes,
 *   including foreign-key cascades and the user's own triggers, whatever the WHERE, the
 *   parameters or the subqueries. A dry run rolls back (the temp triggers with it); execute() drops
 *   them again before COMMIT, so nothing of Airlock stays in the database.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import {
  DEFAULT_BEFORE_IMAGE_LIMIT,
  DEFAULT_ROW_CAP,
  DEFAULT_SAMPLE_ROWS,
  DbError,
  decodeSqliteValue,
  encodeSqliteValue,
  ms,
  now,
  positiveInt,
  qi,
  toDbError,
  type ParsedDbUrl,
} from './common';
import { planSql, type Plan } from './plan';
import { imagesOf, installCapture, readCapture, removeCapture, tableInfos, type TableInfo } from './sqliteCapture';
import type { BeforeImage, DbConnection, DbConnectionConfig, DryRunReport, DryRunTable, ExecuteResult, QueryResult } from './types';

type Db = BetterSqlite3.Database;


function loadSqlite(): typeof BetterSqlite3 {
  const require = createRequire(__filename);
  return require('better-sqlite3') as typeof BetterSqlite3;
}

export async function openSqlite(config: DbConnectionConfig, url: ParsedDbUrl): Promise<DbConnection> {
  const Sqlite = loadSqlite();
  const secrets = url.secrets;
  let ro: Db | undefined;
  let rw: Db | undefined;
  try {
    ro = new Sqlite(url.path!, { readonly: true, fileMustExist: true, timeout: 5000 });
    ro.pragma('query_only = ON');
    if (!config.readOnly) {
      rw = new Sqlite(url.path!, { fileMustExist: true, timeout: 5000 });
      rw.pragma('foreign_keys = ON');
    }
  } catch (e) {
    ro?.close();
    rw?.close();
    throw toDbError(e, secrets, 'connection');
  }
  return new SqliteConnection(config, ro, rw, secrets);
}

class SqliteConnection implements DbConnection {
  readonly dialect = 'sqlite' as const;
  readonly name: string;
  readonly readOnly: boolean;
  private readonly rowCap: number;
  private closed = false;

  constructor(
    config: DbConnectionConfig,
    private readonly ro: Db,
    private readonly rw: Db | undefined,
    private readonly secrets: string[],
  ) {
    this.name = config.name;
    this.readOnly = config.readOnly === true;
    this.rowCap = positiveInt(config.rowCap, DEFAULT_ROW_CAP, 'rowCap');
  }

  private live(): void {
    if (this.closed) throw new DbError('closed', `connection ${this.name} is closed`);
  }

  private writer(): Db {
    this.live();
    if (!this.rw) throw new DbError('read_only', `connection ${this.name} is read-only: writes are refused`);
    return this.rw;
  }

  async query(sql: string, params: unknown[] = [], opts: { rowCap?: number } = {}): Promise<QueryResult> {
    this.live();
    const cap = positiveInt(opts.rowCap, this.rowCap, 'rowCap');
    const verb = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase();
    if (verb === 'ATTACH' || verb === 'DETACH') throw new DbError('unsupported', `${verb} is not accepted by query(): Airlock opens the database files itself`);
    try {
      const stmt = this.ro.prepare(sql);
      const args = params.map(decodeSqliteValue);
      if (!stmt.reader) {
        // Not a read: SQLite itself decides (the handle is read-only, so a write fails here).
        stmt.run(...args);
        return { columns: [], rows: [], truncated: false };
      }
      stmt.safeIntegers(true);
      const columns = stmt.columns().map((c) => c.name);
      const rows: Record<string, unknown>[] = [];
      let truncated = false;
      for (const r of stmt.iterate(...args) as IterableIterator<Record<string, unknown>>) {
        if (rows.length >= cap) {
          truncated = true;
          break; // ends the iterator, which finalizes the statement
        }
        rows.push(encodeRow(r));
      }
      return { columns, rows, truncated };
    } catch (e) {
      throw toDbError(e, this.secrets);
    } finally {
      if (this.ro.inTransaction) this.ro.exec('ROLLBACK');
    }
  }

  async dryRun(sql: string, params: unknown[] = [], opts: { sampleRows?: number } = {}): Promise<DryRunReport> {
    const db = this.writer();
    const start = now();
    const sample = positiveInt(opts.sampleRows, DEFAULT_SAMPLE_ROWS, 'sampleRows');
    const plan = planSql(sql, 'sqlite');
    checkParams(plan, params);
    const refused = plan.statements.find((s) => s.refused);
    if (refused) throw new DbError('unsupported', refused.refused!);
    const nonTx = plan.statements.find((s) => s.nonTransactional);
    if (nonTx) return { possible: false, reason: nonTx.nonTransactional!, tables: [], rowsAffected: 0, durationMs: ms(start) };
    if (plan.escaping.length) return { possible: false, reason: `the statement has effects a rollback does not undo: ${plan.escaping.join('; ')}`, tables: [], rowsAffected: 0, durationMs: ms(start) };
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      throw toDbError(e, this.secrets);
    }
    try {
      const destroyed = countDestroyed(db, plan, sample);
      const tables = tableInfos(db);
      installCapture(db, tables, { old: sample, new: sample, inserted: sample });
      const rowsAffected = runStatements(db, plan, params);
      const captured = readCapture(db, tables);
      const out: DryRunTable[] = [...destroyed];
      for (const c of captured) {
        const n = c.deleted + c.updated + c.inserted;
        if (n === 0) continue;
        out.push({
          table: c.table.name,
          rowsAffected: n,
          before: [...c.deletedRows, ...c.updatedOld].slice(0, sample),
          after: [...c.updatedNew, ...c.insertedRows].slice(0, sample),
          deleted: c.deleted,
          updated: c.updated,
          inserted: c.inserted,
        });
      }
      return { possible: true, tables: out, rowsAffected, durationMs: ms(start) };
    } catch (e) {
      throw toDbError(e, this.secrets);
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  }

  async execute(sql: string, params: unknown[] = [], opts: { beforeImageLimit?: number } = {}): Promise<ExecuteResult> {
    const db = this.writer();
    const start = now();
    const limit = positiveInt(opts.beforeImageLimit, DEFAULT_BEFORE_IMAGE_LIMIT, 'beforeImageLimit');
    const plan = planSql(sql, 'sqlite');
    checkParams(plan, params);
    const refused = plan.statements.find((s) => s.refused);
    if (refused) throw new DbError('unsupported', refused.refused!);
    const nonTx = plan.statements.find((s) => s.nonTransactional);
    if (nonTx) {
      if (plan.statements.length > 1) throw new DbError('unsupported', `${nonTx.nonTransactional}: send it as a statement of its own`);
      try {
        const rowsAffected = runStatements(db, plan, params);
        return { rowsAffected, durationMs: ms(start), beforeImageNote: `no before-image: ${nonTx.nonTransactional}` };
      } catch (e) {
        throw toDbError(e, this.secrets);
      }
    }
    const wantImage = plan.statements.some((s) => s.changesRows) && limit > 0;
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      throw toDbError(e, this.secrets);
    }
    try {
      let tables: TableInfo[] = [];
      if (wantImage) {
        tables = tableInfos(db);
        installCapture(db, tables, { old: limit, new: limit, inserted: 0 });
      }
      const rowsAffected = runStatements(db, plan, params);
      const images: BeforeImage[] = [];
      if (wantImage) {
        const captured = readCapture(db, tables);
        removeCapture(db, tables);
        const targets = new Set(plan.statements.flatMap((s) => s.dmlTargets.map((t) => t.name)));
        captured.sort((a, b) => Number(!targets.has(a.table.name)) - Number(!targets.has(b.table.name)));
        for (const c of captured) images.push(...imagesOf(c, limit));
      }
      db.exec('COMMIT');
      const result: ExecuteResult = { rowsAffected, durationMs: ms(start) };
      if (images.length) {
        result.beforeImage = images[0]!;
        result.beforeImages = images;
        if (images.some((i) => i.truncated)) result.beforeImageNote = `more than ${limit} rows affected: no before-image kept, the write cannot be undone by Airlock`;
      } else if (plan.statements.some((s) => s.destroys.length)) {
        result.beforeImageNote = 'DROP TABLE is not covered by before-images';
      }
      return result;
    } catch (e) {
      throw toDbError(e, this.secrets);
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  }

  async restore(image: BeforeImage | BeforeImage[]): Promise<{ rowsRestored: number }> {
    const db = this.writer();
    const images = Array.isArray(image) ? image : [image];
    for (const im of images) validateImage(im, 'sqlite');
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      throw toDbError(e, this.secrets);
    }
    try {
      // Parents and children of a cascade may come back in any order: checked at COMMIT.
      db.pragma('defer_foreign_keys = ON');
      let restored = 0;
      for (const im of images) restored += restoreImage(db, im);
      db.exec('COMMIT');
      return { rowsRestored: restored };
    } catch (e) {
      throw toDbError(e, this.secrets, e instanceof DbError ? e.code : 'sql');
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ro.close();
    this.rw?.close();
  }

  async revoke(_reason: string): Promise<string> {
    // better-sqlite3 runs statements synchronously: none is in flight when this runs; close both handles.
    const was = this.closed;
    await this.close();
    return `${this.name} (sqlite): ${was ? 'already closed' : 'handles closed'}`;
  }
}

function checkParams(plan: Plan, params: unknown[]): void {
  if (!Array.isArray(params)) throw new DbError('unsupported', 'params must be an array');
  if (params.length > 0 && plan.statements.length > 1) throw new DbError('unsupported', 'parameters are accepted for a single statement only');
}

function encodeRow(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) out[k] = encodeSqliteValue(v);
  return out;
}

function runStatements(db: Db, plan: Plan, params: unknown[]): number {
  let total = 0;
  const args = params.map(decodeSqliteValue);
  for (const s of plan.statements) {
    const stmt = db.prepare(s.text);
    const dml = s.kind === 'INSERT' || s.kind === 'UPDATE' || s.kind === 'DELETE' || s.kind === 'REPLACE';
    if (stmt.reader) {
      stmt.all(...args);
      if (dml) total += (db.prepare('SELECT changes() AS c').get() as { c: number }).c;
    } else {
      const info = stmt.run(...args);
      if (dml) total += info.changes;
    }
  }
  return total;
}

/** Rows a DROP TABLE would destroy (counted before it runs, inside the transaction). */
function countDestroyed(db: Db, plan: Plan, sample: number): DryRunTable[] {
  const out: DryRunTable[] = [];
  for (const s of plan.statements) {
    for (const t of s.destroys) {
      const exists = db.prepare("SELECT 1 FROM pragma_table_list WHERE name = ? AND type = 'table' AND (? IS NULL OR schema = ?)").get(t.name, t.schema ?? null, t.schema ?? null);
      if (!exists) continue;
      const n = Number((db.prepare(`SELECT count(*) AS n FROM ${t.sql}`).safeIntegers(true).get() as { n: bigint }).n);
      const rows = (db.prepare(`SELECT * FROM ${t.sql} LIMIT ?`).safeIntegers(true).all(sample) as Record<string, unknown>[]).map(encodeRow);
      out.push({ table: t.schema ? `${t.schema}.${t.name}` : t.name, rowsAffected: n, before: rows, after: [], destroyed: n });
    }
  }
  return out;
}

export function validateImage(im: BeforeImage, dialect: 'sqlite' | 'postgres'): void {
  if (!im || typeof im !== 'object') throw new DbError('restore_conflict', 'not a before-image');
  if (im.dialect !== dialect) throw new DbError('restore_conflict', `before-image of table ${im.table} was taken on a ${im.dialect ?? 'unknown'} database, not ${dialect}`);
  if (im.truncated) throw new DbError('restore_conflict', `before-image of table ${im.table} is truncated (more rows were affected than were saved): it cannot be restored`);
  if (im.operation !== 'update' && im.operation !== 'delete') throw new DbError('restore_conflict', `before-image of table ${im.table} does not say what the write did`);
  if (!Array.isArray(im.columns) || !Array.isArray(im.rows) || !Array.isArray(im.key)) throw new DbError('restore_conflict', `before-image of table ${im.table} is incomplete`);
  if (im.operation === 'update' && (!Array.isArray(im.after) || im.after.length !== im.rows.length)) throw new DbError('restore_conflict', `before-image of table ${im.table} lacks the rows as the update left them`);
}

function restoreImage(db: Db, im: BeforeImage): number {
  const t = qi(im.table);
  const cols = im.columns!;
  if (im.operation === 'delete') {
    const all = im.key[0] === 'rowid' ? ['rowid', ...cols] : cols;
    const stmt = db.prepare(`INSERT INTO main.${t} (${all.map(qi).join(', ')}) VALUES (${all.map(() => '?').join(', ')})`);
    for (const r of im.rows) stmt.run(...all.map((c) => decodeSqliteValue(r[c])));
    return im.rows.length;
  }
  let n = 0;
  im.rows.forEach((old, i) => {
    const aft = im.after![i]!;
    const changed = cols.filter((c) => JSON.stringify(old[c]) !== JSON.stringify(aft[c]));
    const match = [...new Set([...(im.key[0] === 'rowid' ? ['rowid'] : []), ...cols])];
    const sql =
      changed.length > 0
        ? `UPDATE main.${t} SET ${changed.map((c) => `${qi(c)} = ?`).join(', ')} WHERE ${match.map((c) => `${c === 'rowid' ? 'rowid' : qi(c)} IS ?`).join(' AND ')}`
        : `SELECT count(*) AS n FROM main.${t} WHERE ${match.map((c) => `${c === 'rowid' ? 'rowid' : qi(c)} IS ?`).join(' AND ')}`;
    const args = [...changed.map((c) => decodeSqliteValue(old[c])), ...match.map((c) => decodeSqliteValue(aft[c]))];
    const hit = changed.length > 0 ? db.prepare(sql).run(...args).changes : (db.prepare(sql).get(...args) as { n: number }).n;
    if (hit !== 1) throw new DbError('restore_conflict', `a row of ${im.table} was changed since the write (key ${JSON.stringify(Object.fromEntries(im.key.map((k) => [k, aft[k]])))}): nothing restored`);
    n++;
  });
  return n;
}
