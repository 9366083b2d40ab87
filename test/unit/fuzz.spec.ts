// A bounded fuzz run in the test suite (the full run is in `npm run bench`): no crash, no hang,
// every result a decision.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFuzz } from '../../bench/fuzz';

describe('fuzz (bounded)', () => {
  it('judges 3,000 random and mutated shell and SQL inputs without a crash or a non-decision', { timeout: 120_000 }, () => {
    for (const r of runFuzz(3000, 42)) {
      assert.equal(r.crashes, 0, `${r.kind}: crashes`);
      assert.equal(r.invalid, 0, `${r.kind}: non-decisions`);
      assert.equal(r.allow + r.ask + r.deny, r.cases);
    }
  });
});
