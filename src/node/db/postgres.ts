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
 *   the trigger again before COMMIT, so other sessions never see it. Creating a trigger needs the
 *   TRIGGER privilege on the table (without it a dry run still reports the database's row count,
 *   without samples); dropping it needs ownership, so execute() by a login that does not own the
 *   table runs without a before-image (it says so).
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
  parseDbUrl,
  positiveInt,
  qi,
  scrub,
  toDbError,
  type ParsedDbUrl,
} from './common';
import { planSql, type Plan } from './plan';
import { imagesOf, installCapture, RAW_TYPES, readCapture, removeCapture, type Query } from './postgresCapture';
import { restoreImage, restoreOrder } from './postgresRestore';
import { validateImage } from './sqlite';
import type { BeforeImage, DbConnection, DbConnectionConfig, DryRunReport, DryRunTable, ExecuteResult, QueryResult } from './types';

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

export async function openPostgres(config: DbConnectionConfig, url: ParsedDbUrl): Promise<DbConnection> {
  const client = new pg.Client({
    connectionString: config.url,
    application_name: `airlock:${config.name}`.slice(0, 63),
    connectionTimeoutMillis: 10_000,
    ...(config.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  const secrets = config.adminUrl ? [...url.secrets, ...parseDbUrl(config.adminUrl).secrets] : url.secrets;
  const conn = new PostgresConnection(config, client, secrets, config.adminUrl ?? config.url);
  client.on('error', (e) => conn.fail(e));
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw toDbError(e, url.secrets, 'connection');
  }
  if (config.readOnly) {
    const problem = await readOnlyProblem(client).catch((e: unknown) => `the check failed: ${scrub(e instanceof Error ? e.message : String(e), url.secrets)}`);
    if (problem) {
      await client.end().catch(() => undefined);
      throw new DbError('read_only', `connection ${config.name} is declared read-only, but ${problem}; give it a login that can only read (GRANT SELECT), or declare it read-write`);
    }
  }
  return conn;
}

/**
 * Is the session really read-only? `default_transaction_read_only` must be on, and the login must
 * not be able to turn it off and write: no superuser, no INSERT/UPDATE/DELETE/TRUNCATE on any
 * table outside the system schemas. The reason it is not, or undefined.
 */
async function readOnlyProblem(client: pg.Client): Promise<string | undefined> {
  const r = await client.query(`SELECT current_user AS login, current_setting('default_transaction_read_only') AS ro,
      (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super,
      (SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ' ORDER BY n.nspname, c.relname) FROM (
         SELECT c.oid, c.relname, c.relnamespace FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
            AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE') OR has_table_privilege(c.oid, 'TRUNCATE'))
          LIMIT 5) c JOIN pg_namespace n ON n.oid = c.relnamespace) AS writable`);
  const row = r.rows[0] as { login: string; ro: string; super: boolean; writable: string | null };
  if (row.super) return `its login ${row.login} is a superuser`;
  if (row.writable) return `its login ${row.login} can write ${row.writable}`;
  if (row.ro !== 'on') return 'the session is not read-only (default_transaction_read_only is off)';
  return undefined;
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
    /** What revoke()'s second session connects with. */
    private readonly url: string,
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

  /** `q` as a value, for the capture and restore functions. */
  private readonly query1: Query = (t, v, ty, rm) => this.q(t, v, ty, rm);

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
        const tables = await installCapture(this.query1, plan, { old: sample, inserted: sample }, notes, `${process.pid}_${++this.capSeq}`, this.secrets);
        const rowsAffected = await this.runStatements(plan, params);
        const captured = tables ? await readCapture(this.query1, tables) : [];
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
        const tables = wantImage ? await installCapture(this.query1, plan, { old: limit, inserted: 0 }, notes, `${process.pid}_${++this.capSeq}`, this.secrets, { mustDrop: true }) : undefined;
        const rowsAffected = await this.runStatements(plan, params);
        let images: BeforeImage[] = [];
        if (tables) {
          const captured = await readCapture(this.query1, tables);
          await removeCapture(this.query1, tables);
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
          result.beforeImages = await restoreOrder(this.query1, images);
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
        for (const im of await restoreOrder(this.query1, images)) n += await restoreImage(this.query1, im);
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

  async revoke(reason: string): Promise<string> {
    if (this.closed) return `${this.name}: already closed`;
    this.closed = true;
    this.broken = `revoked by the kill switch: ${reason}`;
    const pid = (this.client as unknown as { processID?: number }).processID;
    let how = 'closed';
    if (pid) {
      // The running statement would outlive a closed socket: terminate the backend from a second session.
      const side = new pg.Client({ connectionString: this.url, application_name: 'airlock:kill', connectionTimeoutMillis: 2000 });
      try {
        await side.connect();
        const r = await side.query('SELECT pg_terminate_backend($1) AS done', [pid]);
        how = r.rows[0]?.done ? `backend ${pid} terminated` : `backend ${pid} was already gone`;
      } catch (e) {
        how = `could not terminate backend ${pid} (${scrub(e instanceof Error ? e.message : String(e), this.secrets)}); its socket was closed`;
      } finally {
        await side.end().catch(() => undefined);
      }
    }
    await this.client.end().catch(() => undefined);
    return `${this.name} (postgres): ${how}`;
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
