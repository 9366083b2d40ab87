/**
 * Read-only queries over the usage tables of a ledger database, for every reader of a run's cost:
 * the gate's budgets (through UsageStore), `airlock log`, `airlock budget show` and the run log
 * panel. The figure itself is decided by src/core/run/runCost.ts; this module only gathers its
 * inputs. Tables that do not exist yet (an older or empty ledger) mean "no usage": cost unknown.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { UsageTotals } from '../../core/protocol/runLog';
import { emptyCallFacts, runCost, type CallCostFacts, type RunCost } from '../../core/run/runCost';

type Db = BetterSqlite3.Database;

const hasTable = (db: Db, name: string): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

const FACTS_SQL = `count(*) AS calls,
  COALESCE(SUM(CASE WHEN cost_source = 'agent' THEN cost_usd END), 0) AS agentUsd, COALESCE(SUM(cost_source = 'agent'), 0) AS agentCalls,
  COALESCE(SUM(CASE WHEN cost_source = 'genai-prices' THEN cost_usd END), 0) AS pricedUsd, COALESCE(SUM(cost_source = 'genai-prices'), 0) AS pricedCalls,
  COALESCE(SUM(cost_usd IS NULL), 0) AS unpricedCalls,
  COALESCE(SUM(input_tokens), 0) AS inputTokens, COALESCE(SUM(output_tokens), 0) AS outputTokens,
  COALESCE(SUM(cache_read_tokens), 0) AS cacheReadTokens, COALESCE(SUM(cache_write_tokens), 0) AS cacheWriteTokens`;

type FactsRow = CallCostFacts & { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number };

const factsOf = (r: FactsRow): CallCostFacts => ({ calls: r.calls, agentUsd: r.agentUsd, agentCalls: r.agentCalls, pricedUsd: r.pricedUsd, pricedCalls: r.pricedCalls, unpricedCalls: r.unpricedCalls });

function totals(r: FactsRow, cost: RunCost): UsageTotals {
  return {
    calls: r.calls, inputTokens: r.inputTokens, outputTokens: r.outputTokens, cacheReadTokens: r.cacheReadTokens, cacheWriteTokens: r.cacheWriteTokens,
    costUsd: cost.usd, costSource: cost.source, costEstimate: cost.estimate, unpricedCalls: cost.unpriced,
  };
}

const ZERO: FactsRow = { ...emptyCallFacts(), inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

function runRow(db: Db, runId: string): FactsRow {
  if (!hasTable(db, 'usage')) return ZERO;
  return db.prepare(`SELECT ${FACTS_SQL} FROM usage WHERE run_id = ?`).get(runId) as FactsRow;
}

/** A run's model calls, summed by where their dollars came from (each call once). */
export function callFactsOf(db: Db, runId: string): CallCostFacts {
  return factsOf(runRow(db, runId));
}

/** The agent's own cumulative cost metric for the run, when it sent one. */
export function metricCostOf(db: Db, runId: string): number | undefined {
  if (!hasTable(db, 'usage_series')) return undefined;
  const t = db.prepare("SELECT count(*) AS n, COALESCE(SUM(value), 0) AS usd FROM usage_series WHERE run_id = ? AND metric = 'cost'").get(runId) as { n: number; usd: number };
  return t.n > 0 ? t.usd : undefined;
}

/** The run's cost (src/core/run/runCost.ts): what budgets, the status bar, the panel and `airlock log` show. */
export function runCostOf(db: Db, runId: string): RunCost {
  const metric = metricCostOf(db, runId);
  return runCost({ calls: callFactsOf(db, runId), ...(metric !== undefined ? { metricUsd: metric } : {}) });
}

/** A run's tokens and cost. */
export function runUsageOf(db: Db, runId: string): UsageTotals {
  const r = runRow(db, runId);
  const metric = metricCostOf(db, runId);
  return totals(r, runCost({ calls: factsOf(r), ...(metric !== undefined ? { metricUsd: metric } : {}) }));
}

/** The models that answered in a run. */
export function modelsOf(db: Db, runId: string): string[] {
  if (!hasTable(db, 'usage')) return [];
  return (db.prepare('SELECT DISTINCT model FROM usage WHERE run_id = ? AND model IS NOT NULL ORDER BY model').all(runId) as Array<{ model: string }>).map((r) => r.model);
}

/** Per step (by the tool call id the model call produced) and the rest of the run's calls. */
export function stepUsageOf(db: Db, runId: string): { byToolUse: Map<string, UsageTotals>; unattributed: UsageTotals | null } {
  const byToolUse = new Map<string, UsageTotals>();
  if (!hasTable(db, 'usage')) return { byToolUse, unattributed: null };
  const rows = db.prepare(`SELECT tool_use_id AS t, ${FACTS_SQL} FROM usage WHERE run_id = ? GROUP BY tool_use_id`).all(runId) as Array<FactsRow & { t: string | null }>;
  let unattributed: UsageTotals | null = null;
  for (const r of rows) {
    const u = totals(r, runCost({ calls: factsOf(r) }));
    if (r.t === null) unattributed = u;
    else byToolUse.set(r.t, u);
  }
  return { byToolUse, unattributed };
}
