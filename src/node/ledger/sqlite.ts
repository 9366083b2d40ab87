/**
 * Opening Airlock's own SQLite database (the ledger) with whichever driver loads in this process.
 *
 * better-sqlite3 is native: its binary matches one Node ABI. The extension host of the editor may
 * run another Node (code-server 4.117: Node 22; desktop VS Code: Electron) than the one the binary
 * was built for. Then Node's built-in `node:sqlite` (22.13+ without a flag) serves instead, behind
 * the subset of better-sqlite3's API the ledger uses: prepare → get/all/run/iterate, exec, pragma,
 * transaction (with .deferred/.immediate/.exclusive), open, close, readonly + fileMustExist.
 * If neither loads, opening throws with both reasons: the ledger cannot open, and the gate denies
 * every mutating action ("cannot record, so do not act").
 *
 * AIRLOCK_SQLITE=better-sqlite3 | node-sqlite forces one driver (tests use it to run the ledger
 * on the fallback; it never loosens anything: a forced driver that cannot load is an error).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

export type SqliteDriver = 'better-sqlite3' | 'node:sqlite';
export type SqliteDatabase = BetterSqlite3.Database;
export interface SqliteOpenOptions {
  readonly?: boolean;
  fileMustExist?: boolean;
}
export interface SqliteDriverInfo {
  driver: SqliteDriver;
  /** Why better-sqlite3 was not used (its load error, or the forcing variable). */
  fallbackReason?: string;
}

const info = new WeakMap<object, SqliteDriverInfo>();

/** Which driver a database opened by openSqlite() runs on. */
export function sqliteDriverOf(db: object): SqliteDriverInfo | undefined {
  return info.get(db);
}

let nativeCache: { mod?: typeof BetterSqlite3; error?: string } | undefined;
function loadNative(): { mod?: typeof BetterSqlite3; error?: string } {
  if (nativeCache) return nativeCache;
  try {
    const req = createRequire(__filename);
    const mod = req('better-sqlite3') as typeof BetterSqlite3;
    // The JS loads lazily; the binary loads on the first database. Prove it here, once.
    new mod(':memory:').close();
    nativeCache = { mod };
  } catch (e) {
    nativeCache = { error: (e as Error).message.replace(/\s+/g, ' ').trim().slice(0, 400) };
  }
  return nativeCache;
}

/** Open (creating unless readonly/fileMustExist) a database file. Throws when no driver loads. */
export function openSqlite(path: string, options: SqliteOpenOptions = {}, forced = process.env.AIRLOCK_SQLITE): SqliteDatabase {
  if (forced && forced !== 'better-sqlite3' && forced !== 'node-sqlite') throw new Error(`AIRLOCK_SQLITE=${forced}: expected better-sqlite3 or node-sqlite`);
  let reason: string;
  if (forced === 'node-sqlite') reason = 'AIRLOCK_SQLITE=node-sqlite';
  else {
    const native = loadNative();
    if (native.mod) {
      const db = new native.mod(path, { readonly: options.readonly ?? false, fileMustExist: options.fileMustExist ?? false });
      info.set(db, { driver: 'better-sqlite3' });
      return db;
    }
    reason = `better-sqlite3 did not load: ${native.error}`;
    if (forced === 'better-sqlite3') throw new Error(`${reason} (AIRLOCK_SQLITE=better-sqlite3)`);
  }
  let DatabaseSync: NodeSqlite['DatabaseSync'];
  try {
    const req = createRequire(__filename);
    DatabaseSync = (req('node:sqlite') as NodeSqlite).DatabaseSync;
  } catch (e) {
    throw new Error(`no SQLite driver: ${reason}; node:sqlite is not available in Node ${process.versions.node} (${(e as Error).message.split('\n')[0]})`);
  }
  if ((options.readonly || options.fileMustExist) && !existsSync(path)) throw new Error(`unable to open database file: ${path} does not exist`);
  const db = new NodeSqliteDatabase(new DatabaseSync(path, { readOnly: options.readonly ?? false }), path, options.readonly ?? false) as unknown as SqliteDatabase;
  info.set(db, { driver: 'node:sqlite', fallbackReason: reason });
  return db;
}

// ---- the node:sqlite side (typed here: @types/node 20 does not describe node:sqlite) ------------
interface NodeStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate?(...params: unknown[]): IterableIterator<unknown>;
}
interface NodeDatabase {
  prepare(sql: string): NodeStatement;
  exec(sql: string): void;
  close(): void;
}
interface NodeSqlite {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => NodeDatabase;
}

/** better-sqlite3 binds an array argument as its items (the ledger's multi-row INSERT passes one); node:sqlite wants them spread. */
const spread = (p: unknown[]): unknown[] => (p.some((x) => Array.isArray(x)) ? p.flatMap((x) => (Array.isArray(x) ? (x as unknown[]) : [x])) : p);

class NodeSqliteStatement {
  constructor(private readonly s: NodeStatement) {}
  get(...p: unknown[]): unknown {
    return this.s.get(...spread(p));
  }
  all(...p: unknown[]): unknown[] {
    return this.s.all(...spread(p));
  }
  run(...p: unknown[]): { changes: number; lastInsertRowid: number | bigint } {
    const r = this.s.run(...spread(p));
    return { changes: Number(r.changes), lastInsertRowid: r.lastInsertRowid };
  }
  iterate(...p: unknown[]): IterableIterator<unknown> {
    const a = spread(p);
    return this.s.iterate ? this.s.iterate(...a) : this.s.all(...a)[Symbol.iterator]();
  }
}

type Tx<T> = ((...args: unknown[]) => T) & { deferred: (...a: unknown[]) => T; immediate: (...a: unknown[]) => T; exclusive: (...a: unknown[]) => T };

class NodeSqliteDatabase {
  private depth = 0;
  private isOpen = true;
  constructor(
    private readonly d: NodeDatabase,
    readonly name: string,
    readonly readonly: boolean,
  ) {}
  get open(): boolean {
    return this.isOpen;
  }
  get inTransaction(): boolean {
    return this.depth > 0;
  }
  prepare(sql: string): NodeSqliteStatement {
    return new NodeSqliteStatement(this.d.prepare(sql));
  }
  exec(sql: string): this {
    this.d.exec(sql);
    return this;
  }
  /** better-sqlite3's pragma(): the rows, or with { simple: true } the first column of the first row. */
  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    const rows = this.d.prepare(`PRAGMA ${source}`).all() as Record<string, unknown>[];
    if (!options.simple) return rows;
    const first = rows[0];
    return first ? Object.values(first)[0] : undefined;
  }
  /** better-sqlite3's transaction(): BEGIN/COMMIT, ROLLBACK on throw, savepoints when nested. */
  transaction<T>(fn: (...args: unknown[]) => T): Tx<T> {
    const make = (begin: string) => (...args: unknown[]): T => {
      const nested = this.depth > 0;
      const sp = `airlock_sp_${this.depth}`;
      const rollback = (): void => {
        try {
          this.d.exec(nested ? `ROLLBACK TO ${sp}; RELEASE ${sp}` : 'ROLLBACK');
        } catch {
          // SQLite may have rolled back by itself (e.g. a full disk); the original error is what counts.
        }
      };
      this.d.exec(nested ? `SAVEPOINT ${sp}` : begin);
      this.depth++;
      let out: T;
      try {
        out = fn(...args);
      } catch (e) {
        this.depth--;
        rollback();
        throw e;
      }
      this.depth--;
      try {
        this.d.exec(nested ? `RELEASE ${sp}` : 'COMMIT');
      } catch (e) {
        rollback();
        throw e;
      }
      return out;
    };
    return Object.assign(make('BEGIN'), { deferred: make('BEGIN DEFERRED'), immediate: make('BEGIN IMMEDIATE'), exclusive: make('BEGIN EXCLUSIVE') });
  }
  close(): this {
    if (this.isOpen) {
      this.isOpen = false;
      this.d.close();
    }
    return this;
  }
}

/**
 * `sql` prepared once on `db` and reused: preparing costs ~0.1 ms a statement, and the gate runs the
 * same few on every request (the ledger's run and step look-ups, the usage store's, run ends').
 * Only for statements run to completion (get/all/run); one being iterated cannot be shared.
 */
export function preparedOnce<S>(db: { prepare(sql: string): S }): (sql: string) => S {
  const statements = new Map<string, S>();
  return (sql) => {
    let st = statements.get(sql);
    if (st === undefined) statements.set(sql, (st = db.prepare(sql)));
    return st;
  };
}
