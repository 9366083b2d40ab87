/**
 * PostgreSQL behind the database port (pg, one client per connection, calls serialized).
 *
 * - Every call runs in its own explicit transaction; the extended query protocol is always used,
 *   so one call is one statement (the server refuses `…; COMMIT; …` smuggled into a read).
 * - query() runs in `BEGIN READ ONLY` and is rolled back; a read-only connection also sets
 *   `default_transaction_read_only=on` for its whole session and refuses dryRun()/execute().
 *   Rows come through a cursor (`FETCH rowCap+1`), so a huge result is never pulled whole.
 * - dryRun() and execute() capture rows with a row-level AFTER trigger on each target table (and
 *   tables its foreign keys cascade to), whose function and capture tables live in the session's
 *   temporary schema. A dry run rolls the transaction back (the trigger with it); execute() drops
 *   the trigger again before COMMIT, so other sessions never see it. Creating a trigger needs
 *   ownership of (or the TRIGGER privilege on) the table: without it, a dry run still reports the
 *   database's row count, without samples, and execute() runs without a before-image (it says so).
 * - Captured values are PostgreSQL's own text forms: exact, and parsed back by the server into the
 *   column's type when restored.
 */
import pg from 'pg';
import {
  DEFAULT_BEFORE_IMAGE_LIMIT,
  DEFAULT_ROW_CAP,
  DEFAULT_SAMPLE_ROWS,
  DbError,
  ms,
  now,
  positiveInt,
  qi,
  scrub,
  toDbError,
  type ParsedDbUrl,
} from './common';
import { planSql, type Plan, type PlannedStatement } from './plan';
import { validateImage } from './sqlite';
import type { BeforeImage, DbConnection, DbConnectionConfig, DryRunReport, DryRunTable, ExecuteResult, QueryResult } from './types';

/** Every value as PostgreSQL's text form. */
const RAW_TYPES = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;
/** JSON-safe display values: small numbers, booleans and JSON parsed; everything else as text. */
const DISPLAY_OIDS = new Set([16, 20, 21, 23, 26, 114, 700, 701, 3802]);
const DISPLAY_TYPES = {
  getTypeParser: (oid: number, format?: string) => {
    if (format === 'binary') return (v: unknown) => v;
    if (oid === 20) return (v: string) => (Number.isSafeInteger(Number(v)) ? Number(v) : v); // int8: a number only when exact
    if (DISPLAY_OIDS.has(oid)) return pg.types.getTypeParser(oid, 'text');
    return (v: string) => v;
  },
} as unknown as pg.CustomTypesConfig;

const DML_KINDS = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

interface TableInfo {
  oid: number;
  schema: string;
  name: string;
  sql: string;
  cols: { name: string; generated: boolean }[];
  key: string[];
}

interface Captured {
  table: TableInfo;
  deleted: number;
  updated: number;
  inserted: number;
  deletedRows: Record<string, unknown>[];
  updatedOld: Record<string, unknown>[];
  updatedNew: Record<string, unknown>[];
  insertedRows: Record<string, unknown>[];
}

export async function openPostgres(config: DbConnectionConfig, url: ParsedDbUrl): Promise<DbConnection> {
  const client = new pg.Client({
    connectionString: config.url,
    application_name: 'airlock',
    connectionTimeoutMillis: 10_000,
    ...(config.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  const conn = new PostgresConnection(config, client, url.secrets);
  client.on('error', (e) => conn.fail(e));
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw toDbError(e, url.secrets, 'connection');
  }
  return conn;
}

class PostgresConnection implements DbConnection {
  readonly dialect = 'postgres' as const;
  readonly name: string;
  readonly readOnly: boolean;
  private readonly rowCap: number;
  private chain: Promise<unknown> = Promise.resolve();
  private broken: string | undefined;
  private closed = false;
  private capSeq = 0;

  constructor(
    config: DbConnectionConfig,
    private readonly client: pg.Client,
    private readonly secrets: string[],
  ) {
    this.name = config.name;
    this.readOnly = config.readOnly === true;
    this.rowCap = positiveInt(config.rowCap, DEFAULT_ROW_CAP, 'rowCap');
  }

  fail(e: unknown): void {
    this.broken = scrub(e instanceof Error ? e.message : String(e), this.secrets);
  }

  /** One call at a time on the client: transactions must not interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new DbError('closed', `connection ${this.name} is closed`);
      if (this.broken) throw new DbError('connection', `connection ${this.name} was lost: ${this.broken}`);
      return fn();
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private q(text: string, values: unknown[] = [], types: pg.CustomTypesConfig = RAW_TYPES, rowMode?: 'array'): Promise<pg.QueryResult> {
    return this.client.query({ text, values, types, ...(rowMode ? { rowMode } : {}), queryMode: 'extended' } as pg.QueryConfig);
  }

  private async rollback(): Promise<void> {
    await this.q('ROLLBACK').catch(() => undefined);
  }

  async query(sql: string, params: unknown[] = [], opts: { rowCap?: number } = {}): Promise<QueryResult> {
    const cap = positiveInt(opts.rowCap, this.rowCap, 'rowCap');
    const plan = planSql(sql, 'postgres');
    if (plan.statements.length !== 1) throw new DbError('unsupported', 'query() runs exactly one statement');
    const st = plan.statements[0]!;
    if (st.refused) throw new DbError('unsupported', st.refused);
    checkParams(params);
    return this.serial(async () => {
      try {
        await this.q('BEGIN READ ONLY');
        let res: pg.QueryResult;
        if (st.cursorable) {
          await this.q(`DECLARE airlock_read NO SCROLL CURSOR FOR ${st.text}`, params);
          res = await this.q(`FETCH FORWARD ${cap + 1} FROM airlock_read`, [], DISPLAY_TYPES);
        } else {
          res = await this.q(st.text, params, DISPLAY_TYPES);
        }
        await this.q('ROLLBACK');
        const columns = (res.fields ?? []).map((f) => f.name);
        const rows = (res.rows ?? []) as Record<string, unknown>[];
        return { columns, rows: rows.slice(0, cap), truncated: rows.length > cap };
      } catch (e) {
        await this.rollback();
        throw toDbError(e, this.secrets);
      }
    });
  }

  async dryRun(sql: string, params: unknown[] = [], opts: { sampleRows?: number } = {}): Promise<DryRunReport> {
    const start = now();
    if (this.readOnly) throw new DbError('read_only', `connection ${this.name} is read-only: no writes, not even rolled-back ones`);
    const sample = positiveInt(opts.sampleRows, DEFAULT_SAMPLE_ROWS, 'sampleRows');
    const plan = planSql(sql, 'postgres');
    checkPlan(plan, params);
    const nonTx = plan.statements.find((s) => s.nonTransactional);
    if (nonTx) return { possible: false, reason: nonTx.nonTransactional!, tables: [], rowsAffected: 0, durationMs: ms(start) };
    if (plan.escaping.length) return { possible: false, reason: `the statement has effects a rollback does not undo: ${plan.escaping.join('; ')}`, tables: [], rowsAffected: 0, durationMs: ms(start) };
    return this.serial(async () => {
      const notes: string[] = [];
      try {
        await this.q('BEGIN READ WRITE');
        const destroyed = await this.countDestroyed(plan, sample);
        const tables = await this.installCapture(plan, { old: sample, inserted: sample }, notes);
        const rowsAffected = await this.runStatements(plan, params);
        const captured = tables ? await this.readCapture(tables) : [];
        const out: DryRunTable[] = [...destroyed];
        for (const c of captured) {
          const n = c.deleted + c.updated + c.inserted;
          if (n === 0) continue;
          out.push({
            table: `${c.table.schema}.${c.table.name}`,
            rowsAffected: n,
            before: [...c.deletedRows, ...c.updatedOld].slice(0, sample),
            after: [...c.updatedNew, ...c.insertedRows].slice(0, sample),
            deleted: c.deleted,
            updated: c.updated,
            inserted: c.inserted,
          });
        }
        if (plan.statements.some((s) => s.kind === 'InsertStmt' || s.kind === 'MergeStmt')) notes.push('sequence values taken during the dry run are not given back (PostgreSQL sequences are not transactional)');
        const report: DryRunReport = { possible: true, tables: out, rowsAffected, durationMs: 0 };
        if (notes.length) report.notes = notes;
        return report;
      } catch (e) {
        if (isNotInTransaction(e)) return { possible: false, reason: scrub(errMessage(e), this.secrets), tables: [], rowsAffected: 0, durationMs: 0 };
        throw toDbError(e, this.secrets);
      } finally {
        await this.rollback();
      }
    }).then((r) => ({ ...r, durationMs: ms(start) }));
  }

  async execute(sql: string, params: unknown[] = [], opts: { beforeImageLimit?: number } = {}): Promise<ExecuteResult> {
    const start = now();
    if (this.readOnly) throw new DbError('read_only', `connection ${this.name} is read-only: writes are refused`);
    const limit = positiveInt(opts.beforeImageLimit, DEFAULT_BEFORE_IMAGE_LIMIT, 'beforeImageLimit');
    const plan = planSql(sql, 'postgres');
    checkPlan(plan, params);
    const nonTx = plan.statements.find((s) => s.nonTransactional);
    return this.serial(async () => {
      if (nonTx) {
        if (plan.statements.length > 1) throw new DbError('unsupported', `${nonTx.nonTransactional}: send it as a statement of its own`);
        try {
          const rowsAffected = await this.runStatements(plan, params);
          return { rowsAffected, durationMs: ms(start), beforeImageNote: `no before-image: ${nonTx.nonTransactional}` };
        } catch (e) {
          throw toDbError(e, this.secrets);
        }
      }
      const notes: string[] = [];
      const wantImage = limit > 0 && plan.statements.some((s) => s.changesRows);
      try {
        await this.q('BEGIN READ WRITE');
        const tables = wantImage ? await this.installCapture(plan, { old: limit, inserted: 0 }, notes) : undefined;
        const rowsAffected = await this.runStatements(plan, params);
        let images: BeforeImage[] = [];
        if (tables) {
          const captured = await this.readCapture(tables);
          await this.removeCapture(tables);
          images = captured.flatMap((c) => imagesOf(c, limit));
          // A single UPDATE/DELETE: its own table must account for every row the database counted
          // (triggers can be switched off by session_replication_role; then there is no image).
          const only = plan.statements.length === 1 ? plan.statements[0]! : undefined;
          if (only && (only.kind === 'UpdateStmt' || only.kind === 'DeleteStmt') && only.dmlTargets.length === 1) {
            const c = captured[0];
            const seen = c ? (only.kind === 'UpdateStmt' ? c.updated : c.deleted) : 0;
            if (seen < rowsAffected) {
              images = [];
              notes.push(`no before-image: the capture saw ${seen} of ${rowsAffected} rows`);
            }
          }
        }
        await this.q('COMMIT');
        const result: ExecuteResult = { rowsAffected, durationMs: ms(start) };
        if (images.length) {
          result.beforeImages = await this.restoreOrder(images);
          result.beforeImage = images[0]!;
          if (images.some((i) => i.truncated)) notes.push(`more than ${limit} rows affected: no before-image kept, the write cannot be undone by Airlock`);
        } else if (plan.statements.some((s) => s.destroys.length)) notes.push('TRUNCATE and DROP TABLE are not covered by before-images');
        if (notes.length) result.beforeImageNote = notes.join('; ');
        return result;
      } catch (e) {
        await this.rollback();
        throw toDbError(e, this.secrets);
      }
    });
  }

  async restore(image: BeforeImage | BeforeImage[]): Promise<{ rowsRestored: number }> {
    if (this.readOnly) throw new DbError('read_only', `connection ${this.name} is read-only: writes are refused`);
    const images = Array.isArray(image) ? image : [image];
    for (const im of images) {
      validateImage(im, 'postgres');
      if (typeof im.schema !== 'string') throw new DbError('restore_conflict', `before-image of table ${im.table} has no schema`);
    }
    return this.serial(async () => {
      try {
        await this.q('BEGIN READ WRITE');
        let n = 0;
        for (const im of await this.restoreOrder(images)) n += await this.restoreImage(im);
        await this.q('COMMIT');
        return { rowsRestored: n };
      } catch (e) {
        await this.rollback();
        throw toDbError(e, this.secrets, e instanceof DbError ? e.code : 'sql');
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.chain.catch(() => undefined);
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }

  // -------------------------------------------------------------------------------------------

  private async runStatements(plan: Plan, params: unknown[]): Promise<number> {
    let total = 0;
    for (const s of plan.statements) {
      const r = await this.q(s.text, params);
      if (DML_KINDS.has(s.kind)) total += r.rowCount ?? 0;
    }
    return total;
  }

  private async countDestroyed(plan: Plan, sample: number): Promise<DryRunTable[]> {
    const out: DryRunTable[] = [];
    for (const s of plan.statements) {
      for (const t of s.destroys) {
        const r = await this.q(
          "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p')",
          [t.sql],
        );
        const row = r.rows[0] as { nspname: string; relname: string } | undefined;
        if (!row) continue;
        const name = `${qi(row.nspname)}.${qi(row.relname)}`;
        const n = Number((await this.q(`SELECT count(*) AS n FROM ${name}`)).rows[0].n);
        const rows = (await this.q(`SELECT * FROM ${name} LIMIT ${sample}`)).rows as Record<string, unknown>[];
        out.push({ table: `${row.nspname}.${row.relname}`, rowsAffected: n, before: rows, after: [], destroyed: n });
      }
    }
    return out;
  }

  /** The tables to watch: DML targets and the tables their foreign keys cascade to. */
  private async captureTables(statements: PlannedStatement[]): Promise<TableInfo[]> {
    const names = [...new Set(statements.flatMap((s) => s.dmlTargets.map((t) => t.sql)))];
    if (names.length === 0) return [];
    const oids = (await this.q('SELECT DISTINCT to_regclass(x)::oid AS oid FROM unnest($1::text[]) AS x WHERE to_regclass(x) IS NOT NULL', [names])).rows.map((r) => Number(r.oid));
    if (oids.length === 0) return [];
    const rel = await this.q(
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
      const cols = (await this.q("SELECT attname, attgenerated <> '' AS generated FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum", [oid])).rows.map((c) => ({
        name: c.attname as string,
        generated: c.generated === 't' || c.generated === true,
      }));
      const key = (
        await this.q(
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
  private async installCapture(plan: Plan, limits: { old: number; inserted: number }, notes: string[]): Promise<TableInfo[] | undefined> {
    const tables = await this.captureTables(plan.statements);
    if (tables.length === 0) return undefined;
    const tag = `${process.pid}_${++this.capSeq}`;
    await this.q('SAVEPOINT airlock_capture');
    try {
      for (const [i, t] of tables.entries()) {
        const cap = `pg_temp.airlock_cap_${i}`;
        const seq = (op: string): string => `pg_temp.airlock_seq_${i}_${op}`;
        await this.q(`CREATE TEMP TABLE airlock_cap_${i} (airlock_k bigint, airlock_op text, LIKE ${t.sql}) ON COMMIT DROP`);
        for (const op of ['d', 'u', 'i']) await this.q(`CREATE TEMP SEQUENCE airlock_seq_${i}_${op}`);
        await this.q(`CREATE FUNCTION pg_temp.airlock_fn_${i}() RETURNS trigger LANGUAGE plpgsql AS $airlock$
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
        await this.q(`CREATE TRIGGER ${qi(`airlock_capture_${tag}`)} AFTER INSERT OR UPDATE OR DELETE ON ${t.sql} FOR EACH ROW EXECUTE FUNCTION pg_temp.airlock_fn_${i}()`);
        (t as TableInfo & { trigger?: string }).trigger = `airlock_capture_${tag}`;
      }
      await this.q('RELEASE SAVEPOINT airlock_capture');
      return tables;
    } catch (e) {
      await this.q('ROLLBACK TO SAVEPOINT airlock_capture');
      notes.push(`rows could not be captured (${scrub(errMessage(e), this.secrets)}): counts only, no samples or before-image`);
      return undefined;
    }
  }

  private async readCapture(tables: TableInfo[]): Promise<Captured[]> {
    const out: Captured[] = [];
    for (const [i, t] of tables.entries()) {
      const count = async (op: string): Promise<number> => {
        const r = (await this.q(`SELECT last_value, is_called FROM pg_temp.airlock_seq_${i}_${op}`)).rows[0] as { last_value: string; is_called: string };
        return r.is_called === 't' ? Number(r.last_value) : 0;
      };
      const c: Captured = { table: t, deleted: await count('d'), updated: await count('u'), inserted: await count('i'), deletedRows: [], updatedOld: [], updatedNew: [], insertedRows: [] };
      out.push(c);
      if (c.deleted + c.updated + c.inserted === 0) continue;
      const rows = (await this.q(`SELECT * FROM pg_temp.airlock_cap_${i} ORDER BY airlock_op, airlock_k`, [], RAW_TYPES, 'array')).rows as unknown[][];
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

  private async removeCapture(tables: TableInfo[]): Promise<void> {
    for (const [i, t] of tables.entries()) {
      const trig = (t as TableInfo & { trigger?: string }).trigger;
      if (trig) await this.q(`DROP TRIGGER ${qi(trig)} ON ${t.sql}`);
      await this.q(`DROP FUNCTION pg_temp.airlock_fn_${i}()`);
      await this.q(`DROP TABLE pg_temp.airlock_cap_${i}`);
      for (const op of ['d', 'u', 'i']) await this.q(`DROP SEQUENCE pg_temp.airlock_seq_${i}_${op}`);
    }
  }

  /** Deletes first, parents before the children that reference them; then updates. */
  private async restoreOrder(images: BeforeImage[]): Promise<BeforeImage[]> {
    const name = (im: BeforeImage): string => `${qi(im.schema ?? '')}.${qi(im.table)}`;
    const deletes = images.filter((i) => i.operation === 'delete');
    if (deletes.length > 1) {
      const names = [...new Set(deletes.map(name))];
      const edges = (
        await this.q(
          `SELECT format('%I.%I', cn.nspname, c.relname) AS child, format('%I.%I', pn.nspname, p.relname) AS parent
             FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
             JOIN pg_class p ON p.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace
            WHERE con.contype = 'f' AND con.conrelid <> con.confrelid
              AND con.conrelid = ANY (SELECT to_regclass(x) FROM unnest($1::text[]) x) AND con.confrelid = ANY (SELECT to_regclass(x) FROM unnest($1::text[]) x)`,
          [names],
        )
      ).rows as { child: string; parent: string }[];
      const norm = (s: string): string => s.replace(/"/g, '');
      const depth = new Map<string, number>();
      const d = (n: string, seen: Set<string> = new Set()): number => {
        if (depth.has(n)) return depth.get(n)!;
        if (seen.has(n)) return 0;
        seen.add(n);
        const parents = edges.filter((e) => norm(e.child) === norm(n)).map((e) => e.parent);
        const v = parents.length ? 1 + Math.max(...parents.map((p) => d(p, seen))) : 0;
        depth.set(n, v);
        return v;
      };
      deletes.sort((a, b) => d(name(a)) - d(name(b)));
    }
    return [...deletes, ...images.filter((i) => i.operation !== 'delete')];
  }

  private async restoreImage(im: BeforeImage): Promise<number> {
    const t = `${qi(im.schema!)}.${qi(im.table)}`;
    const cols = im.columns!;
    if (im.operation === 'delete') {
      if (cols.length === 0) return 0;
      const sql = `INSERT INTO ${t} (${cols.map(qi).join(', ')}) OVERRIDING SYSTEM VALUE VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`;
      for (const r of im.rows) await this.q(sql, cols.map((c) => r[c] ?? null));
      return im.rows.length;
    }
    let n = 0;
    for (const [i, old] of im.rows.entries()) {
      const aft = im.after![i]!;
      const changed = cols.filter((c) => (old[c] ?? null) !== (aft[c] ?? null));
      const values: unknown[] = [];
      const p = (v: unknown): string => {
        values.push(v ?? null);
        return `$${values.length}`;
      };
      const sets = changed.map((c) => `${qi(c)} = ${p(old[c])}`);
      const match = cols.map((c) => `${qi(c)}::text IS NOT DISTINCT FROM ${p(aft[c])}::text`).join(' AND ');
      const where = im.key.length ? match : `ctid = (SELECT ctid FROM ${t} WHERE ${match} LIMIT 1)`;
      const sql = sets.length ? `UPDATE ${t} SET ${sets.join(', ')} WHERE ${where}` : `SELECT 1 FROM ${t} WHERE ${where}`;
      const r = await this.q(sql, values);
      if ((r.rowCount ?? 0) !== 1) {
        throw new DbError('restore_conflict', `a row of ${im.schema}.${im.table} was changed since the write (key ${JSON.stringify(Object.fromEntries(im.key.map((k) => [k, aft[k]])))}): nothing restored`);
      }
      n++;
    }
    return n;
  }
}

function imagesOf(c: Captured, limit: number): BeforeImage[] {
  const out: BeforeImage[] = [];
  const columns = c.table.cols.filter((x) => !x.generated).map((x) => x.name);
  const base = { table: c.table.name, schema: c.table.schema, key: c.table.key, dialect: 'postgres' as const, columns };
  if (c.deleted > 0) {
    const truncated = c.deleted > limit;
    out.push({ ...base, operation: 'delete', rows: truncated ? [] : c.deletedRows, truncated, rowsAffected: c.deleted });
  }
  if (c.updated > 0) {
    const truncated = c.updated > limit;
    out.push({ ...base, operation: 'update', rows: truncated ? [] : c.updatedOld, after: truncated ? [] : c.updatedNew, truncated, rowsAffected: c.updated });
  }
  return out;
}

function checkParams(params: unknown[]): void {
  if (!Array.isArray(params)) throw new DbError('unsupported', 'params must be an array');
}

function checkPlan(plan: Plan, params: unknown[]): void {
  checkParams(params);
  if (params.length > 0 && plan.statements.length > 1) throw new DbError('unsupported', 'parameters are accepted for a single statement only');
  const refused = plan.statements.find((s) => s.refused);
  if (refused) throw new DbError('unsupported', refused.refused!);
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** SQLSTATE 25001: the server says the statement cannot run inside a transaction block. */
function isNotInTransaction(e: unknown): boolean {
  return (e as { code?: unknown })?.code === '25001';
}
