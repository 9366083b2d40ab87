/**
 * `airlock budget raise (--run ID | --day [YYYY-MM-DD]) --usd N [--by NAME] [--ledger FILE] [--json]`:
 * a person authorizes N more dollars for a run (ID may be a unique prefix) or for a UTC day (all runs
 * and agents; today when no date is given). Recorded in the ledger database in Airlock's home (never
 * in a workspace file); a running gate reads it at the next call. Counts as a person acting for the
 * run's loop signals.
 *
 * `airlock budget show [--run ID] [--ledger FILE] [--json]`: today's spend and raises; with --run,
 * that run's cost, its source and its raises.
 *
 * The shell classifier treats `airlock budget raise` as a change to Airlock's own controls, so an
 * agent cannot raise its own budget through its shell: a person approves it.
 */
import { resolve } from 'node:path';
import { UsageError } from './args';
import { parseLedgerArgs, missingLedger } from './verifyCommand';

export const BUDGET_USAGE = `airlock budget raise (--run ID | --day [YYYY-MM-DD]) --usd N [--by NAME] [--ledger FILE] [--json]
airlock budget show [--run ID] [--ledger FILE] [--json]`;

export async function runBudget(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(`${BUDGET_USAGE}\n`);
    return 0;
  }
  if (sub?.startsWith('-')) throw new UsageError(`airlock budget: unknown option ${sub} (valid options: --run VALUE, --day VALUE, --usd VALUE, --by VALUE, --ledger VALUE, --json, -h/--help)`);
  if (sub !== 'raise' && sub !== 'show') throw new UsageError(`airlock budget: ${sub ? `unknown subcommand ${sub}` : 'a subcommand is needed'}\n${BUDGET_USAGE}`);
  // --day takes an optional date: a bare --day means today.
  const norm = rest.flatMap((a, i) => (a === '--day' && (rest[i + 1] === undefined || rest[i + 1]!.startsWith('--')) ? ['--day', 'today'] : [a]));
  const { args, values } = parseLedgerArgs(norm, { run: { type: 'string' }, day: { type: 'string' }, usd: { type: 'string' }, by: { type: 'string' } });
  const { airlockHome } = await import('../node/environment');
  const { Ledger } = await import('../node/ledger/ledger');
  const { UsageStore, dayOf } = await import('../node/usage/usage');
  const { costSourceLabel, describeCostSource } = await import('../core/run/runCost');
  const path = resolve(args.ledger ?? `${airlockHome()}/ledger.sqlite`);
  const runArg = typeof values.run === 'string' ? values.run : undefined;
  const dayArg = typeof values.day === 'string' ? (values.day === 'today' ? dayOf(new Date()) : values.day) : undefined;
  if (sub === 'raise') {
    if ((runArg === undefined) === (dayArg === undefined)) throw new UsageError(`airlock budget raise: give exactly one of --run ID or --day [YYYY-MM-DD]\n${BUDGET_USAGE}`);
    if (dayArg !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(dayArg)) throw new UsageError(`--day must be a UTC date YYYY-MM-DD, not ${JSON.stringify(dayArg)}`);
    const usd = Number(values.usd);
    if (typeof values.usd !== 'string' || !Number.isFinite(usd) || usd <= 0 || usd > 1e6) throw new UsageError(`--usd must be a positive number of dollars (at most 1000000), not ${JSON.stringify(values.usd ?? '')}`);
  }
  const missing = missingLedger(path);
  if (missing) {
    process.stderr.write(`airlock: ${missing}\n`);
    return 1;
  }
  let ledger: import('../node/ledger/ledger').Ledger;
  try {
    ledger = Ledger.open(path, { check: false });
  } catch (e) {
    process.stderr.write(`airlock: cannot open the ledger ${path}: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const usage = new UsageStore(ledger);
    let runId: string | undefined;
    if (runArg !== undefined) {
      const matches = ledger.runSummaries().filter((r) => r.id === runArg || r.id.startsWith(runArg));
      if (matches.length !== 1) {
        process.stderr.write(`airlock: ${matches.length === 0 ? 'no run' : `${matches.length} runs`} matching ${JSON.stringify(runArg)} in ${path}\n`);
        return 1;
      }
      runId = matches[0]!.id;
    }
    const now = new Date();
    const day = dayArg ?? dayOf(now);
    if (sub === 'raise') {
      const by = typeof values.by === 'string' && values.by.trim() ? values.by.trim() : (process.env.USER ?? 'person');
      const usd = Number(values.usd);
      const scope = runId ? `run:${runId}` : `day:${day}`;
      usage.raise(scope, usd, `${by} (airlock budget raise)`, now);
      if (runId) usage.notePerson(runId, now, 'budget-raise');
      const total = usage.raised(scope);
      if (args.json) process.stdout.write(`${JSON.stringify({ ledger: path, scope, raisedUsd: usd, totalRaisedUsd: total, by })}\n`);
      else process.stdout.write(`raised the ${runId ? `budget of run ${runId}` : `per-day budget of ${day} (UTC)`} by $${usd} (in total +$${total} by people); a running gate applies it at the next call\n`);
      return 0;
    }
    const daySpent = usage.daySpent(day);
    const dayRaised = usage.raised(`day:${day}`);
    const run = runId ? { id: runId, cost: usage.runCost(runId), raisedUsd: usage.raised(`run:${runId}`) } : undefined;
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ ledger: path, day, daySpentUsd: daySpent, dayRaisedUsd: dayRaised, ...(run ? { run: { id: run.id, costUsd: run.cost.usd, costSource: run.cost.source, estimate: run.cost.estimate, unpricedCalls: run.cost.unpriced, raisedUsd: run.raisedUsd } } : {}) })}\n`);
      return 0;
    }
    process.stdout.write(`UTC day ${day}: $${daySpent.toFixed(4)} spent across runs and agents; people raised the per-day budget by $${dayRaised}\n`);
    if (run) process.stdout.write(`run ${run.id}: ${run.cost.usd === null ? 'cost unknown' : `$${run.cost.usd.toFixed(4)}`} (${costSourceLabel(run.cost.source)}: ${describeCostSource(run.cost)}); people raised its budget by $${run.raisedUsd}\n`);
    process.stdout.write('the budgets themselves are in the policy (budgets.perRunUsd / perDayUsd)\n');
    return 0;
  } finally {
    ledger.close();
  }
}
