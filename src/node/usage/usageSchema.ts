/**
 * The usage store's tables (in the ledger's SQLite database) and its row: one row per model call,
 * and how two reports of the same call are matched when they share no id (the content fingerprint).
 */
import { normalizeModel, type CostSource, type Tokens } from '../../core/run/pricing';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS usage (
  key TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  session_id TEXT NOT NULL,
  tool_use_id TEXT,
  model TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  cost_usd REAL,
  cost_source TEXT NOT NULL,
  priced_usd REAL,
  source TEXT NOT NULL,
  at TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_run ON usage (run_id, at);
CREATE INDEX IF NOT EXISTS usage_at ON usage (at);
CREATE TABLE IF NOT EXISTS usage_totals (
  run_id TEXT NOT NULL,
  model TEXT NOT NULL,
  metric TEXT NOT NULL,
  value REAL NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (run_id, model, metric)
);
CREATE TABLE IF NOT EXISTS usage_alias (
  key TEXT PRIMARY KEY,
  target TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS usage_series (
  run_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  series TEXT NOT NULL,
  start TEXT NOT NULL,
  model TEXT NOT NULL,
  temporality INTEGER NOT NULL,
  value REAL NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (run_id, metric, series, start)
);
CREATE TABLE IF NOT EXISTS person_marks (
  run_id TEXT NOT NULL,
  at TEXT NOT NULL,
  source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS person_marks_run ON person_marks (run_id, at);
CREATE TABLE IF NOT EXISTS budget_raises (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scope TEXT NOT NULL,
  extra_usd REAL NOT NULL,
  by TEXT NOT NULL,
  at TEXT NOT NULL
);
`;

export interface UsageRow {
  key: string;
  run_id: string;
  agent: string;
  session_id: string;
  tool_use_id: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number | null;
  cost_source: CostSource;
  priced_usd: number | null;
  source: string;
  at: string;
  recorded_at: string;
  /** Content fingerprint (model, token counts): how reports that share no id are matched. */
  fp: string | null;
  /** 1: some report of this call carried an id the sources share (the API request id). */
  by_id: number;
}

/** A call's content fingerprint: what two reports of the same model call agree on when they share no id. */
export function fingerprint(model: string | undefined | null, t: Tokens): string {
  return `${model ? normalizeModel(model) : ''}|${t.input}|${t.output}|${t.cacheRead}|${t.cacheWrite}`;
}

/** Two reports of one call are at most this far apart in time to be matched by content. */
export const MATCH_WINDOW_MS = 10 * 60_000;

export const sourcesOf = (s: string): string[] => s.split('+');
