/**
 * The database port behind Airlock's own database tools (`db_query`, `db_execute`, issue 6).
 * Agents never see connection strings: a connection is named, and opened by Airlock.
 *
 * Implementations: SQLite (better-sqlite3) and PostgreSQL (pg). The MCP tools and the VS Code
 * language model tools call only this interface.
 */
export type DbDialect = 'sqlite' | 'postgres';

export interface DbConnectionConfig {
  /** The name agents use (`main`, `analytics`). */
  name: string;
  /** `sqlite:///abs/path.db` or `postgres://user:pass@host:port/db`. Never shown to an agent. */
  url: string;
  /** The session itself is read-only at the database level (not just checked by Airlock). */
  readOnly?: boolean;
  /** Most rows a read returns (default 1000). */
  rowCap?: number;
}

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
  /** True when more rows existed than the row cap allowed. */
  truncated: boolean;
}

/** What a write would do, measured inside a transaction that is rolled back. */
export interface DryRunReport {
  /** False when the statement cannot run inside a transaction (VACUUM, CREATE DATABASE, ...). */
  possible: boolean;
  /** Why a dry run was not possible, when it was not. */
  reason?: string;
  /** Rows affected per table. */
  tables: { table: string; rowsAffected: number; before: Record<string, unknown>[]; after: Record<string, unknown>[] }[];
  /** Total rows affected by the statement. */
  rowsAffected: number;
  durationMs: number;
}

/** Rows saved before an approved UPDATE/DELETE so the step can be undone. */
export interface BeforeImage {
  table: string;
  /** Primary-key columns (or rowid for SQLite tables without one). */
  key: string[];
  rows: Record<string, unknown>[];
  /** True when more rows were affected than the limit allowed saving: no undo then. */
  truncated: boolean;
}

export interface ExecuteResult {
  rowsAffected: number;
  beforeImage?: BeforeImage;
  durationMs: number;
}

export interface DbConnection {
  readonly name: string;
  readonly dialect: DbDialect;
  readonly readOnly: boolean;
  /** A read. Throws if the statement is not read-only (checked by the database session, not only by a parser). */
  query(sql: string, params?: unknown[], opts?: { rowCap?: number }): Promise<QueryResult>;
  /** Run a write inside a transaction and roll it back; report what it would do. Never commits. */
  dryRun(sql: string, params?: unknown[], opts?: { sampleRows?: number }): Promise<DryRunReport>;
  /** Run a write for real (after the gate allowed it), saving a before-image first within `beforeImageLimit` rows. */
  execute(sql: string, params?: unknown[], opts?: { beforeImageLimit?: number }): Promise<ExecuteResult>;
  /** Undo an executed UPDATE/DELETE from its before-image. */
  restore(image: BeforeImage): Promise<{ rowsRestored: number }>;
  close(): Promise<void>;
}

export type OpenConnection = (config: DbConnectionConfig) => Promise<DbConnection>;
