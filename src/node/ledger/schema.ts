/**
 * The ledger's tables and row shapes, and the hash of a step row (the hash chain).
 * Schema changes are additive; LEDGER_SCHEMA_VERSION is recorded in `schema_version`.
 */
import { chainHash, GENESIS_HASH, type LedgerIntegrity } from '../../core/run/ledgerCheck';

export const LEDGER_SCHEMA_VERSION = 1;
export { GENESIS_HASH };
export type { LedgerIntegrity };

export const SCHEMA = `
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
CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
  return chainHash(row as unknown as Record<string, unknown>);
}
