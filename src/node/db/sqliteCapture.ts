/**
 * SQLite row capture for a write (see sqlite.ts): TEMP triggers on every table of the main schema
 * record the rows a statement deletes, updates and inserts, up to the limits; the captured rows
 * become before-images (what Undo restores) and the dry run's samples.
 */
import { beforeImages, type Captured as CapturedRows } from './capture';
import type BetterSqlite3 from 'better-sqlite3';
import { encodeSqliteValue, qi } from './common';
import type { BeforeImage } from './types';

type Db = BetterSqlite3.Database;

export interface Column {
  name: string;
  generated: boolean;
}

export interface TableInfo {
  name: string;
  cols: Column[];
  /** Primary-key columns, or ['rowid'] for a rowid table without one. */
  key: string[];
  hasRowid: boolean;
}

export type Captured = CapturedRows<TableInfo>;

export const CAP_PREFIX = 'airlock_cap_';

export function tableInfos(db: Db): TableInfo[] {
  const list = db.prepare("SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").all() as { name: string; wr: number }[];
  return list.map((t) => {
    const cols = db.prepare('SELECT name, pk, hidden FROM pragma_table_xinfo(?)').all(t.name) as { name: string; pk: number; hidden: number }[];
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const hasRowid = t.wr === 0;
    return { name: t.name, cols: cols.map((c) => ({ name: c.name, generated: c.hidden === 2 || c.hidden === 3 })), key: pk.length ? pk : ['rowid'], hasRowid };
  });
}

export function installCapture(db: Db, tables: TableInfo[], limits: { old: number; new: number; inserted: number }): void {
  const ddl: string[] = ['CREATE TEMP TABLE airlock_cnt (tid INTEGER NOT NULL, op TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tid, op))'];
  tables.forEach((t, i) => {
    const cap = `${CAP_PREFIX}${i}`;
    const colDefs = t.cols.map((_, j) => `c${j}`).join(', ');
    ddl.push(`CREATE TEMP TABLE ${cap} (airlock_seq INTEGER PRIMARY KEY, airlock_k INTEGER, airlock_op TEXT, airlock_rid${colDefs ? ', ' + colDefs : ''})`);
    ddl.push(`INSERT INTO airlock_cnt (tid, op) VALUES (${i}, 'd'), (${i}, 'u'), (${i}, 'i')`);
    const names = t.cols.map((_, j) => `c${j}`).join(', ');
    const vals = (rec: 'OLD' | 'NEW'): string => [t.hasRowid ? `${rec}.rowid` : 'NULL', ...t.cols.map((c) => `${rec}.${qi(c.name)}`)].join(', ');
    const target = `main.${qi(t.name)}`;
    const bump = (op: string): string => `UPDATE airlock_cnt SET n = n + 1 WHERE tid = ${i} AND op = '${op}';`;
    const ins = (op: string, tag: string, rec: 'OLD' | 'NEW', lim: number): string =>
      `INSERT INTO ${cap} (airlock_k, airlock_op, airlock_rid${names ? ', ' + names : ''}) SELECT n, '${tag}', ${vals(rec)} FROM airlock_cnt WHERE tid = ${i} AND op = '${op}' AND n <= ${lim};`;
    ddl.push(`CREATE TEMP TRIGGER airlock_trg_d_${i} AFTER DELETE ON ${target} BEGIN ${bump('d')} ${ins('d', 'do', 'OLD', limits.old)} END`);
    ddl.push(`CREATE TEMP TRIGGER airlock_trg_u_${i} AFTER UPDATE ON ${target} BEGIN ${bump('u')} ${ins('u', 'uo', 'OLD', limits.old)} ${ins('u', 'un', 'NEW', limits.new)} END`);
    ddl.push(`CREATE TEMP TRIGGER airlock_trg_i_${i} AFTER INSERT ON ${target} BEGIN ${bump('i')} ${ins('i', 'in', 'NEW', limits.inserted)} END`);
  });
  for (const s of ddl) db.exec(s);
}

export function removeCapture(db: Db, tables: TableInfo[]): void {
  tables.forEach((_, i) => {
    db.exec(`DROP TRIGGER temp.airlock_trg_d_${i}; DROP TRIGGER temp.airlock_trg_u_${i}; DROP TRIGGER temp.airlock_trg_i_${i}; DROP TABLE temp.${CAP_PREFIX}${i}`);
  });
  db.exec('DROP TABLE temp.airlock_cnt');
}

export function readCapture(db: Db, tables: TableInfo[]): Captured[] {
  const counts = db.prepare('SELECT tid, op, n FROM temp.airlock_cnt').all() as { tid: number; op: string; n: number }[];
  return tables.map((t, i) => {
    const cnt = (op: string): number => counts.find((c) => c.tid === i && c.op === op)?.n ?? 0;
    const c: Captured = { table: t, deleted: cnt('d'), updated: cnt('u'), inserted: cnt('i'), deletedRows: [], updatedOld: [], updatedNew: [], insertedRows: [] };
    if (c.deleted + c.updated + c.inserted === 0) return c;
    const rows = db.prepare(`SELECT * FROM temp.${CAP_PREFIX}${i} ORDER BY airlock_seq`).safeIntegers(true).raw(true).all() as unknown[][];
    for (const r of rows) {
      const obj: Record<string, unknown> = {};
      if (t.key[0] === 'rowid' && t.hasRowid) obj.rowid = encodeSqliteValue(r[3]);
      t.cols.forEach((col, j) => (obj[col.name] = encodeSqliteValue(r[4 + j])));
      const tag = r[2] as string;
      if (tag === 'do') c.deletedRows.push(obj);
      else if (tag === 'uo') c.updatedOld.push(obj);
      else if (tag === 'un') c.updatedNew.push(obj);
      else c.insertedRows.push(obj);
    }
    return c;
  });
}

export function imagesOf(c: Captured, limit: number): BeforeImage[] {
  return beforeImages(c, { table: c.table.name, dialect: 'sqlite' }, limit);
}
