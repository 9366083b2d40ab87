/**
 * Shared pieces of the database port: errors without secrets, URL parsing, JSON-safe values,
 * identifier quoting.
 */
import type { DbDialect } from './types';

export type DbErrorCode =
  /** The URL is malformed or names an unsupported database. */
  | 'invalid_url'
  /** The database could not be reached or opened. */
  | 'connection'
  /** The connection is read-only and the call would write. */
  | 'read_only'
  /** The statement is not accepted by this call (several statements, transaction control, ...). */
  | 'unsupported'
  /** The database rejected the statement. */
  | 'sql'
  /** restore() refused: truncated image, row changed since, ... */
  | 'restore_conflict'
  /** The connection is closed. */
  | 'closed'
  /** A per-run login could not be created (PostgreSQL). */
  | 'run_login';

/** An error whose message never contains a connection string or a password. */
export class DbError extends Error {
  constructor(
    readonly code: DbErrorCode,
    message: string,
    /** The database's own error code (SQLSTATE for PostgreSQL, SQLITE_* for SQLite), when it has one. */
    readonly dbCode?: string,
  ) {
    super(message);
    this.name = 'DbError';
  }
  get retryable(): boolean {
    return this.code === 'connection' || this.dbCode === '40001' || this.dbCode === '40P01' || this.dbCode === 'SQLITE_BUSY';
  }
}

export interface ParsedDbUrl {
  dialect: DbDialect;
  /** SQLite: the absolute file path. */
  path?: string;
  /** The URL with its password replaced by `***` (safe to show a person, never an agent). */
  masked: string;
  /** Secrets to scrub from any message (the URL itself, the password). */
  secrets: string[];
}

export function parseDbUrl(url: string): ParsedDbUrl {
  if (typeof url !== 'string' || url.length === 0) throw new DbError('invalid_url', 'empty database URL');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    // sqlite:///abs/path.db  (an absolute path only: a relative one would depend on the cwd)
    const m = /^sqlite:\/\/(\/[^?#]*)$/i.exec(url);
    if (!m) throw new DbError('invalid_url', 'a SQLite URL must be sqlite:///absolute/path.db');
    let path: string;
    try {
      path = decodeURIComponent(m[1]!);
    } catch {
      throw new DbError('invalid_url', 'the SQLite URL has a malformed percent escape');
    }
    if (path.includes('\0')) throw new DbError('invalid_url', 'the SQLite path contains a NUL byte');
    return { dialect: 'sqlite', path, masked: `sqlite://${path}`, secrets: [url, path] };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new DbError('invalid_url', 'the PostgreSQL URL is malformed');
    }
    const secrets = [url];
    if (u.password) {
      secrets.push(u.password);
      try {
        secrets.push(decodeURIComponent(u.password));
      } catch {
        // keep the raw form only
      }
    }
    const pw = u.searchParams.get('password');
    if (pw) secrets.push(pw);
    const masked = new URL(url);
    if (masked.password) masked.password = '***';
    if (masked.searchParams.has('password')) masked.searchParams.set('password', '***');
    return { dialect: 'postgres', masked: masked.toString(), secrets: secrets.filter((s) => s.length >= 3) };
  }
  throw new DbError('invalid_url', `unsupported database URL scheme${scheme ? ` "${scheme}:"` : ''} (use sqlite:///abs/path.db or postgres://...)`);
}

/** Removes every secret from a message. */
export function scrub(message: string, secrets: string[]): string {
  let out = message;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s) out = out.split(s).join('***');
  return out;
}

/** Turns any error into a DbError with a scrubbed message. */
export function toDbError(e: unknown, secrets: string[], code: DbErrorCode = 'sql'): DbError {
  if (e instanceof DbError) return new DbError(e.code, scrub(e.message, secrets), e.dbCode);
  const err = e as { message?: unknown; code?: unknown } | undefined;
  const msg = typeof err?.message === 'string' ? err.message : String(e);
  const dbCode = typeof err?.code === 'string' ? err.code : undefined;
  return new DbError(code, scrub(msg, secrets), dbCode);
}

/** A double-quoted SQL identifier. */
export function qi(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal. */
export function ql(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A SQLite value as a JSON-safe value (see DbValue). */
export function encodeSqliteValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : { $int: v.toString() };
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $real: String(v) };
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $base64: Buffer.from(v).toString('base64') };
  return v;
}

/** The inverse of encodeSqliteValue, for binding. */
export function decodeSqliteValue(v: unknown): unknown {
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$int === 'string') return BigInt(o.$int);
    if (typeof o.$base64 === 'string') return Buffer.from(o.$base64, 'base64');
    if (typeof o.$real === 'string') return Number(o.$real);
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

export function now(): number {
  return performance.now();
}

export function ms(start: number): number {
  return Math.round((performance.now() - start) * 1000) / 1000;
}

export const DEFAULT_ROW_CAP = 1000;
export const DEFAULT_SAMPLE_ROWS = 5;
export const DEFAULT_BEFORE_IMAGE_LIMIT = 10_000;

export function positiveInt(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 0) throw new DbError('unsupported', `${name} must be a non-negative integer`);
  return v;
}
