import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { budgetState, explainBudgetDenial } from '../../src/core/run/budget';
import { describeCostSource, emptyCallFacts, runCost } from '../../src/core/run/runCost';

const facts = (o: Partial<ReturnType<typeof emptyCallFacts>>) => ({ ...emptyCallFacts(), ...o });

describe('one cost per run', () => {
  it("per call: the agent's figure, else the priced one; never the two added", () => {
    const c = runCost({ calls: facts({ calls: 3, agentUsd: 0.2, agentCalls: 2, pricedUsd: 0.05, pricedCalls: 1 }) });
    assert.deepEqual([c.usd, c.source, c.estimate, c.basis], [0.25, 'mixed', true, 'calls']);
    assert.equal(runCost({ calls: facts({ calls: 2, agentUsd: 0.2, agentCalls: 2 }) }).source, 'agent');
    assert.equal(runCost({ calls: facts({ calls: 2, pricedUsd: 0.2, pricedCalls: 2 }) }).source, 'genai-prices');
  });

  it("the agent's cumulative metric is the run's total when it is ahead of the calls, never added to them", () => {
    const calls = facts({ calls: 2, agentUsd: 0.3, agentCalls: 2 });
    assert.deepEqual([runCost({ calls, metricUsd: 0.5 }).usd, runCost({ calls, metricUsd: 0.5 }).basis], [0.5, 'metric']);
    // The metric lags (exported every minute): the calls that arrived since count.
    assert.deepEqual([runCost({ calls, metricUsd: 0.1 }).usd, runCost({ calls, metricUsd: 0.1 }).basis], [0.3, 'calls']);
    assert.equal(runCost({ calls: emptyCallFacts(), metricUsd: 0.7 }).usd, 0.7);
  });

  it('nothing known is unknown (null), never zero; unpriced calls are said', () => {
    const c = runCost({ calls: facts({ calls: 1, unpricedCalls: 1 }) });
    assert.deepEqual([c.usd, c.source, c.unpriced], [null, 'unknown', 1]);
    assert.match(describeCostSource({ ...c, source: 'agent', basis: 'calls' }), /1 model call\(s\) with no known price/);
  });

  it('a budget denial names the budget, the cost and its source, and how to raise it', () => {
    const s = budgetState({ perRunUsd: 0.05, perDayUsd: 1 }, { runSpent: 0.06, daySpent: 0.3, runRaised: 0, dayRaised: 0, unpriced: 0 });
    const r = explainBudgetDenial(s, { runId: 'abc', day: '2026-12-04', costSource: 'agent-reported (per model call)' });
    assert.match(r, /^budget reached: authorize in Airlock to continue: the per-run budget of \$0\.0500 is used up: this run has cost \$0\.0600 \(agent-reported \(per model call\)\)/);
    assert.match(r, /Airlock: Raise Budget for This Run/);
    assert.match(r, /airlock budget raise --run abc --usd <extra>/);
    assert.doesNotMatch(r, /per-day/);
    const d = explainBudgetDenial(budgetState({ perDayUsd: 0.2 }, { runSpent: 0.01, daySpent: 0.25, runRaised: 0, dayRaised: 0, unpriced: 0 }), { runId: 'abc', day: '2026-12-04', costSource: 'x' });
    assert.match(d, /per-day budget of \$0\.2000 \(UTC day 2026-12-04, all runs and agents\) is used up: \$0\.2500 spent today/);
    assert.match(d, /airlock budget raise --day 2026-12-04/);
    const u = explainBudgetDenial(budgetState({ perRunUsd: 1 }, undefined, 'disk I/O error'), { runId: 'a', day: 'd', costSource: 'x' });
    assert.match(u, /cannot be read \(disk I\/O error\)/);
  });
});
