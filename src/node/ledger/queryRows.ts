/**
 * The run log read model's rows and SQL pieces: the panel's indexes, how a usage table is found, a
 * step row as read, and the small decoders (JSON columns, the checkpoint of a step, who approved).
 */
// Every index here is written by every append of the gate (group commit measures ~5 µs a step for
// these two): keep only what a panel query needs. The denials count is answered by steps_panel
// (only pre steps carry a verdict), so the former (run_id, decision) index is dropped.
export const INDEXES = `
CREATE INDEX IF NOT EXISTS steps_panel ON steps (run_id, event, seq, decision, reversibility, agent, subagent_id);
CREATE INDEX IF NOT EXISTS steps_panel_post ON steps (run_id, ref_seq) WHERE event = 'post';
DROP INDEX IF EXISTS steps_panel_decision;
`;

export const USAGE_TABLES = ['usage', 'usage_events', 'model_usage', 'model_calls'];
export const TOKEN_COLUMNS = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cache_creation_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'];
export const COST_COLUMNS = ['cost_usd', 'cost'];

/** How the usage table (if any) is shaped: SQL expressions over its alias `u`. */
export interface UsageShape {
  table: string;
  tokens: string | null;
  cost: string | null;
  hasStep: boolean;
  /** Airlock's own usage table (src/node/usage/usage.ts): costs come from the one run cost function. */
  own: boolean;
}

export interface RawStep {
  id: string;
  run_id: string;
  seq: number;
  agent: string;
  subagent_id: string | null;
  tool: string;
  kind: string | null;
  summary: string | null;
  summary_len: number | null;
  decision: string;
  reversibility: string;
  reasons_json: string;
  rules_json: string;
  checkpoint: string | null;
  started_at: string;
  duration_us: number;
  post_outcome: string | null;
  tokens?: number | null;
  cost?: number | null;
}

export const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Escape LIKE wildcards; used with ESCAPE '\'. */
export const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function parseJson<T>(s: string | null, fallback: T): T {
  if (s === null) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

/** The step's checkpoint: the column (schema 2), else the rule a version 1 ledger recorded. */
export function checkpointOfRow(decision: string, column: string | null, rules: readonly string[]): string | null {
  if (decision !== 'allow') return null;
  if (column) return column;
  const legacy = rules.find((x) => x.startsWith('checkpoint:'));
  return legacy ? legacy.slice('checkpoint:'.length) : null;
}

/** "approved by alice" in the reasons (the gate records a person's approval that way). */
export function approvedByOf(reasons: readonly string[]): string | null {
  for (const r of reasons) {
    const m = /^approved by (.+)$/.exec(r);
    if (m) return m[1]!;
  }
  return null;
}
