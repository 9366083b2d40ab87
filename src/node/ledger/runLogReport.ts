/**
 * The run log as `airlock log` reports it (src/core/protocol/runLog.ts): runs with agent, models,
 * start, end, duration, steps, denials, approvals, tokens and cost with its source; a run's steps
 * with the tokens and cost of the model call that produced each. Read-only over a ledger database.
 */
import { LogRun, LogRunDetail, LogRuns, RUN_LOG_FORMAT, RUN_LOG_VERSION, type LogStep } from '../../core/protocol/runLog';
import { stepViews } from '../../core/run/stepView';
import { modelsOf, runUsageOf, stepUsageOf } from '../usage/usageReport';
import type { Ledger } from './ledger';
import { runEndsOf } from './runEnds';

type Summary = ReturnType<Ledger['runSummaries']>[number];

function logRun(ledger: Ledger, r: Summary, ends: ReturnType<typeof runEndsOf>): LogRun {
  const db = ledger.database();
  const end = ends.get(r.id);
  const endedAt = end && r.status === 'ended' ? end.ended_at : null;
  const until = endedAt ?? r.last_at;
  const duration = until ? Date.parse(until) - Date.parse(r.started_at) : NaN;
  return LogRun.parse({
    id: r.id, agent: r.agent, sessionId: r.session_id, models: modelsOf(db, r.id), startedAt: r.started_at, endedAt, lastAt: r.last_at,
    durationMs: Number.isFinite(duration) && duration >= 0 ? duration : null,
    status: r.status, statusReason: r.status_reason, endReason: endedAt ? end!.reason : null,
    steps: r.steps, denials: r.denials, approvals: r.approvals, usage: runUsageOf(db, r.id),
  });
}

export function runLogReport(ledger: Ledger, path: string): LogRuns {
  const ends = runEndsOf(ledger.database());
  return LogRuns.parse({ format: RUN_LOG_FORMAT, version: RUN_LOG_VERSION, ledger: path, runs: ledger.runSummaries().map((r) => logRun(ledger, r, ends)) });
}

/** One run (id or unique prefix) with its steps; undefined with the number of matches when not exactly one. */
export function runLogDetail(ledger: Ledger, path: string, idOrPrefix: string): { detail: LogRunDetail } | { matches: number } {
  const matches = ledger.runSummaries().filter((r) => r.id === idOrPrefix || r.id.startsWith(idOrPrefix));
  if (matches.length !== 1) return { matches: matches.length };
  const r = matches[0]!;
  const run = logRun(ledger, r, runEndsOf(ledger.database()));
  const { steps, orphanOutcomes } = stepViews(ledger.stepsOf(r.id));
  const usage = stepUsageOf(ledger.database(), r.id);
  const withUsage: LogStep[] = steps.map((v) => ({ ...v, usage: (v.toolUseId ? usage.byToolUse.get(v.toolUseId) : undefined) ?? null }));
  return { detail: LogRunDetail.parse({ format: RUN_LOG_FORMAT, version: RUN_LOG_VERSION, ledger: path, run, steps: withUsage, unattributed: usage.unattributed, orphanOutcomes }) };
}
