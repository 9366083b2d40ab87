/**
 * The current run as the editor's status bar and panel show it: the run with the most recent step
 * in the ledger, its cost and its budget; and what a person does to it from the editor (raise its
 * budget, resume it after a pause).
 */
import type { AirlockStatus, BudgetRaise, CurrentRun } from '../../core/gateControl';
import { budgetView } from '../../core/status';
import type { Ledger } from '../ledger/ledger';
import type { Served } from './serve';

type RunInfo = Pick<AirlockStatus, 'run' | 'costUsd' | 'budget'>;

/** The current run, its cost and budget (all absent without a gate or a real ledger). */
export function currentRunInfo(served: Served | undefined, ledger: Ledger | undefined, log: (line: string) => void): RunInfo {
  const none = { run: undefined, costUsd: undefined, budget: undefined };
  if (!served || !ledger) return none;
  try {
    const db = ledger.database();
    if (!db.open) return none;
    const r = db.prepare('SELECT r.id, r.agent, r.status, r.status_reason FROM steps s JOIN runs r ON r.id = s.run_id ORDER BY s.rowid DESC LIMIT 1').get() as
      | { id: string; agent: string; status: string; status_reason: string | null }
      | undefined;
    if (!r) return none;
    const run: CurrentRun = { id: r.id, agent: r.agent, status: r.status, ...(r.status_reason ? { statusReason: r.status_reason } : {}) };
    const costUsd = served.usage?.runSpent(r.id).usd;
    return { run, costUsd, budget: budgetView(served.gate.limits.budgetState(r.id)) };
  } catch (e) {
    log(`could not read the current run's cost and budget: ${(e as Error)?.message ?? String(e)}`);
    return none;
  }
}

/** A person raises the current run's budget by `extraUsd`. */
export function raiseBudget(served: Served | undefined, gateState: AirlockStatus['gate'], run: CurrentRun | undefined, extraUsd: number, by: string, log: (line: string) => void): BudgetRaise {
  if (!served) return { ok: false, error: `the gate is ${gateState}: there is no run to raise a budget for` };
  if (!run) return { ok: false, error: 'no run has been recorded yet' };
  try {
    const s = served.gate.limits.authorize(run.id, extraUsd, by);
    log(`budget of run ${run.id} raised by $${extraUsd} by ${by}: ${s.detail}`);
    return { ok: true, runId: run.id, budget: budgetView(s) };
  } catch (e) {
    return { ok: false, error: (e as Error)?.message ?? String(e) };
  }
}

/** A person resumes the current run after it was paused (denials in a row, a loop, a budget). */
export function resumePausedRun(served: Served | undefined, gateState: AirlockStatus['gate'], run: CurrentRun | undefined, log: (line: string) => void): { ok: true; runId: string } | { ok: false; error: string } {
  if (!served) return { ok: false, error: `the gate is ${gateState}: there is no run to resume` };
  if (!run) return { ok: false, error: 'no run has been recorded yet' };
  if (run.status !== 'paused') return { ok: false, error: `the current ${run.agent} run is ${run.status}, not paused` };
  served.gate.limits.resume(run.id);
  log(`run ${run.id} resumed by a person in the editor`);
  return { ok: true, runId: run.id };
}
