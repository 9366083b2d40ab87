/**
 * The database port behind Airlock's own database tools (`db_query`, `db_execute`, issue 6).
 * Agents never see connection strings: a connection is named, and opened by Airlock.
 *
 * Implementations: SQLite (better-sqlite3) and PostgreSQL (pg). The MCP tools and the VS Code
 * language model tools call only this interface.
 */
import type { BeforeImage, DbDialect } from '../../core/tools/beforeImage';

export type { DbDialect } from '../../core/tools/beforeImage';

export interface DbConnectionConfig {
  /** The name agents use (`main`, `analytics`). */
  name: string;
  /** `sqlite:///abs/path.db` or `postgres://user:pass@host:port/db`. Never shown to an agent. */
  url: string;
  /** The session itself is read-only at the database level (not just checked by Airlock). */
  readOnly?: boolean;
  /** Most rows a read returns (default 1000). */
  rowCap?: number;
  /** PostgreSQL: the URL revoke() opens its second session with (default: `url`; a per-run login passes the configured credentials). */
  adminUrl?: string;
}

/**
 * Values in rows that leave this layer are JSON-safe so they can be shown, stored in the ledger and
 * handed back to `restore()` unchanged:
 * - SQLite: numbers, strings, null; a BLOB is `{ $base64: '...' }`, an integer beyond 2^53 is
 *   `{ $int: '...' }`, a non-finite REAL is `{ $real: 'Infinity' }`.
 * - PostgreSQL: every value is PostgreSQL's own text form (or null), which the server parses back
 *   exactly into the column's type.
 */
export type DbValue = string | number | boolean | null | { $base64: string } | { $int: string } | { $real: string };

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
  /**
   * Rows affected per table: rows the statement deletes, updates or inserts (including rows that
   * foreign-key cascades and triggers change in captured tables), or the rows a TRUNCATE / DROP
   * TABLE would destroy. `before` holds old rows (deleted, or updated as they were), `after` new
   * rows (updated as they would become, or inserted), each at most `sampleRows`.
   */
  tables: DryRunTable[];
  /** Total rows affected by the statement(s), as the database counts them. */
  rowsAffected: number;
  durationMs: number;
  /** What the report could not cover (samples unavailable, sequences advanced, ...). */
  notes?: string[];
}

export interface DryRunTable {
  table: string;
  rowsAffected: number;
  before: Record<string, unknown>[];
  after: Record<string, unknown>[];
  /** Rows deleted / updated / inserted / destroyed by TRUNCATE or DROP, when known. */
  deleted?: number;
  updated?: number;
  inserted?: number;
  destroyed?: number;
}

export type { BeforeImage } from '../../core/tools/beforeImage';

export interface ExecuteResult {
  rowsAffected: number;
  /** The image of the statement's first affected table (kept for callers that handle one table). */
  beforeImage?: BeforeImage;
  /** Every image taken (several when cascades or triggers changed other tables), in restore order. */
  beforeImages?: BeforeImage[];
  /** Why no (complete) before-image was taken, when none was. */
  beforeImageNote?: string;
  durationMs: number;
}

export interface DbConnection {
  readonly name: string;
  readonly dialect: DbDialect;
  readonly readOnly: boolean;
  /** The login the statements run as, when Airlock created one for the run (a role name; never a password). */
  readonly login?: string;
  /** A read. Throws if the statement is not read-only (checked by the database session, not only by a parser). */
  query(sql: string, params?: unknown[], opts?: { rowCap?: number }): Promise<QueryResult>;
  /** Run a write inside a transaction and roll it back; report what it would do. Never commits. */
  dryRun(sql: string, params?: unknown[], opts?: { sampleRows?: number }): Promise<DryRunReport>;
  /** Run a write for real (after the gate allowed it), saving a before-image first within `beforeImageLimit` rows. */
  execute(sql: string, params?: unknown[], opts?: { beforeImageLimit?: number }): Promise<ExecuteResult>;
  /**
   * Undo an executed UPDATE/DELETE from its before-image(s), in one transaction: deleted rows are
   * inserted again, updated rows get their old values back. Refuses (and changes nothing) when an
   * image is truncated or a row was changed or re-inserted since.
   */
  restore(image: BeforeImage | BeforeImage[]): Promise<{ rowsRestored: number }>;
  close(): Promise<void>;
  /**
   * The kill switch: end the database session now, even in the middle of a statement (PostgreSQL:
   * pg_terminate_backend of this session's backend from a second session), and refuse every later
   * call. Resolves with what was revoked, for the kill report.
   */
  revoke(reason: string): Promise<string>;
}

export type OpenConnection = (config: DbConnectionConfig) => Promise<DbConnection>;

/** A connection as configured by name (`airlock mcp --db NAME=URL`, the connection registry). */
export interface DbSpec {
  name: string;
  url: string;
  readOnly: boolean;
}
