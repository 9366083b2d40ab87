// Pricing, budgets and loop signals: the pure parts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyPolicy } from '../../src/core/policy/schema';
import { BUDGET_REASON, budgetState } from '../../src/core/run/budget';
import { checkLoop, emptyLoopMemory, noteCall, noteOutcome, notePerson } from '../../src/core/run/loops';
import { chooseCost, normalizeModel, priceCall } from '../../src/core/run/pricing';

const AT = new Date('2026-06-01T00:00:00Z');

describe('pricing (@pydantic/genai-prices, offline)', () => {
  it('prices input, output, cache read and cache write separately (Claude Code figures, observed)', () => {
    // Claude Code 2.1.197 reported cost_usd 0.012125 for exactly this call against claude-opus-4-8.
    const p = priceCall('claude-opus-4-8', { input: 1000, output: 200, cacheRead: 500, cacheWrite: 300 }, AT)!;
    assert.ok(Math.abs(p.usd - 0.012125) < 1e-12, String(p.usd));
    assert.equal(p.provider, 'anthropic');
    assert.equal(normalizeModel('claude-opus-4-8[1m]'), 'claude-opus-4-8');
    assert.ok(Math.abs(priceCall('claude-opus-4-8[1m]', { input: 1000, output: 200, cacheRead: 500, cacheWrite: 300 }, AT)!.usd - 0.012125) < 1e-12);
  });

  it('never fetches: prices come from the embedded table even when the network is gone', () => {
    const orig = globalThis.fetch;
    let called = 0;
    globalThis.fetch = (() => {
      called += 1;
      throw new Error('no network');
    }) as typeof fetch;
    try {
      assert.ok(priceCall('gpt-5', { input: 1000, output: 1000, cacheRead: 0, cacheWrite: 0 }, AT));
      assert.ok(priceCall('gemini-2.5-pro', { input: 1000, output: 1000, cacheRead: 0, cacheWrite: 0 }, AT));
    } finally {
      globalThis.fetch = orig;
    }
    assert.equal(called, 0);
  });

  it('unknown model: no price, and the recorded cost is unknown (not zero)', () => {
    assert.equal(priceCall('definitely-not-a-model', { input: 10, output: 10, cacheRead: 0, cacheWrite: 0 }, AT), undefined);
    assert.equal(priceCall(undefined, { input: 10, output: 10, cacheRead: 0, cacheWrite: 0 }, AT), undefined);
    assert.deepEqual(chooseCost(undefined, undefined), { usd: undefined, source: 'unknown' });
    assert.deepEqual(chooseCost(0.5, { usd: 0.4, model: 'm', provider: 'p' }), { usd: 0.5, source: 'agent' });
    assert.deepEqual(chooseCost(undefined, { usd: 0.4, model: 'm', provider: 'p' }), { usd: 0.4, source: 'genai-prices' });
  });
});

describe('budgets', () => {
  const facts = (runSpent: number, extra: Partial<{ daySpent: number; runRaised: number; dayRaised: number; unpriced: number }> = {}) => ({ runSpent, daySpent: runSpent, runRaised: 0, dayRaised: 0, unpriced: 0, ...extra });
  it('no budget: never exhausted', () => {
    assert.equal(budgetState({}, facts(1e6)).exhausted, false);
  });
  it('warns at 80 %, exhausted at 100 %, a raise lifts the limit', () => {
    const b = { perRunUsd: 10 };
    assert.deepEqual([budgetState(b, facts(7.9)).warn, budgetState(b, facts(7.9)).exhausted], [false, false]);
    assert.deepEqual([budgetState(b, facts(8)).warn, budgetState(b, facts(8)).exhausted], [true, false]);
    const s = budgetState(b, facts(10));
    assert.equal(s.exhausted, true);
    assert.equal(s.fraction, 1);
    assert.equal(s.limit, 10);
    const raised = budgetState(b, facts(10, { runRaised: 5 }));
    assert.equal(raised.exhausted, false);
    assert.equal(raised.limit, 15);
    assert.equal(BUDGET_REASON, 'budget reached: authorize in Airlock to continue');
  });
  it('the day budget binds across runs', () => {
    const s = budgetState({ perRunUsd: 10, perDayUsd: 20 }, facts(1, { daySpent: 20 }));
    assert.equal(s.exhausted, true);
    assert.equal(s.scopes.find((x) => x.scope === 'day')!.exhausted, true);
    assert.equal(s.scopes.find((x) => x.scope === 'run')!.exhausted, false);
  });
  it('an unreadable budget store counts as exhausted; unpriced calls warn', () => {
    const s = budgetState({ perRunUsd: 10 }, undefined, 'disk I/O error');
    assert.equal(s.exhausted, true);
    assert.match(s.detail, /cannot be read \(disk I\/O error\)/);
    assert.equal(budgetState({ perRunUsd: 10 }, facts(1, { unpriced: 2 })).warn, true);
  });
});

describe('loop signals', () => {
  const t = emptyPolicy().loops;
  it('defaults are in the policy', () => {
    assert.deepEqual(t, { sameCallInARow: 3, sameFailure: 3, maxTokensPerMinute: 3_000_000, maxCallsWithoutPerson: 100 });
  });
  it('the same call with identical arguments three times in a row', () => {
    const m = emptyLoopMemory();
    assert.equal(checkLoop(m, 'a', 'Bash', 0, t), undefined);
    noteCall(m, 'a');
    assert.equal(checkLoop(m, 'a', 'Bash', 0, t), undefined);
    noteCall(m, 'a');
    assert.equal(checkLoop(m, 'a', 'Bash', 0, t)?.rule, 'loop.same-call');
    // Something else in between breaks the row.
    const m2 = emptyLoopMemory();
    for (const k of ['a', 'b', 'a']) noteCall(m2, k);
    assert.equal(checkLoop(m2, 'a', 'Bash', 0, t), undefined);
  });
  it('the same failing command tried again after failing three times; a success resets it', () => {
    const m = emptyLoopMemory();
    for (let i = 0; i < 3; i++) {
      assert.equal(checkLoop(m, 'make', 'Bash', 0, { ...t, sameCallInARow: 100 }), undefined);
      noteCall(m, 'make');
      noteOutcome(m, 'make', true);
    }
    assert.equal(checkLoop(m, 'make', 'Bash', 0, { ...t, sameCallInARow: 100 })?.rule, 'loop.same-failure');
    noteOutcome(m, 'make', false);
    assert.equal(checkLoop(m, 'make', 'Bash', 0, { ...t, sameCallInARow: 100 }), undefined);
  });
  it('a token-per-minute spike', () => {
    const m = emptyLoopMemory();
    assert.equal(checkLoop(m, 'x', 'Bash', t.maxTokensPerMinute, t), undefined);
    assert.equal(checkLoop(m, 'x', 'Bash', t.maxTokensPerMinute + 1, t)?.rule, 'loop.token-spike');
  });
  it('many tool calls without a person in between; a person resets the count', () => {
    const m = emptyLoopMemory();
    const lim = { ...t, maxCallsWithoutPerson: 5 };
    for (let i = 0; i < 5; i++) {
      assert.equal(checkLoop(m, `k${i}`, 'Bash', 0, lim), undefined);
      noteCall(m, `k${i}`);
    }
    assert.equal(checkLoop(m, 'k9', 'Bash', 0, lim)?.rule, 'loop.no-person');
    notePerson(m);
    assert.equal(checkLoop(m, 'k9', 'Bash', 0, lim), undefined);
  });
});
