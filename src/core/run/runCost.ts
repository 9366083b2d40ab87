/**
 * One cost per run: the only place a run's dollar figure is decided. Budgets, the status bar, the
 * run log panel and `airlock log` all take it from here (through the usage store). Pure.
 *
 * Precedence (docs/otlp.md, "One cost per run"):
 * 1. Each model call is counted once. The sources that report the same call (the agent's OTLP event,
 *    its transcript or rollout file, a GenAI span) are merged into one call row before this point:
 *    by the API request id they share, else by content (session, model, token counts). For one
 *    call, the agent's own dollar figure wins; without one its tokens are priced with genai-prices
 *    (an estimate); a model the price table does not know is `unknown` (never zero).
 * 2. The agent's own cumulative cost metric (Claude Code's `claude_code.cost.usage`), read with its
 *    temporality (a cumulative series is replaced by its latest value, delta windows are added once
 *    each), is the agent's whole-run total. It is never added to the calls: the run's cost is the
 *    larger of the two, since each is a complete-or-lagging view of the same spend (the metric is
 *    exported every minute, the calls arrive as they happen).
 */

/** Where a run's cost comes from. */
export const RUN_COST_SOURCES = ['agent', 'genai-prices', 'mixed', 'unknown'] as const;
export type RunCostSource = (typeof RUN_COST_SOURCES)[number];

export interface CallCostFacts {
  /** Model calls recorded for the run (after merging sources). */
  calls: number;
  /** Sum of the agent's own figures, and how many calls had one. */
  agentUsd: number;
  agentCalls: number;
  /** Sum of genai-prices figures for the calls without an agent figure, and how many. */
  pricedUsd: number;
  pricedCalls: number;
  /** Calls with no agent figure and no known price. */
  unpricedCalls: number;
}

export interface RunCostInput {
  calls: CallCostFacts;
  /** The agent's own cumulative cost metric for the run (USD), when it sent one. */
  metricUsd?: number;
}

export interface RunCost {
  /** null: nothing known (no calls, no metric). */
  usd: number | null;
  source: RunCostSource;
  /** Some or all of the figure was priced by Airlock from tokens, not reported by the agent. */
  estimate: boolean;
  /** Calls with no known price (the figure is a lower bound when > 0). */
  unpriced: number;
  /** Which figure won: the per-call sum or the agent's cumulative metric. */
  basis: 'calls' | 'metric' | 'none';
}

export const emptyCallFacts = (): CallCostFacts => ({ calls: 0, agentUsd: 0, agentCalls: 0, pricedUsd: 0, pricedCalls: 0, unpricedCalls: 0 });

/** The run's cost from its merged calls and the agent's cumulative metric. */
export function runCost(i: RunCostInput): RunCost {
  const c = i.calls;
  const perCall = c.agentUsd + c.pricedUsd;
  const haveCalls = c.agentCalls + c.pricedCalls > 0;
  if (i.metricUsd !== undefined && Number.isFinite(i.metricUsd) && i.metricUsd >= 0 && (!haveCalls || i.metricUsd >= perCall)) {
    return { usd: i.metricUsd, source: 'agent', estimate: false, unpriced: c.unpricedCalls, basis: 'metric' };
  }
  if (!haveCalls) return { usd: null, source: 'unknown', estimate: false, unpriced: c.unpricedCalls, basis: 'none' };
  const source: RunCostSource = c.pricedCalls === 0 ? 'agent' : c.agentCalls === 0 ? 'genai-prices' : 'mixed';
  return { usd: perCall, source, estimate: c.pricedCalls > 0, unpriced: c.unpricedCalls, basis: 'calls' };
}

/** Add the facts of two runs (a day's spend across runs and agents). */
export function addCallFacts(a: CallCostFacts, b: CallCostFacts): CallCostFacts {
  return { calls: a.calls + b.calls, agentUsd: a.agentUsd + b.agentUsd, agentCalls: a.agentCalls + b.agentCalls, pricedUsd: a.pricedUsd + b.pricedUsd, pricedCalls: a.pricedCalls + b.pricedCalls, unpricedCalls: a.unpricedCalls + b.unpricedCalls };
}

/** Words for a cost source, for denials, the status bar and `airlock log`. */
export function describeCostSource(c: Pick<RunCost, 'source' | 'basis' | 'unpriced'>): string {
  const base =
    c.source === 'agent' ? (c.basis === 'metric' ? "agent-reported (the agent's cumulative cost metric)" : 'agent-reported (per model call)')
    : c.source === 'genai-prices' ? 'priced from tokens with genai-prices (an estimate)'
    : c.source === 'mixed' ? 'agent-reported, partly priced from tokens with genai-prices (an estimate)'
    : 'unknown';
  return c.unpriced > 0 ? `${base}; ${c.unpriced} model call(s) with no known price not counted` : base;
}

/** The short label used in tables and JSON ("agent-reported", "priced from tokens", "unknown"). */
export function costSourceLabel(source: RunCostSource): string {
  return source === 'agent' ? 'agent-reported' : source === 'genai-prices' ? 'priced from tokens' : source === 'mixed' ? 'agent-reported + priced' : 'unknown';
}
