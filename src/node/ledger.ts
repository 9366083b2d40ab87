/**
 * The run ledger: SQLite (better-sqlite3) outside the workspace, WAL, one transaction per step.
 *
 * - A session id from an agent maps to one run (`runs`, unique on agent + session id).
 * - Each step row has a per-run sequence number and a hash chain over all steps: `hash` =
 *   sha256(prev_hash + canonical JSON of the row without `hash`), `prev_hash` = the hash of the
 *   step written before it (any run). Editing or deleting a row breaks the chain (`airlock verify`,
 *   later issue). Steps are append-only: a post outcome is its own row (event 'post', ref_seq =
 *   the pre step it completes), so no written row ever changes.
 * - synchronous=NORMAL under WAL: a committed step survives a crash of the process (not
 *   necessarily of the machine's power), which is the failure the gate must survive.
 *
 * Writes throw on failure; the gate turns a failed write of a mutating step into a deny
 * ("cannot record, so do not act").
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { canonicalJson, sha256 } from '../core/hash';
import { openSqlite, sqliteDriverOf, type SqliteDriverInfo } from './sqlite';

export const LEDGER_SCHEMA_VERSION = 1;
export const GENESIS_HASH = '0'.repeat(64);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  agent TEXT NOT NULL,
  session_id TEXT NOT NULL,
  started_at TEXT NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT,
  last_seq INTEGER NOT NULL DEFAULT 0,
  UNIQUE (agent, session_id)
);
CREATE TABLE IF NOT EXISTS steps (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(id),
  seq INTEGER NOT NULL,
  event TEXT NOT NULL,
  ref_seq INTEGER,
  agent TEXT NOT NULL,
  session_id TEXT NOT NULL,
  subagent_id TEXT,
  tool TEXT NOT NULL,
  tool_use_id TEXT,
  kind TEXT,
  action_json TEXT,
  action_hash TEXT,
  decision TEXT NOT NULL,
  reversibility TEXT NOT NULL,
  reasons_json TEXT NOT NULL,
  rules_json TEXT NOT NULL,
  effects_json TEXT NOT NULL,
  policy_hash TEXT NOT NULL,
  description TEXT,
  started_at TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  duration_us INTEGER NOT NULL,
  outcome_json TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (run_id, seq)
);
CREATE INDEX IF NOT EXISTS steps_run ON steps (run_id, seq);
`;

export interface RunRow {
  id: string;
  agent: string;
  session_id: string;
  started_at: string;
  status: string;
  status_reason: string | null;
  last_seq: number;
}

/** One step as the gate hands it over (the ledger adds id, seq, hashes). */
export interface StepInput {
  runId: string;
  event: 'pre' | 'post';
  refSeq?: number;
  agent: string;
  sessionId: string;
  subagentId?: string;
  tool: string;
  toolUseId?: string;
  kind?: string;
  action?: unknown;
  actionHash?: string;
  decision: string;
  reversibility: string;
  reasons: string[];
  rules: string[];
  effects: unknown[];
  policyHash: string;
  description?: string;
  startedAt: string;
  decidedAt: string;
  durationUs: number;
  outcome?: unknown;
}

export interface StepRow {
  id: string;
  run_id: string;
  seq: number;
  event: string;
  ref_seq: number | null;
  agent: string;
  session_id: string;
  subagent_id: string | null;
  tool: string;
  tool_use_id: string | null;
  kind: string | null;
  action_json: string | null;
  action_hash: string | null;
  decision: string;
  reversibility: string;
  reasons_json: string;
  rules_json: string;
  effects_json: string;
  policy_hash: string;
  description: string | null;
  started_at: string;
  decided_at: string;
  duration_us: number;
  outcome_json: string | null;
  prev_hash: string;
  hash: string;
}

/** The hash of a step row: sha256 over prev_hash + the canonical row without `hash`. */
export function stepHash(row: Omit<StepRow, 'hash'>): string {
  return sha256(row.prev_hash + canonicalJson(row));
}

type Database = BetterSqlite3.Database;

export class Ledger {
  private lastHash: string;
  private readonly insertStep: BetterSqlite3.Statement;
  private readonly bumpSeq: BetterSqlite3.Statement;

  private constructor(
    private readonly db: Database,
    readonly path: string,
  ) {
    const last = db.prepare('SELECT hash FROM steps ORDER BY rowid DESC LIMIT 1').get() as { hash: string } | undefined;
    this.lastHash = last?.hash ?? GENESIS_HASH;
    this.insertStep = db.prepare(`INSERT INTO steps (id, run_id, seq, event, ref_seq, agent, session_id, subagent_id, tool, tool_use_id, kind, action_json, action_hash,
      decision, reversibility, reasons_json, rules_json, effects_json, policy_hash, description, started_at, decided_at, duration_us, outcome_json, prev_hash, hash)
      VALUES (@id, @run_id, @seq, @event, @ref_seq, @agent, @session_id, @subagent_id, @tool, @tool_use_id, @kind, @action_json, @action_hash,
      @decision, @reversibility, @reasons_json, @rules_json, @effects_json, @policy_hash, @description, @started_at, @decided_at, @duration_us, @outcome_json, @prev_hash, @hash)`);
    this.bumpSeq = db.prepare('UPDATE runs SET last_seq = ? WHERE id = ?');
  }

  /** Open (creating if needed) the ledger at `path`. Throws with the reason if it cannot. */
  static open(path: string): Ledger {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // better-sqlite3 is native and external to the bundle: load it only when a ledger is opened,
    // so the hook shim (which never opens one) does not pay for it. node:sqlite when it cannot load.
    const db = openSqlite(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    const v = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    if (!v) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(LEDGER_SCHEMA_VERSION);
    else if (v.version !== LEDGER_SCHEMA_VERSION) {
      db.close();
      throw new Error(`ledger ${path} has schema version ${v.version}; this Airlock reads ${LEDGER_SCHEMA_VERSION}`);
    }
    return new Ledger(db, path);
  }

  /** Which SQLite driver this ledger runs on (better-sqlite3, or node:sqlite and why): log it at open. */
  get driver(): SqliteDriverInfo | undefined {
    return sqliteDriverOf(this.db);
  }

  /** The run for an agent's session, created on first sight. */
  runFor(agent: string, sessionId: string, now: string): RunRow {
    const get = this.db.prepare('SELECT * FROM runs WHERE agent = ? AND session_id = ?');
    const found = get.get(agent, sessionId) as RunRow | undefined;
    if (found) return found;
    this.db.prepare("INSERT OR IGNORE INTO runs (id, agent, session_id, started_at, status, last_seq) VALUES (?, ?, ?, ?, 'active', 0)").run(randomUUID(), agent, sessionId, now);
    return get.get(agent, sessionId) as RunRow;
  }

  setRunStatus(runId: string, status: string, reason?: string): void {
    this.db.prepare('UPDATE runs SET status = ?, status_reason = ? WHERE id = ?').run(status, reason ?? null, runId);
  }

  /** Append one step in its own transaction. Returns the row written. Throws if it cannot. */
  appendStep(s: StepInput): StepRow {
    const tx = this.db.transaction((): StepRow => {
      const run = this.db.prepare('SELECT last_seq FROM runs WHERE id = ?').get(s.runId) as { last_seq: number } | undefined;
      if (!run) throw new Error(`no run ${s.runId}`);
      const seq = run.last_seq + 1;
      const base: Omit<StepRow, 'hash'> = {
        id: randomUUID(),
        run_id: s.runId,
        seq,
        event: s.event,
        ref_seq: s.refSeq ?? null,
        agent: s.agent,
        session_id: s.sessionId,
        subagent_id: s.subagentId ?? null,
        tool: s.tool,
        tool_use_id: s.toolUseId ?? null,
        kind: s.kind ?? null,
        action_json: s.action === undefined ? null : canonicalJson(s.action),
        action_hash: s.actionHash ?? null,
        decision: s.decision,
        reversibility: s.reversibility,
        reasons_json: JSON.stringify(s.reasons),
        rules_json: JSON.stringify(s.rules),
        effects_json: JSON.stringify(s.effects),
        policy_hash: s.policyHash,
        description: s.description ?? null,
        started_at: s.startedAt,
        decided_at: s.decidedAt,
        duration_us: Math.round(s.durationUs),
        outcome_json: s.outcome === undefined ? null : canonicalJson(s.outcome),
        prev_hash: this.lastHash,
      };
      const row: StepRow = { ...base, hash: stepHash(base) };
      this.insertStep.run(row);
      this.bumpSeq.run(seq, s.runId);
      return row;
    });
    const row = tx();
    this.lastHash = row.hash;
    return row;
  }

  stepsOf(runId: string): StepRow[] {
    return this.db.prepare('SELECT * FROM steps WHERE run_id = ? ORDER BY seq').all(runId) as StepRow[];
  }

  allSteps(): StepRow[] {
    return this.db.prepare('SELECT * FROM steps ORDER BY rowid').all() as StepRow[];
  }

  runs(): RunRow[] {
    return this.db.prepare('SELECT * FROM runs ORDER BY started_at').all() as RunRow[];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Walk the hash chain; the first broken row's id, or undefined when intact. */
export function firstBreak(rows: readonly StepRow[]): string | undefined {
  let prev = GENESIS_HASH;
  for (const r of rows) {
    const { hash, ...rest } = r;
    if (r.prev_hash !== prev || stepHash(rest) !== hash) return r.id;
    prev = hash;
  }
  return undefined;
}
