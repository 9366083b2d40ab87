/**
 * Scoped database tools: named, typed queries a connection declares, which Airlock exposes as MCP
 * tools with strict input schemas; free-form SQL on that connection can be switched off.
 *
 *   databases: { app: { freeForm: false, queries: { get_customer_by_id: {
 *     sql: 'SELECT id, name, email FROM customers WHERE id = $1',
 *     params: { id: { type: 'integer' } }, columns: ['id', 'name', 'email'], rowCap: 10 } } } }
 *
 * Parameters bind positionally in the order they are declared ($1 is the first key of `params`).
 * Each query becomes its own tool, `db_<connection>_<query>`: the agent sees a narrow schema per
 * tool (not a generic "name + args" tool whose arguments no client can check before calling).
 *
 * Architecture Invariants:
 * - The input schema is strict: an undeclared argument is refused, nothing runs.
 * - Only the listed columns come back, at most rowCap rows (the cap is reported, never silent).
 * - Pure: no I/O. Running the query (through the gate, as a sql read on that connection) is the
 *   node side's job.
 */
import { z } from 'zod';
import { lazySchema } from '../lazySchema';
import { RunLogin } from './runLogin';

const Ident = lazySchema(() => z.string().regex(/^[a-z][a-z0-9_]{0,47}$/, 'lower-case letters, digits and _, starting with a letter (at most 48)'));

export const QueryParam = lazySchema(() => z
  .strictObject({
    type: z.enum(['integer', 'number', 'string', 'boolean']),
    description: z.string().max(300).optional(),
    maxLength: z.number().int().min(1).max(100_000).optional().describe('strings only: the longest value accepted (default 1000)'),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .describe('One typed parameter of a named query.'));
export type QueryParam = z.infer<typeof QueryParam>;

export const NamedQuery = lazySchema(() => z
  .strictObject({
    sql: z.string().min(1).max(10_000).describe('The statement, with $1, $2 … bound to params in declaration order (SQLite accepts ?NNN / $1 as well).'),
    params: z.record(Ident, QueryParam).default({}),
    columns: z.array(z.string().min(1).max(128)).min(1).max(200).describe('The only columns returned to the agent.'),
    rowCap: z.number().int().min(1).max(10_000).default(100),
    description: z.string().max(500).optional(),
  })
  .superRefine((q, ctx) => {
    const n = Object.keys(q.params).length;
    const used = new Set([...q.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    for (const i of used) if (i < 1 || i > n) ctx.addIssue({ code: 'custom', path: ['sql'], message: `$${i} has no declared parameter (${n} declared)` });
    for (let i = 1; i <= n; i++) if (!used.has(i)) ctx.addIssue({ code: 'custom', path: ['params'], message: `parameter ${Object.keys(q.params)[i - 1]} ($${i}) is not used by the sql` });
  }));
export type NamedQuery = z.infer<typeof NamedQuery>;

export const DatabaseScope = lazySchema(() => z
  .strictObject({
    freeForm: z.boolean().default(true).describe('false: db_query / db_execute refuse this connection; only its named queries run.'),
    queries: z.record(Ident, NamedQuery).default({}),
    runLogin: RunLogin.optional(),
  })
  .describe('What agents may run on one connection.'));
export type DatabaseScope = z.infer<typeof DatabaseScope>;

export const namedQueryToolName = (connection: string, query: string): string => `db_${connection}_${query}`;

/** The strict input schema of one named query's tool. */
export function namedQueryInput(q: NamedQuery): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, p] of Object.entries(q.params)) {
    let t: z.ZodType;
    if (p.type === 'string') t = z.string().max(p.maxLength ?? 1000);
    else if (p.type === 'boolean') t = z.boolean();
    else {
      let n = p.type === 'integer' ? z.number().int() : z.number();
      if (p.min !== undefined) n = n.min(p.min);
      if (p.max !== undefined) n = n.max(p.max);
      t = n;
    }
    shape[name] = p.description ? t.describe(p.description) : t;
  }
  return z.strictObject(shape) as unknown as z.ZodType<Record<string, unknown>>;
}

/** The bound values, in the declared order. `args` must have passed namedQueryInput. */
export function boundParams(q: NamedQuery, args: Record<string, unknown>): unknown[] {
  return Object.keys(q.params).map((k) => args[k]);
}

/** Only the listed columns, at most rowCap rows; `truncated` says the cap cut the result. */
export function shapeRows(q: NamedQuery, rows: readonly Record<string, unknown>[]): { rows: Record<string, unknown>[]; truncated: boolean } {
  const kept = rows.slice(0, q.rowCap).map((r) => Object.fromEntries(q.columns.map((c) => [c, r[c] ?? null])));
  return { rows: kept, truncated: rows.length > q.rowCap };
}

/** Why free-form SQL is refused on a connection (undefined: it is not). */
export function freeFormRefusal(scopes: Record<string, DatabaseScope>, connection: string, tool: string): string | undefined {
  const s = scopes[connection];
  if (!s || s.freeForm) return undefined;
  const names = Object.keys(s.queries).map((q) => namedQueryToolName(connection, q));
  return `free-form SQL is switched off on connection ${connection} (${tool} refused; nothing was run); use its named queries: ${names.join(', ') || 'none are declared'}`;
}
