/**
 * Budgets: what a run (and the day) has spent against the policy's perRunUsd / perDayUsd plus the
 * raises a person authorized. Pure; the numbers come from the usage store in Airlock's home.
 *
 * Architecture Invariants:
 * - No budget in the policy = no limit. A budget whose spend cannot be read counts as exhausted
 *   (`unreadable`): fail closed.
 * - `warn` from 80 % of the limit; `exhausted` at or past 100 %: the gate then denies every call of
 *   the run ("budget reached: authorize in Airlock to continue") until a person raises the limit.
 * - Model calls whose price is unknown are counted apart (`unpriced`), never as zero dollars; they
 *   make the state warn.
 */
import type { Budgets } from '../policy/schema';

export const BUDGET_REASON = 'budget reached: authorize in Airlock to continue';
export const WARN_FRACTION = 0.8;

export interface BudgetScope {
  scope: 'run' | 'day';
  spent: number;
  limit: number;
  fraction: number;
  warn: boolean;
  exhausted: boolean;
}

export interface BudgetState {
  /** The binding scope (the one nearest its limit), or no limit at all. */
  spent: number;
  limit: number | undefined;
  fraction: number;
  warn: boolean;
  exhausted: boolean;
  /** Model calls in the run with no known price. */
  unpriced: number;
  scopes: BudgetScope[];
  /** Why the state is what it is, for the status bar tooltip and the deny reason. */
  detail: string;
  /** The spend could not be read: counted as exhausted (fail closed). */
  unreadable?: boolean;
}

export interface SpendFacts {
  runSpent: number;
  daySpent: number;
  runRaised: number;
  dayRaised: number;
  unpriced: number;
}

const usd = (n: number): string => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** The budget state from policy budgets and spend facts; `undefined` facts = the store could not be read. */
export function budgetState(budgets: Budgets, facts: SpendFacts | undefined, unreadable?: string): BudgetState {
  const limits: Array<['run' | 'day', number, number, number]> = [];
  if (budgets.perRunUsd !== undefined) limits.push(['run', budgets.perRunUsd, facts?.runRaised ?? 0, facts?.runSpent ?? 0]);
  if (budgets.perDayUsd !== undefined) limits.push(['day', budgets.perDayUsd, facts?.dayRaised ?? 0, facts?.daySpent ?? 0]);
  if (limits.length === 0) {
    return { spent: facts?.runSpent ?? 0, limit: undefined, fraction: 0, warn: (facts?.unpriced ?? 0) > 0, exhausted: false, unpriced: facts?.unpriced ?? 0, scopes: [], detail: 'no budget set' };
  }
  if (!facts) {
    const scopes = limits.map(([scope, base, , ]) => ({ scope, spent: 0, limit: base, fraction: 1, warn: true, exhausted: true }));
    return { spent: 0, limit: limits[0]![1], fraction: 1, warn: true, exhausted: true, unpriced: 0, scopes, unreadable: true, detail: `the budget store cannot be read (${unreadable ?? 'unknown error'}): counted as exhausted` };
  }
  const scopes: BudgetScope[] = limits.map(([scope, base, raised, spent]) => {
    const limit = base + raised;
    const fraction = limit > 0 ? spent / limit : 1;
    return { scope, spent, limit, fraction, warn: fraction >= WARN_FRACTION, exhausted: spent >= limit };
  });
  const bind = scopes.reduce((a, b) => (b.fraction > a.fraction ? b : a));
  const parts = scopes.map((s) => `${s.scope} ${usd(s.spent)} of ${usd(s.limit)}`);
  if (facts.unpriced > 0) parts.push(`${facts.unpriced} model call(s) with no known price not counted`);
  return { spent: bind.spent, limit: bind.limit, fraction: bind.fraction, warn: bind.warn || facts.unpriced > 0, exhausted: scopes.some((s) => s.exhausted), unpriced: facts.unpriced, scopes, detail: parts.join('; ') };
}

/** The editor command and the CLI line that raise a budget (named in every budget denial). */
export const RAISE_BUDGET_EDITOR = 'Airlock: Raise Budget for This Run…';
export function raiseBudgetCli(scope: 'run' | 'day', id: string): string {
  return scope === 'run' ? `airlock budget raise --run ${id} --usd <extra>` : `airlock budget raise --day ${id} --usd <extra>`;
}

export interface DenialContext {
  runId: string;
  /** The UTC day (YYYY-MM-DD) of the per-day budget. */
  day: string;
  /** Where the run's cost came from, in words (src/core/run/runCost.ts describeCostSource). */
  costSource: string;
}

/**
 * The reason of a budget denial: which budget (per run or per day, its limit and what a person
 * already added), what was spent and where that figure came from, and how to raise it.
 */
export function explainBudgetDenial(s: BudgetState, c: DenialContext): string {
  if (s.unreadable) return `${BUDGET_REASON}: ${s.detail}`;
  const parts = s.scopes
    .filter((x) => x.exhausted)
    .map((x) =>
      x.scope === 'run'
        ? `the per-run budget of ${usd(x.limit)} is used up: this run has cost ${usd(x.spent)} (${c.costSource}); raise it in the editor with "${RAISE_BUDGET_EDITOR}" or run \`${raiseBudgetCli('run', c.runId)}\``
        : `the per-day budget of ${usd(x.limit)} (UTC day ${c.day}, all runs and agents) is used up: ${usd(x.spent)} spent today; raise it in the editor with "${RAISE_BUDGET_EDITOR}" or run \`${raiseBudgetCli('day', c.day)}\``,
    );
  if (parts.length === 0) parts.push(s.detail);
  if (s.unpriced > 0) parts.push(`${s.unpriced} model call(s) with no known price are not counted`);
  return `${BUDGET_REASON}: ${parts.join('; ')}`;
}
