// Indexes every append writes: a ledger written before the write path was trimmed (with the duplicate
// (run_id, seq) index and the panel's (run_id, decision) index) loses them when a writer and the panel
// open it, its chain still verifies, and the panel's denial count is answered from its covering index.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Ledger, type StepInput } from '../../src/node/ledger/ledger';
import { LedgerQueries } from '../../src/node/ledger/queries';

const dir = mkdtempSync(join(tmpdir(), 'airlock-ledger-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const step = (runId: string, i: number): StepInput => ({
  runId, event: 'pre', agent: 'claude', sessionId: 's', tool: 'Bash', kind: 'shell', action: { kind: 'shell', command: `echo ${i}`, cwd: '/w' }, actionHash: 'h', decision: i % 3 === 0 ? 'deny' : 'allow',
  reversibility: 'read', reasons: ['r'], rules: [], effects: [], policyHash: 'p', startedAt: '2026-12-04T00:00:00.000Z', decidedAt: '2026-12-04T00:00:00.000Z', durationUs: 1,
});
const indexes = (l: Ledger): string[] => (l.database().prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'steps' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

describe('ledger indexes', () => {
  it('an older ledger with the duplicate and the decision index: both dropped at open, chain intact, counts right', () => {
    const path = join(dir, 'old.sqlite');
    let l = Ledger.open(path);
    const run = l.runFor('claude', 's', '2026-12-04T00:00:00.000Z').id;
    l.appendSteps(Array.from({ length: 30 }, (_, i) => step(run, i)));
    // What an earlier Airlock left behind.
    l.database().exec('CREATE INDEX steps_run ON steps (run_id, seq); CREATE INDEX steps_panel_decision ON steps (run_id, decision)');
    l.close();

    l = Ledger.open(path);
    assert.ok(!indexes(l).includes('steps_run'), indexes(l).join(', '));
    assert.ok(l.integrity.ok, JSON.stringify(l.integrity.problems));
    assert.equal(l.integrity.steps, 30);
    l.appendSteps(Array.from({ length: 5 }, (_, i) => step(run, 30 + i)));
    const q = LedgerQueries.open(path);
    // A fresh connection: EXPLAIN compiles against a connection's cached schema.
    const fresh = Ledger.open(path, { readonly: true, check: false });
    const plan = (fresh.database().prepare("EXPLAIN QUERY PLAN SELECT count(*) AS n FROM steps WHERE run_id = ? AND event = 'pre' AND decision = 'deny'").all(run) as Array<{ detail: string }>).map((r) => r.detail).join(' ');
    assert.match(plan, /COVERING INDEX steps_panel\b/);
    assert.ok(!indexes(fresh).includes('steps_panel_decision'), indexes(fresh).join(', '));
    fresh.close();
    assert.equal(q.run(run)!.denials, Array.from({ length: 35 }, (_, i) => i).filter((i) => i % 3 === 0).length);
    q.close();
    assert.ok(l.verify().ok);
    l.close();
  });
});
