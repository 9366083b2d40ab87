// The status bar's rendering of the current run: cost, budget (warn at 80 %, reached), a paused run,
// and a tampered ledger (red, first problem in the tooltip).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AirlockStatus } from '../../src/core/gateControl';
import { budgetState } from '../../src/core/run/budget';
import { budgetView, renderStatus } from '../../src/core/status';

const ledger = { ok: true as const, path: '/h/ledger.sqlite' };
const run = { id: 'r1', agent: 'claude', status: 'active' };
const base: AirlockStatus = { gate: 'armed', ledger, pending: 0 };

describe('renderStatus: current run cost and budget', () => {
  it('shows the run cost plainly under its budget', () => {
    const budget = budgetView(budgetState({ perRunUsd: 1 }, { runSpent: 0.42, daySpent: 0.42, runRaised: 0, dayRaised: 0, unpriced: 0 }));
    assert.ok(budget && !budget.warn && !budget.exhausted);
    const v = renderStatus({ ...base, run, costUsd: 0.42, budget });
    assert.equal(v.text, '$(shield) Airlock · $0.42');
    assert.equal(v.tone, 'normal');
    assert.equal(v.label, 'Airlock armed, run cost $0.42');
    assert.match(v.tooltip, /Current run cost \$0\.42 \(run \$0\.4200 of \$1\.00\)/);
  });

  it('warns at 80 % of the budget', () => {
    const budget = budgetView(budgetState({ perRunUsd: 0.5 }, { runSpent: 0.4, daySpent: 0.4, runRaised: 0, dayRaised: 0, unpriced: 0 }))!;
    assert.equal(budget.warn, true);
    const v = renderStatus({ ...base, run, costUsd: 0.4, budget });
    assert.equal(v.tone, 'warning');
    assert.equal(v.text, '$(shield) Airlock · $(warning) $0.40 (80 %)');
    assert.match(v.label, /80 % of its budget/);
    assert.match(v.tooltip, /Budget nearly spent/);
  });

  it('79 % does not warn', () => {
    const budget = budgetView(budgetState({ perRunUsd: 1 }, { runSpent: 0.79, daySpent: 0.79, runRaised: 0, dayRaised: 0, unpriced: 0 }))!;
    assert.equal(renderStatus({ ...base, run, costUsd: 0.79, budget }).tone, 'normal');
  });

  it('says the budget is reached and how to raise it', () => {
    const budget = budgetView(budgetState({ perRunUsd: 0.5 }, { runSpent: 0.51, daySpent: 0.51, runRaised: 0, dayRaised: 0, unpriced: 0 }))!;
    assert.equal(budget.exhausted, true);
    const v = renderStatus({ ...base, run, costUsd: 0.51, budget });
    assert.equal(v.tone, 'warning');
    assert.equal(v.text, '$(shield) Airlock · $(warning) $0.51 budget reached');
    assert.match(v.tooltip, /Raise Budget for This Run/);
    assert.match(v.label, /budget of \$0\.50 reached/);
  });

  it('no budget in the policy: no budget view, the cost alone', () => {
    assert.equal(budgetView(budgetState({}, { runSpent: 3, daySpent: 3, runRaised: 0, dayRaised: 0, unpriced: 0 })), undefined);
    assert.equal(renderStatus({ ...base, run, costUsd: 3 }).text, '$(shield) Airlock · $3.00');
  });

  it('a paused run is shown with its reason', () => {
    const v = renderStatus({ ...base, run: { ...run, status: 'paused', statusReason: 'the same tool call 3 times in a row' } });
    assert.equal(v.tone, 'warning');
    assert.match(v.text, /run paused/);
    assert.match(v.tooltip, /the same tool call 3 times in a row\. Resume it from the menu/);
  });
});

describe('renderStatus: ledger integrity', () => {
  it('a tampered ledger is red with the first problem in the tooltip', () => {
    const v = renderStatus({
      ...base,
      costUsd: 0.1,
      ledgerIntegrity: ['LEDGER INTEGRITY BROKEN: 1 problem(s) now, 0 earlier incident(s)', '  chain.content: step s2 (run r, seq 2, position 2): content does not match its hash'],
    });
    assert.equal(v.tone, 'error');
    assert.match(v.text, /\$\(warning\) ledger tampered/);
    assert.match(v.tooltip, /LEDGER TAMPERED: chain\.content: step s2 \(run r, seq 2, position 2\): content does not match its hash\. Run `airlock verify`/);
    assert.match(v.label, /ledger tampered/);
  });

  it('an intact ledger adds nothing', () => {
    assert.doesNotMatch(renderStatus(base).text, /ledger/);
  });
});
