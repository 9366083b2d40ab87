import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildEffectivePolicy, loosenings, parsePolicyText } from '../../src/core/policy/layers';
import { Policy, policyJsonSchema } from '../../src/core/policy/schema';

const p = (x: unknown): Policy => Policy.parse(x);

describe('policy file', () => {
  it('accepts a complete policy', () => {
    const r = parsePolicyText(JSON.stringify({ version: 1, rules: [{ id: 'no-tf', match: { commands: ['terraform'] }, decision: 'deny', reason: 'ops only' }], autonomy: { sql: 'staged' }, protectedPaths: ['infra/**'], budgets: { perRunUsd: 5 } }));
    assert.equal(r.ok, true);
  });

  it('rejects unknown keys, bad decisions, unknown versions, invalid JSON and huge files with a reason', () => {
    const cases: Array<[string, RegExp]> = [
      [JSON.stringify({ version: 1, rules: [], autoApproveDestructive: true }), /Unrecognized key/i],
      [JSON.stringify({ version: 1, rules: [{ id: 'x', match: {}, decision: 'yes', reason: 'r' }] }), /rules\.0\.decision/],
      [JSON.stringify({ version: 2 }), /unknown policy version 2/],
      ['{ "version": 1, ', /not valid JSON/],
      [`{"version":1,"rules":[],"x":"${'a'.repeat(300_000)}"}`, /limit/],
    ];
    for (const [text, re] of cases) {
      const r = parsePolicyText(text);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, re);
    }
  });

  it('generates a JSON Schema from the same zod schema', () => {
    const s = policyJsonSchema() as { properties?: Record<string, unknown>; required?: string[] };
    assert.ok(s.properties && 'rules' in s.properties && 'autonomy' in s.properties && 'protectedPaths' in s.properties);
    assert.deepEqual(s.required, ['version']);
  });
});

describe('policy layers', () => {
  const user = p({ version: 1, autonomy: { shell: 'approved' }, budgets: { perRunUsd: 2 } });

  it('lists what a workspace policy would loosen', () => {
    const ws = p({ version: 1, rules: [{ id: 'allow-push', match: { commands: ['git'] }, decision: 'allow', reason: 'ok' }], autonomy: { shell: 'autonomous', file: 'staged' }, budgets: { perRunUsd: 10 } });
    const base = buildEffectivePolicy({ user });
    const what = loosenings(ws, base).map((l) => l.what);
    assert.equal(what.length, 3);
    assert.match(what[0]!, /allow-push/);
    assert.match(what[1]!, /shell raised from approved to autonomous/);
    assert.match(what[2]!, /perRunUsd raised from 2 to 10/);
  });

  it('ignores loosening parts until that exact content is acknowledged, but applies tightening at once', () => {
    const ws = p({ version: 1, rules: [{ id: 'allow-all', match: {}, decision: 'allow', reason: 'yolo' }, { id: 'no-rm', match: { commands: ['rm'] }, decision: 'deny', reason: 'no' }], autonomy: { shell: 'autonomous', sql: 'read' }, budgets: { perRunUsd: 1 } });
    const unacked = buildEffectivePolicy({ user, workspace: { policy: ws, hash: 'h1' }, acknowledged: new Set(['other']) });
    assert.equal(unacked.rules.some((r) => r.id === 'allow-all'), false);
    assert.equal(unacked.rules.some((r) => r.id === 'no-rm'), true);
    assert.equal(unacked.autonomy.shell, 'approved');
    assert.equal(unacked.autonomy.sql, 'read');
    assert.equal(unacked.budgets.perRunUsd, 1);
    assert.ok(unacked.ignored.length >= 2);
    const acked = buildEffectivePolicy({ user, workspace: { policy: ws, hash: 'h1' }, acknowledged: new Set(['h1']) });
    assert.equal(acked.rules.some((r) => r.id === 'allow-all'), true);
    assert.equal(acked.autonomy.shell, 'autonomous');
    assert.notEqual(acked.hash, unacked.hash);
  });

  it('a workspace budget where the user has none tightens and applies', () => {
    const e = buildEffectivePolicy({ workspace: { policy: p({ version: 1, budgets: { perDayUsd: 3 } }), hash: 'h' } });
    assert.equal(e.budgets.perDayUsd, 3);
    assert.deepEqual(e.ignored, []);
  });
});
