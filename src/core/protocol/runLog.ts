/**
 * The JSON shape of `airlock log --json` (and `airlock log --run ID --json`), stable and versioned:
 * the run log as a person reads it, with tokens and cost per run and per step. The panel's run
 * summary carries the same cost fields (src/core/protocol/panel.ts), computed by the same function
 * (src/core/run/runCost.ts).
 *
 * Costs are USD; `costUsd` null means unknown, never zero. `costSource`: `agent` (the agent's own
 * figures), `genai-prices` (Airlock priced the tokens: an estimate), `mixed` (some of each),
 * `unknown`. Token counts: `inputTokens` is uncached input; cache reads and writes are apart.
 */
import { z } from 'zod';
import { RUN_COST_SOURCES } from '../run/runCost';

export const RUN_LOG_FORMAT = 'airlock-log';
export const RUN_LOG_VERSION = 1;

export const CostSource = z.enum(RUN_COST_SOURCES);

/** Tokens and cost of some model calls (a run's, a step's). */
export const UsageTotals = z.strictObject({
  /** Model calls counted (each once, whichever sources reported it). */
  calls: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative(),
  cacheWriteTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative().nullable(),
  costSource: CostSource,
  /** Part or all of the cost was priced by Airlock from tokens (genai-prices), not reported by the agent. */
  costEstimate: z.boolean(),
  /** Calls with no known price: the cost is a lower bound when > 0. */
  unpricedCalls: z.number().int().nonnegative(),
});
export type UsageTotals = z.infer<typeof UsageTotals>;

export const LogRun = z.strictObject({
  id: z.string().min(1),
  agent: z.string(),
  sessionId: z.string(),
  /** Models that answered in this run (as the agent named them). */
  models: z.array(z.string()),
  startedAt: z.string(),
  /** When the run ended (its session ended, or it was idle past the timeout); null while active. */
  endedAt: z.string().nullable(),
  /** Time of the last recorded step. */
  lastAt: z.string().nullable(),
  /** endedAt (or lastAt while active) minus startedAt. */
  durationMs: z.number().nonnegative().nullable(),
  status: z.string(),
  statusReason: z.string().nullable(),
  endReason: z.string().nullable(),
  steps: z.number().int().nonnegative(),
  denials: z.number().int().nonnegative(),
  approvals: z.number().int().nonnegative(),
  usage: UsageTotals,
});
export type LogRun = z.infer<typeof LogRun>;

export const LogRuns = z.strictObject({
  format: z.literal(RUN_LOG_FORMAT),
  version: z.literal(RUN_LOG_VERSION),
  ledger: z.string(),
  runs: z.array(LogRun),
});
export type LogRuns = z.infer<typeof LogRuns>;

const Approval = z.strictObject({ result: z.enum(['approved', 'not approved']), detail: z.string() });

export const LogStep = z.strictObject({
  seq: z.number().int().nonnegative(),
  id: z.string(),
  tool: z.string(),
  toolUseId: z.string().nullable(),
  subagentId: z.string().nullable(),
  kind: z.string().nullable(),
  summary: z.string(),
  description: z.string().nullable(),
  decision: z.string(),
  reversibility: z.string(),
  rules: z.array(z.string()),
  reasons: z.array(z.string()),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  ledBy: z.strictObject({
    escalationFrom: z.array(z.number().int()),
    duplicateOf: z.number().int().optional(),
    approval: Approval.optional(),
    unrecorded: z.boolean().optional(),
    paused: z.boolean().optional(),
    killed: z.boolean().optional(),
  }),
  outcome: z
    .strictObject({ seq: z.number().int(), exitCode: z.number().int().optional(), error: z.string().optional(), durationMs: z.number().nonnegative().optional(), at: z.string() })
    .optional(),
  /** The model call(s) that produced this tool call; null when none was attributed to it. */
  usage: UsageTotals.nullable(),
});
export type LogStep = z.infer<typeof LogStep>;

export const LogRunDetail = z.strictObject({
  format: z.literal(RUN_LOG_FORMAT),
  version: z.literal(RUN_LOG_VERSION),
  ledger: z.string(),
  run: LogRun,
  steps: z.array(LogStep),
  /** Model calls of the run not attributed to a step (the final answer, calls only telemetry saw). */
  unattributed: UsageTotals.nullable(),
  orphanOutcomes: z.array(z.number().int()),
});
export type LogRunDetail = z.infer<typeof LogRunDetail>;
