/**
 * The database tools carried out: db_query (reads only, refused otherwise) and db_execute (a write
 * likely to be asked is dry-run first in a rolled-back transaction; an approved UPDATE/DELETE
 * saves before-images so it can be undone).
 */
import { classifySql } from '../../core/classify/sql';
import { rankOf } from '../../core/effects';
import { freeFormRefusal, shapeRows, type DatabaseScope } from '../../core/policy/namedQueries';
import type { DryRunSummary } from '../../core/tools/airlockTools';
import type { DbConnection, DryRunReport } from '../db/types';
import type { EffectStore } from '../ledger/idempotency';
import { ToolFailure, type Prepared } from './prepared';

export interface DbToolContext {
  db(name: string): DbConnection;
  store: EffectStore;
  beforeImageLimit?: number;
  /** Named queries and the free-form switch per connection (from the policy). */
  scopes?: Record<string, DatabaseScope>;
}

/** Internal argument marking a db_query call made by a named query's tool: `<connection>.<query>`. */
export const NAMED_QUERY_ARG = 'namedQuery';

/** Dry-run reports are shown to a person and put in envelopes: bounded samples, JSON-safe values. */
export function summarizeDryRun(r: DryRunReport): DryRunSummary {
  const safe = (rows: Record<string, unknown>[]): Record<string, unknown>[] => JSON.parse(JSON.stringify(rows.slice(0, 5), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? `<${v.length} bytes>` : v))) as Record<string, unknown>[];
  return {
    possible: r.possible,
    ...(r.reason ? { reason: r.reason } : {}),
    rowsAffected: Math.max(0, Math.trunc(r.rowsAffected)),
    tables: r.tables.map((t) => ({ table: t.table, rowsAffected: Math.max(0, Math.trunc(t.rowsAffected)), before: safe(t.before), after: safe(t.after) })),
    durationMs: Math.max(0, r.durationMs),
    ...(r.notes?.length ? { notes: r.notes } : {}),
  };
}

export function describeDryRun(d: DryRunSummary): string {
  if (!d.possible) return `Airlock dry run: not possible (${d.reason ?? 'the statement cannot run inside a transaction'}); asked without one.`;
  const per = d.tables.map((t) => `${t.table}: ${t.rowsAffected} row(s)`).join(', ') || 'no table';
  const sample = d.tables
    .filter((t) => t.before.length || t.after.length)
    .map((t) => `${t.table} before ${JSON.stringify(t.before.slice(0, 2))} after ${JSON.stringify(t.after.slice(0, 2))}`)
    .join('; ');
  const notes = d.notes?.length ? ` Not covered: ${d.notes.join('; ')}.` : '';
  const text = `Airlock dry run (rolled back): ${d.rowsAffected} row(s) affected (${per}).${sample ? ` Sample: ${sample}` : ''}${notes}`;
  return text.length > 3800 ? `${text.slice(0, 3797)}...` : text;
}

export async function prepareDbTool(name: 'db_query' | 'db_execute', a: Record<string, unknown>, ctx: DbToolContext, opts: { dryRun?: boolean } = {}): Promise<Prepared> {
  switch (name) {
    case 'db_query': {
      const conn = ctx.db(a.connection as string);
      const named = typeof a[NAMED_QUERY_ARG] === 'string' ? ctx.scopes?.[conn.name]?.queries[(a[NAMED_QUERY_ARG] as string).slice(conn.name.length + 1)] : undefined;
      if (!named) {
        const refused = freeFormRefusal(ctx.scopes ?? {}, conn.name, name);
        if (refused) throw new ToolFailure('denied', refused);
      }
      const sql = a.sql as string;
      const c = classifySql(sql, conn.dialect);
      if (c.reversibility !== 'read') throw new ToolFailure('invalid_input', `db_query runs reads only, and this statement ${c.reversibility === 'unknown' ? 'could not be analysed' : 'writes'} (${c.effects.map((e) => e.detail).join('; ')}); use db_execute for writes; nothing was run`);
      return {
        action: { kind: 'sql', sql, dialect: conn.dialect, connection: conn.name, ...(conn.login ? { login: conn.login } : {}) },
        run: async () => {
          const r = await conn.query(sql, (a.params as unknown[] | undefined) ?? [], a.rowCap ? { rowCap: a.rowCap as number } : {});
          if (!named) return { data: r };
          // A named query returns only its listed columns, at most its row cap.
          const shaped = shapeRows(named, r.rows);
          return { data: { columns: [...named.columns], rows: shaped.rows, truncated: r.truncated || shaped.truncated } };
        },
      };
    }
    case 'db_execute': {
      const conn = ctx.db(a.connection as string);
      const refused = freeFormRefusal(ctx.scopes ?? {}, conn.name, name);
      if (refused) throw new ToolFailure('denied', refused);
      if (conn.readOnly) throw new ToolFailure('denied', `connection ${conn.name} is read-only; nothing was run`);
      const sql = a.sql as string;
      const params = (a.params as unknown[] | undefined) ?? [];
      const c = classifySql(sql, conn.dialect);
      let dry: DryRunSummary | undefined;
      let description: string | undefined;
      if (opts.dryRun !== false && rankOf(c.reversibility) >= rankOf('irreversible')) {
        // Likely asked: measure what it would do, inside a transaction that is rolled back.
        const dryable = c.effects.every((e) => e.kind === 'create' || e.kind === 'write' || e.kind === 'overwrite' || e.kind === 'delete' || e.kind === 'read');
        if (!dryable) dry = { possible: false, reason: `not dry-run: the statement has effects a rolled-back transaction may not contain (${c.effects.map((e) => e.kind).join(', ')})`, rowsAffected: 0, tables: [], durationMs: 0 };
        else {
          try {
            dry = summarizeDryRun(await conn.dryRun(sql, params, { sampleRows: 5 }));
          } catch (e) {
            dry = { possible: false, reason: `the dry run failed: ${(e as Error)?.message ?? String(e)}`, rowsAffected: 0, tables: [], durationMs: 0 };
          }
        }
        description = describeDryRun(dry);
      }
      return {
        action: { kind: 'sql', sql, dialect: conn.dialect, connection: conn.name, ...(conn.login ? { login: conn.login } : {}) },
        ...(description ? { description } : {}),
        ...(dry ? { details: { dryRun: dry } } : {}),
        run: async (link) => {
          const r = await conn.execute(sql, params, { beforeImageLimit: ctx.beforeImageLimit ?? 10_000 });
          const images = r.beforeImages ?? (r.beforeImage ? [r.beforeImage] : []);
          for (const img of images) ctx.store.saveBeforeImage(conn.name, img, link ?? {});
          return {
            data: {
              rowsAffected: Math.max(0, Math.trunc(r.rowsAffected)),
              ...(images.length ? { beforeImages: images.map((i) => ({ table: i.table, rows: i.rows.length, truncated: i.truncated })) } : {}),
              ...(r.beforeImageNote ? { beforeImageNote: r.beforeImageNote } : {}),
              ...(dry ? { dryRun: dry } : {}),
              durationMs: r.durationMs,
            },
          };
        },
      };
    }
  }
}
