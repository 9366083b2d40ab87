/**
 * Row capture for PostgreSQL dry runs and before-images: a row-level AFTER trigger on each target
 * table (and the tables its foreign keys cascade to), whose function, counters and capture tables
 * live in the session's temporary schema. The connection (postgres.ts) decides when to install,
 * read and remove it inside its transaction.
 */
import { beforeImages, type Captured as CapturedRows } from './capture';
import type pg from 'pg';
import { qi, scrub } from './common';
import type { Plan, PlannedStatement } from './plan';
import type { BeforeImage } from './types';

/** One query on the connection's client, inside its current transaction. */
export type Query = (text: string, values?: unknown[], types?: pg.CustomTypesConfig, rowMode?: 'array') => Promise<pg.QueryResult>;

/** Every value as PostgreSQL's text form. */
export const RAW_TYPES = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

export interface TableInfo {
  oid: number;
  schema: string;
  name: string;
  sql: string;
  cols: { name: string; generated: boolean }[];
  key: string[];
}

export type Captured = CapturedRows<TableInfo>;

/** The tables to watch: DML targets and the tables their foreign keys cascade to. */
export async function captureTables(q: Query, statements: PlannedStatement[]): Promise<TableInfo[]> {
  const names = [...new Set(statements.flatMap((s) => s.dmlTargets.map((t) => t.sql)))];
  if (names.length === 0) return [];
  const oids = (await q('SELECT DISTINCT to_regclass(x)::oid AS oid FROM unnest($1::text[]) AS x WHERE to_regclass(x) IS NOT NULL', [names])).rows.map((r) => Number(r.oid));
  if (oids.length === 0) return [];
  const rel = await q(
    `WITH RECURSIVE r(oid) AS (
       SELECT unnest($1::oid[])
       UNION
       SELECT con.conrelid FROM pg_constraint con JOIN r ON con.confrelid = r.oid
        WHERE con.contype = 'f' AND (con.confdeltype IN ('c', 'n', 'd') OR con.confupdtype IN ('c', 'n', 'd')))
     SELECT c.oid, n.nspname, c.relname FROM r JOIN pg_class c ON c.oid = r.oid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') ORDER BY array_position($1::oid[], c.oid) NULLS LAST, n.nspname, c.relname`,
    [oids],
  );
  const out: TableInfo[] = [];
  for (const r of rel.rows as { oid: string; nspname: string; relname: string }[]) {
    const oid = Number(r.oid);
    const cols = (await q("SELECT attname, attgenerated <> '' AS generated FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum", [oid])).rows.map((c) => ({
      name: c.attname as string,
      generated: c.generated === 't' || c.generated === true,
    }));
    const key = (
      await q(
        `SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
          WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord`,
        [oid],
      )
    ).rows.map((k) => k.attname as string);
    out.push({ oid, schema: r.nspname, name: r.relname, sql: `${qi(r.nspname)}.${qi(r.relname)}`, cols, key });
  }
  return out;
}

/**
 * Installs the capture triggers inside a savepoint. Returns undefined (and a note) when the
 * database refuses (no TRIGGER privilege, a column named like Airlock's own, ...).
 */
export async function installCapture(q: Query, plan: Plan, limits: { old: number; inserted: number }, notes: string[], tag: string, secrets: string[], opts: { mustDrop?: boolean } = {}): Promise<TableInfo[] | undefined> {
  const tables = await captureTables(q, plan.statements);
  if (tables.length === 0) return undefined;
  if (opts.mustDrop) {
    // A committed write must drop its trigger again before COMMIT, and only the table's owner may
    // (the TRIGGER privilege creates, it does not drop): without ownership, no capture at all.
    const r = await q("SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ') AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY($1::oid[]) AND NOT pg_has_role(c.relowner, 'USAGE')", [tables.map((t) => t.oid)]);
    const notOwned = (r.rows[0] as { t: string | null } | undefined)?.t;
    if (notOwned) {
      notes.push(`rows could not be captured (the login does not own ${notOwned}, and only an owner can remove the capture trigger before the commit): no before-image`);
      return undefined;
    }
  }
  await q('SAVEPOINT airlock_capture');
  try {
    for (const [i, t] of tables.entries()) {
      const cap = `pg_temp.airlock_cap_${i}`;
      const seq = (op: string): string => `pg_temp.airlock_seq_${i}_${op}`;
      await q(`CREATE TEMP TABLE airlock_cap_${i} (airlock_k bigint, airlock_op text, LIKE ${t.sql}) ON COMMIT DROP`);
      for (const op of ['d', 'u', 'i']) await q(`CREATE TEMP SEQUENCE airlock_seq_${i}_${op}`);
      await q(`CREATE FUNCTION pg_temp.airlock_fn_${i}() RETURNS trigger LANGUAGE plpgsql AS $airlock$
DECLARE k bigint;
BEGIN
IF TG_OP = 'DELETE' THEN
  k := nextval('${seq('d')}');
  IF k <= ${limits.old} THEN INSERT INTO ${cap} SELECT k, 'do', (OLD).*; END IF;
ELSIF TG_OP = 'UPDATE' THEN
  k := nextval('${seq('u')}');
  IF k <= ${limits.old} THEN INSERT INTO ${cap} SELECT k, 'uo', (OLD).*; INSERT INTO ${cap} SELECT k, 'un', (NEW).*; END IF;
ELSE
  k := nextval('${seq('i')}');
  IF k <= ${limits.inserted} THEN INSERT INTO ${cap} SELECT k, 'in', (NEW).*; END IF;
END IF;
RETURN NULL;
END
$airlock$`);
      await q(`CREATE TRIGGER ${qi(`airlock_capture_${tag}`)} AFTER INSERT OR UPDATE OR DELETE ON ${t.sql} FOR EACH ROW EXECUTE FUNCTION pg_temp.airlock_fn_${i}()`);
      (t as TableInfo & { trigger?: string }).trigger = `airlock_capture_${tag}`;
    }
    await q('RELEASE SAVEPOINT airlock_capture');
    return tables;
  } catch (e) {
    await q('ROLLBACK TO SAVEPOINT airlock_capture');
    notes.push(`rows could not be captured (${scrub(errMessage(e), secrets)}): counts only, no samples or before-image`);
    return undefined;
  }
}

export async function readCapture(q: Query, tables: TableInfo[]): Promise<Captured[]> {
  const out: Captured[] = [];
  for (const [i, t] of tables.entries()) {
    const count = async (op: string): Promise<number> => {
      const r = (await q(`SELECT last_value, is_called FROM pg_temp.airlock_seq_${i}_${op}`)).rows[0] as { last_value: string; is_called: string };
      return r.is_called === 't' ? Number(r.last_value) : 0;
    };
    const c: Captured = { table: t, deleted: await count('d'), updated: await count('u'), inserted: await count('i'), deletedRows: [], updatedOld: [], updatedNew: [], insertedRows: [] };
    out.push(c);
    if (c.deleted + c.updated + c.inserted === 0) continue;
    const rows = (await q(`SELECT * FROM pg_temp.airlock_cap_${i} ORDER BY airlock_op, airlock_k`, [], RAW_TYPES, 'array')).rows as unknown[][];
    for (const r of rows) {
      const obj: Record<string, unknown> = {};
      t.cols.forEach((col, j) => (obj[col.name] = r[2 + j] ?? null));
      const op = r[1] as string;
      if (op === 'do') c.deletedRows.push(obj);
      else if (op === 'uo') c.updatedOld.push(obj);
      else if (op === 'un') c.updatedNew.push(obj);
      else c.insertedRows.push(obj);
    }
  }
  return out;
}

export async function removeCapture(q: Query, tables: TableInfo[]): Promise<void> {
  for (const [i, t] of tables.entries()) {
    const trig = (t as TableInfo & { trigger?: string }).trigger;
    if (trig) await q(`DROP TRIGGER ${qi(trig)} ON ${t.sql}`);
    await q(`DROP FUNCTION pg_temp.airlock_fn_${i}()`);
    await q(`DROP TABLE pg_temp.airlock_cap_${i}`);
    for (const op of ['d', 'u', 'i']) await q(`DROP SEQUENCE pg_temp.airlock_seq_${i}_${op}`);
  }
}

export function imagesOf(c: Captured, limit: number): BeforeImage[] {
  return beforeImages(c, { table: c.table.name, schema: c.table.schema, dialect: 'postgres' }, limit);
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
