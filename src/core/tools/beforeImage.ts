/**
 * The rows a database write changed, as they were before it (and, for updates, after it): what
 * Airlock saves before an approved UPDATE/DELETE so the write can be undone. Pure data, shared by
 * the database port (src/node/db) and the effect store that keeps it (src/node/ledger/idempotency.ts).
 */

/** The SQL dialects Airlock's own database tools open. */
export type DbDialect = 'sqlite' | 'postgres';

/** Rows saved before an approved UPDATE/DELETE so the step can be undone. */
export interface BeforeImage {
  /** The table's name (unqualified). */
  table: string;
  /** PostgreSQL: the table's schema. */
  schema?: string;
  /** Primary-key columns (or rowid for SQLite tables without one; empty for a PostgreSQL table without one). */
  key: string[];
  /** The rows as they were before the write (values as in `DbValue`). Empty when truncated. */
  rows: Record<string, unknown>[];
  /** True when more rows were affected than the limit allowed saving: no undo then. */
  truncated: boolean;
  /** What the write did to these rows (set by execute(); restore() needs it). */
  operation?: 'update' | 'delete';
  dialect?: DbDialect;
  /** Columns restore() writes back (generated columns excluded). */
  columns?: string[];
  /** For updates: the same rows as the write left them, in the same order (restore() refuses a row changed since). */
  after?: Record<string, unknown>[];
  /** Rows affected in this table (also when truncated). */
  rowsAffected?: number;
}
