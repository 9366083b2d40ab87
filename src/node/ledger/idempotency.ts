/**
 * Idempotency, retries and dead letters for the side effects Airlock itself carries out (its own
 * MCP tools, database writes). Its own SQLite file next to the ledger (`<home>/effects.sqlite`).
 *
 * - Every side-effecting call has a key (the caller's `idempotencyKey`, or the hash of run, tool
 *   and canonical arguments). `begin(key)` claims it; a retry with the same key gets the stored
 *   result (`replay`), or `in_progress` while the first is still running; the same key with other
 *   arguments is an `idempotency_conflict`.
 * - Transient failures (SQLITE_BUSY/LOCKED, PostgreSQL connection loss, serialization failures,
 *   EBUSY/EAGAIN) are retried a bounded number of times with exponential backoff and full jitter
 *   (`withRetries`). When the attempts are exhausted the call lands in `dead_letters` with its
 *   arguments and last error; `listDeadLetters`, `retryDeadLetter` and `discardDeadLetter` act on it.
 *
 * Architecture Invariant: a key whose effect completed is never carried out again through this
 * store; a dead letter is retried only through the caller's executor (which gates it again).
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { canonicalJson, sha256 } from '../../core/hash';
import type { BeforeImage } from '../../core/tools/beforeImage';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tool_effects (
  key TEXT PRIMARY KEY,
  tool TEXT NOT NULL,
  args_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'done', 'dead')),
  result_json TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  owner TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  tool TEXT NOT NULL,
  args_json TEXT NOT NULL,
  error TEXT NOT NULL,
  error_code TEXT,
  attempts INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('dead', 'retried', 'discarded')),
  created_at TEXT NOT NULL,
  resolved_at TEXT,
  resolution TEXT
);
CREATE INDEX IF NOT EXISTS dead_letters_status ON dead_letters (status, id);
CREATE TABLE IF NOT EXISTS before_images (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  connection TEXT NOT NULL,
  table_name TEXT NOT NULL,
  key_json TEXT NOT NULL,
  rows_json TEXT NOT NULL,
  truncated INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
`;

export interface RetryPolicy {
  /** Total attempts including the first (default 4). */
  attempts: number;
  /** First backoff in ms (default 50); doubles each time, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 50, maxDelayMs: 2000 };

const TRANSIENT_CODES = new Set([
  'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EBUSY', 'EAGAIN',
  // PostgreSQL SQLSTATEs: serialization failure, deadlock, too many connections, shutdown, cannot connect now
  '40001', '40P01', '53300', '57P01', '57P02', '57P03',
]);

/** Is this error worth retrying unchanged? */
export function isTransient(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  // The database port's errors say so themselves (DbError.retryable), with the database's own code in dbCode.
  if ((e as { retryable?: unknown }).retryable === true) return true;
  for (const code of [(e as { code?: unknown }).code, (e as { dbCode?: unknown }).dbCode]) if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || /^08/.test(code))) return true;
  const msg = (e as { message?: unknown }).message;
  return typeof msg === 'string' && /Connection terminated unexpectedly|connection is closed|Client has encountered a connection error/i.test(msg);
}

export function errorCode(e: unknown): string | undefined {
  const c = e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  return typeof c === 'string' ? c : undefined;
}

/** Backoff before attempt n+1 (n = 1 after the first failure): full jitter over an exponential cap. */
export function backoffMs(n: number, p: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (n - 1));
  return Math.floor(random() * cap);
}

export class RetriesExhausted extends Error {
  constructor(
    readonly last: unknown,
    readonly attempts: number,
  ) {
    super(`gave up after ${attempts} attempts: ${(last as Error)?.message ?? String(last)}`);
  }
}

/** Run `fn`, retrying transient failures. A non-transient failure is rethrown at once; exhausted retries throw RetriesExhausted. */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, p: RetryPolicy = DEFAULT_RETRY, sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Promise<{ value: T; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (e) {
      if (!isTransient(e)) throw e;
      if (attempt >= p.attempts) throw new RetriesExhausted(e, attempt);
      await sleep(backoffMs(attempt, p));
    }
  }
}

/** The key for a call without a caller-given key: run + tool + canonical arguments. */
export function derivedKey(runId: string, tool: string, args: Record<string, unknown>): string {
  return `auto:${sha256(canonicalJson({ runId, tool, args }))}`;
}
/** A caller-given key, scoped to the tool (the same key may be reused across tools). */
export function callerKey(tool: string, key: string): string {
  return `key:${tool}:${key}`;
}
export function argsHash(args: Record<string, unknown>): string {
  const { idempotencyKey: _k, ...rest } = args;
  return sha256(canonicalJson(rest));
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; result: unknown }
  | { kind: 'in_progress' }
  | { kind: 'conflict' }
  | { kind: 'dead'; deadLetterId: number | undefined };

export interface DeadLetter {
  id: number;
  key: string;
  tool: string;
  args: Record<string, unknown>;
  error: string;
  errorCode: string | null;
  attempts: number;
  status: 'dead' | 'retried' | 'discarded';
  createdAt: string;
  resolvedAt: string | null;
  resolution: string | null;
}

interface DeadRow {
  id: number;
  key: string;
  tool: string;
  args_json: string;
  error: string;
  error_code: string | null;
  attempts: number;
  status: 'dead' | 'retried' | 'discarded';
  created_at: string;
  resolved_at: string | null;
  resolution: string | null;
}

/** How long a 'running' claim is honoured before a retry may take it over (a crashed process). */
export const STALE_CLAIM_MS = 15 * 60 * 1000;

export class EffectStore {
  private constructor(
    private readonly db: BetterSqlite3.Database,
    readonly path: string,
    private readonly owner: string,
  ) {}

  static open(path: string): EffectStore {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const Database = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 2000');
    db.exec(SCHEMA);
    migrateBeforeImages(db);
    return new EffectStore(db, path, `${process.pid}:${Date.now().toString(36)}`);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Claim a key before acting (atomic). */
  begin(key: string, tool: string, args: Record<string, unknown>, now = new Date()): Claim {
    const h = argsHash(args);
    const iso = now.toISOString();
    return this.db.transaction((): Claim => {
      const row = this.db.prepare('SELECT tool, args_hash, state, result_json, updated_at FROM tool_effects WHERE key = ?').get(key) as { tool: string; args_hash: string; state: string; result_json: string | null; updated_at: string } | undefined;
      if (!row) {
        this.db.prepare('INSERT INTO tool_effects (key, tool, args_hash, state, attempts, owner, created_at, updated_at) VALUES (?, ?, ?, \'running\', 0, ?, ?, ?)').run(key, tool, h, this.owner, iso, iso);
        return { kind: 'claimed' };
      }
      if (row.tool !== tool || row.args_hash !== h) return { kind: 'conflict' };
      if (row.state === 'done') return { kind: 'replay', result: JSON.parse(row.result_json ?? 'null') };
      if (row.state === 'dead') {
        const d = this.db.prepare("SELECT id FROM dead_letters WHERE key = ? AND status = 'dead' ORDER BY id DESC LIMIT 1").get(key) as { id: number } | undefined;
        return { kind: 'dead', deadLetterId: d?.id };
      }
      if (now.getTime() - Date.parse(row.updated_at) > STALE_CLAIM_MS) {
        this.db.prepare("UPDATE tool_effects SET owner = ?, updated_at = ? WHERE key = ?").run(this.owner, iso, key);
        return { kind: 'claimed' };
      }
      return { kind: 'in_progress' };
    })();
  }

  /** The effect completed (successfully or not): store the result a retry gets. */
  complete(key: string, result: unknown, attempts: number): void {
    this.db.prepare("UPDATE tool_effects SET state = 'done', result_json = ?, attempts = ?, updated_at = ? WHERE key = ?").run(JSON.stringify(result), attempts, new Date().toISOString(), key);
  }

  /** Nothing was done (denied, invalid): forget the claim so a later retry is judged again. */
  release(key: string): void {
    this.db.prepare("DELETE FROM tool_effects WHERE key = ? AND state = 'running'").run(key);
  }

  /** Retries exhausted: mark the key dead and file a dead letter. Returns its id. */
  deadLetter(key: string, tool: string, args: Record<string, unknown>, error: unknown, attempts: number): number {
    const iso = new Date().toISOString();
    return this.db.transaction(() => {
      this.db.prepare("UPDATE tool_effects SET state = 'dead', attempts = ?, updated_at = ? WHERE key = ?").run(attempts, iso, key);
      const r = this.db
        .prepare("INSERT INTO dead_letters (key, tool, args_json, error, error_code, attempts, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'dead', ?)")
        .run(key, tool, JSON.stringify(args), (error as Error)?.message ?? String(error), errorCode(error) ?? null, attempts, iso);
      return Number(r.lastInsertRowid);
    })();
  }

  listDeadLetters(opts: { status?: DeadLetter['status'] | 'all'; limit?: number } = {}): DeadLetter[] {
    const status = opts.status ?? 'dead';
    const limit = Math.max(1, Math.min(opts.limit ?? 200, 10_000));
    const rows = (status === 'all' ? this.db.prepare('SELECT * FROM dead_letters ORDER BY id LIMIT ?').all(limit) : this.db.prepare('SELECT * FROM dead_letters WHERE status = ? ORDER BY id LIMIT ?').all(status, limit)) as DeadRow[];
    return rows.map(toDeadLetter);
  }

  getDeadLetter(id: number): DeadLetter | undefined {
    const r = this.db.prepare('SELECT * FROM dead_letters WHERE id = ?').get(id) as DeadRow | undefined;
    return r ? toDeadLetter(r) : undefined;
  }

  /**
   * Retry a dead letter through `execute` (which gates the call again and claims the key anew).
   * The letter is marked retried only when the executor reports that the effect completed.
   */
  async retryDeadLetter<R>(id: number, execute: (letter: DeadLetter) => Promise<{ completed: boolean; result: R }>): Promise<{ letter: DeadLetter; result: R } | { error: string }> {
    const letter = this.getDeadLetter(id);
    if (!letter) return { error: `no dead letter ${id}` };
    if (letter.status !== 'dead') return { error: `dead letter ${id} is already ${letter.status}` };
    // Free the key so the executor can claim it again.
    this.db.prepare("DELETE FROM tool_effects WHERE key = ? AND state = 'dead'").run(letter.key);
    const out = await execute(letter);
    if (out.completed) this.db.prepare("UPDATE dead_letters SET status = 'retried', resolved_at = ?, resolution = 'completed on retry' WHERE id = ? AND status = 'dead'").run(new Date().toISOString(), id);
    else {
      // Not completed: the key is dead again only if the executor filed a new letter; keep this one open otherwise.
      const still = this.db.prepare('SELECT state FROM tool_effects WHERE key = ?').get(letter.key) as { state: string } | undefined;
      if (still?.state === 'dead') this.db.prepare("UPDATE dead_letters SET status = 'retried', resolved_at = ?, resolution = 'failed again (see the newer letter)' WHERE id = ? AND status = 'dead'").run(new Date().toISOString(), id);
      else if (!still) this.db.prepare("INSERT OR IGNORE INTO tool_effects (key, tool, args_hash, state, attempts, owner, created_at, updated_at) VALUES (?, ?, ?, 'dead', ?, ?, ?, ?)").run(letter.key, letter.tool, argsHash(letter.args), letter.attempts, this.owner, letter.createdAt, new Date().toISOString());
    }
    return { letter: this.getDeadLetter(id)!, result: out.result };
  }

  /** Give up on a dead letter: the key stays dead (a retry of the call gets dead_lettered). */
  discardDeadLetter(id: number, reason = 'discarded by a person'): boolean {
    const r = this.db.prepare("UPDATE dead_letters SET status = 'discarded', resolved_at = ?, resolution = ? WHERE id = ? AND status = 'dead'").run(new Date().toISOString(), reason, id);
    return r.changes === 1;
  }

  /**
   * Rows saved before an approved UPDATE/DELETE (for undo). Returns the image id. `link` ties the
   * image to the ledger step that allowed the write and to the call's effect-store key, so an undo
   * can find every image of one statement.
   */
  saveBeforeImage(connection: string, image: BeforeImage, link: { stepId?: string; effectKey?: string } = {}): number {
    // The whole image (operation, columns, dialect, schema, after rows...): restore() needs all of it.
    const json = JSON.stringify(image, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    const r = this.db
      .prepare('INSERT INTO before_images (connection, table_name, key_json, rows_json, truncated, created_at, step_id, effect_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(connection, image.table, JSON.stringify(image.key), json, image.truncated ? 1 : 0, new Date().toISOString(), link.stepId ?? null, link.effectKey ?? null);
    return Number(r.lastInsertRowid);
  }

  beforeImages(connection?: string): StoredBeforeImage[] {
    const rows = (connection ? this.db.prepare('SELECT * FROM before_images WHERE connection = ? ORDER BY id').all(connection) : this.db.prepare('SELECT * FROM before_images ORDER BY id').all()) as ImageRow[];
    return rows.map(toStoredImage);
  }

  /**
   * The images of one db_execute call, in the order they were saved (restore order): `target` is
   * the ledger step id, the effect-store key, or the caller's idempotencyKey.
   */
  beforeImagesFor(target: string): StoredBeforeImage[] {
    const rows = this.db
      .prepare('SELECT * FROM before_images WHERE step_id = ? OR effect_key = ? OR effect_key = ? ORDER BY id')
      .all(target, target, callerKey('db_execute', target)) as ImageRow[];
    return rows.map(toStoredImage);
  }

  /** Recent calls with before-images, newest first (one entry per step / key), for a picker. */
  recentUndoable(limit = 50): { target: string; connection: string; tables: string[]; rows: number; truncated: boolean; createdAt: string; undoneAt: string | null }[] {
    const rows = this.db.prepare('SELECT * FROM before_images WHERE step_id IS NOT NULL OR effect_key IS NOT NULL ORDER BY id DESC LIMIT ?').all(Math.max(1, Math.min(limit * 20, 10_000))) as ImageRow[];
    const out = new Map<string, { target: string; connection: string; tables: string[]; rows: number; truncated: boolean; createdAt: string; undoneAt: string | null }>();
    for (const r of rows) {
      const target = r.step_id ?? r.effect_key!;
      const img = toStoredImage(r);
      const e = out.get(target) ?? { target, connection: r.connection, tables: [], rows: 0, truncated: false, createdAt: r.created_at, undoneAt: r.undone_at };
      if (!e.tables.includes(r.table_name)) e.tables.unshift(r.table_name);
      e.rows += img.rowsAffected ?? img.rows.length;
      e.truncated ||= img.truncated;
      out.set(target, e);
      if (out.size > limit) break;
    }
    return [...out.values()].slice(0, limit);
  }

  /** Mark images as undone (the undo itself is idempotent through its own effect key). */
  markUndone(ids: readonly number[], undoKey: string): void {
    const st = this.db.prepare('UPDATE before_images SET undone_at = ?, undo_key = ? WHERE id = ? AND undone_at IS NULL');
    const iso = new Date().toISOString();
    this.db.transaction(() => {
      for (const id of ids) st.run(iso, undoKey, id);
    })();
  }

  /** For tests and the panel: the stored state of a key. */
  stateOf(key: string): { state: string; attempts: number } | undefined {
    return this.db.prepare('SELECT state, attempts FROM tool_effects WHERE key = ?').get(key) as { state: string; attempts: number } | undefined;
  }
}

export type StoredBeforeImage = BeforeImage & { id: number; connection: string; createdAt: string; stepId: string | null; effectKey: string | null; undoneAt: string | null };

interface ImageRow {
  id: number;
  connection: string;
  table_name: string;
  key_json: string;
  rows_json: string;
  truncated: number;
  created_at: string;
  step_id: string | null;
  effect_key: string | null;
  undone_at: string | null;
}

function toStoredImage(r: ImageRow): StoredBeforeImage {
  return { ...(JSON.parse(r.rows_json) as BeforeImage), id: r.id, connection: r.connection, createdAt: r.created_at, stepId: r.step_id, effectKey: r.effect_key, undoneAt: r.undone_at };
}

/** Additive migration: before_images of older stores get the link and undo columns (NULL for old rows). */
function migrateBeforeImages(db: BetterSqlite3.Database): void {
  const have = new Set((db.prepare('PRAGMA table_info(before_images)').all() as { name: string }[]).map((c) => c.name));
  for (const [col, type] of [['step_id', 'TEXT'], ['effect_key', 'TEXT'], ['undone_at', 'TEXT'], ['undo_key', 'TEXT']] as const) {
    if (!have.has(col)) db.exec(`ALTER TABLE before_images ADD COLUMN ${col} ${type}`);
  }
  db.exec('CREATE INDEX IF NOT EXISTS before_images_step ON before_images (step_id); CREATE INDEX IF NOT EXISTS before_images_key ON before_images (effect_key);');
}

function toDeadLetter(r: DeadRow): DeadLetter {
  return { id: r.id, key: r.key, tool: r.tool, args: JSON.parse(r.args_json) as Record<string, unknown>, error: r.error, errorCode: r.error_code, attempts: r.attempts, status: r.status, createdAt: r.created_at, resolvedAt: r.resolved_at, resolution: r.resolution };
}
