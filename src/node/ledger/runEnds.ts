/**
 * When and why a run ended, in a table of its own beside the ledger's runs (Airlock's home): the
 * agent's session ended (Claude Code / Gemini CLI `SessionEnd`, Copilot `sessionEnd`), or the run
 * was idle longer than the idle timeout. The run's status becomes `ended` with the reason. A later
 * call in the same session (a resumed session) makes it active again and clears the end.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { preparedOnce } from './sqlite';

const SCHEMA = `CREATE TABLE IF NOT EXISTS run_ends (
  run_id TEXT PRIMARY KEY,
  ended_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  source TEXT NOT NULL
);`;

export type RunEndSource = 'agent' | 'idle';

export interface RunEnd {
  run_id: string;
  ended_at: string;
  reason: string;
  source: RunEndSource;
}

export class RunEnds {
  /** Prepared once per connection: reopen runs on every call an agent makes. */
  private readonly statement: (sql: string) => BetterSqlite3.Statement;

  constructor(db: BetterSqlite3.Database) {
    db.exec(SCHEMA);
    this.statement = preparedOnce<BetterSqlite3.Statement>(db);
  }

  end(runId: string, at: string, reason: string, source: RunEndSource): void {
    this.statement("UPDATE runs SET status = 'ended', status_reason = ? WHERE id = ?").run(reason.slice(0, 500), runId);
    this.statement('INSERT OR REPLACE INTO run_ends (run_id, ended_at, reason, source) VALUES (?, ?, ?, ?)').run(runId, at, reason.slice(0, 500), source);
  }

  /**
   * A call arrived in an ended run (the session was resumed): active again. Asked on every call, so
   * it reads first: a DELETE that finds nothing still takes the database's write lock, and would
   * wait (the event loop with it) while the ledger's writer thread or another process commits.
   */
  reopen(runId: string): boolean {
    if (this.statement('SELECT 1 FROM run_ends WHERE run_id = ?').get(runId) === undefined) return false;
    const had = this.statement('DELETE FROM run_ends WHERE run_id = ?').run(runId).changes > 0;
    if (had) this.statement("UPDATE runs SET status = 'active', status_reason = NULL WHERE id = ? AND status = 'ended'").run(runId);
    return had;
  }

  /** Active runs whose last step (or start) is older than `before` (ISO time). */
  idleSince(before: string): Array<{ id: string; last: string }> {
    return this
      .statement(`SELECT r.id AS id, COALESCE((SELECT MAX(s.decided_at) FROM steps s WHERE s.run_id = r.id), r.started_at) AS last
        FROM runs r WHERE r.status = 'active'`)
      .all()
      .filter((r) => (r as { last: string }).last < before) as Array<{ id: string; last: string }>;
  }
}

/** Read-only: the end of each run, when the table exists (older ledgers have none). */
export function runEndsOf(db: BetterSqlite3.Database): Map<string, RunEnd> {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_ends'").get() !== undefined;
  if (!has) return new Map();
  return new Map((db.prepare('SELECT * FROM run_ends').all() as RunEnd[]).map((r) => [r.run_id, r]));
}
