// The panel's read model on a real SQLite ledger with a 100,000-step run, compared with what the
// fixture wrote (ground truth), not with the query's own logic.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { Ledger } from '../../src/node/ledger/ledger';
import { LedgerQueries } from '../../src/node/ledger/queries';
import { cachedPanelLedger, type PanelFixture, type WrittenStep } from '../support/panelFixture';

const N = 100_000;
const require = createRequire(__filename);
const Sqlite = require('better-sqlite3') as typeof BetterSqlite3;

describe('ledgerQueries on a 100,000-step run', () => {
  let dir: string;
  let f: PanelFixture;
  let q: LedgerQueries;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-panel-q-'));
    f = cachedPanelLedger(dir, N);
    q = LedgerQueries.open(f.path);
  });
  after(() => {
    q.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const seqs = (xs: ReadonlyArray<{ seq: number }>): number[] => xs.map((x) => x.seq);

  it('lists runs newest first with step, denial and ask counts; no usage table means cost unknown (null)', () => {
    const page = q.listRuns({ offset: 0, limit: 10 });
    assert.equal(page.total, 2);
    assert.deepEqual(page.rows.map((r) => r.agent), ['codex', 'claude']);
    const big = page.rows[1]!;
    assert.equal(big.id, f.bigRun);
    assert.equal(big.steps, N);
    assert.equal(big.denials, f.steps.filter((s) => s.decision === 'deny').length);
    assert.equal(big.asked, f.steps.filter((s) => s.asked).length);
    assert.equal(big.tokens, null);
    assert.equal(big.costUsd, null);
    assert.equal(q.listRuns({ offset: 0, limit: 10, agent: 'codex' }).total, 1);
    assert.deepEqual(q.agents(), ['claude', 'codex']);
  });

  it('pages the timeline in seq order at any offset, with outcomes and approvers folded in', () => {
    for (const offset of [0, 50_000, N - 150]) {
      const p = q.pageSteps(f.bigRun, {}, offset, 200);
      assert.equal(p.total, N);
      const want = f.steps.slice(offset, offset + 200);
      assert.deepEqual(seqs(p.rows), seqs(want));
      for (let i = 0; i < p.rows.length; i++) {
        const r = p.rows[i]!;
        const w = want[i]!;
        assert.equal(r.decision, w.decision);
        assert.equal(r.reversibility, w.reversibility);
        assert.equal(r.approvedBy, w.approvedBy);
        assert.equal(r.outcome !== null, w.hasOutcome, `outcome of seq ${w.seq}`);
        assert.equal(r.summary, w.text);
      }
    }
    assert.deepEqual(q.pageSteps(f.bigRun, {}, N, 200).rows, []);
  });

  const check = (name: string, filters: Parameters<LedgerQueries['pageSteps']>[1], pred: (s: WrittenStep, i: number) => boolean): void => {
    it(`filters: ${name}`, () => {
      const truth = f.steps.filter(pred);
      assert.ok(truth.length > 0 && truth.length < N, 'the filter must select a proper subset');
      const p = q.pageSteps(f.bigRun, filters, 0, 100);
      assert.equal(p.total, truth.length);
      assert.deepEqual(seqs(p.rows), seqs(truth.slice(0, 100)));
      const deep = Math.max(0, truth.length - 70);
      assert.deepEqual(seqs(q.pageSteps(f.bigRun, filters, deep, 100).rows), seqs(truth.slice(deep)));
    });
  };
  check('decision deny', { decisions: ['deny'] }, (s) => s.decision === 'deny');
  check('asked a person', { decisions: ['asked'] }, (s) => s.asked);
  check('allow or asked', { decisions: ['allow', 'asked'] }, (s) => s.decision === 'allow' || s.asked);
  check('reversibility irreversible+unknown', { reversibilities: ['irreversible', 'unknown'] }, (s) => s.reversibility === 'irreversible' || s.reversibility === 'unknown');
  check('deny AND irreversible', { decisions: ['deny'], reversibilities: ['irreversible'] }, (s) => s.decision === 'deny' && s.reversibility === 'irreversible');
  check('sub-agent', { agent: 'sub-1' }, (_s, i) => i % 11 === 0);
  check('search in SQL text', { q: 'from t7 ' }, (s) => s.kind === 'sql' && s.text.toLowerCase().includes('from t7 '));

  it('search is case-insensitive, finds one needle among 100,000, and treats % and _ literally', () => {
    const p = q.pageSteps(f.bigRun, { q: 'NEEDLE-XYZ' }, 0, 50);
    assert.equal(p.total, 1);
    assert.equal(p.rows[0]!.seq, f.needleSeq);
    assert.equal(q.pageSteps(f.bigRun, { q: '%' }, 0, 50).total, 0);
    assert.equal(q.pageSteps(f.bigRun, { q: 'gen_9' }, 0, 50).total, 0);
    // reasons are searched too
    assert.equal(q.pageSteps(f.bigRun, { q: 'approved by alice' }, 0, 50).total, f.steps.filter((s) => s.approvedBy === 'alice').length);
  });

  it('a step detail has the whole action text, effects and reasons', () => {
    const row = q.pageSteps(f.bigRun, {}, 1, 1).rows[0]!; // step 1: a file write
    const d = q.stepDetail(row.id)!;
    assert.equal(d.row.seq, row.seq);
    assert.match(d.action, /^write \/w\/src\/gen1\.ts\nexport const x1 = 1;\n$/);
    assert.deepEqual(d.effects.map((e) => e.detail), ['effect of step 1']);
    assert.ok(d.reasons.includes('reversible step 1'));
    assert.equal(q.stepDetail('no-such-step'), undefined);
  });

  it('exports the whole run as JSON: every ledger row, pre and post, hash chain fields included', () => {
    const text = [...q.exportRun(f.bigRun, 5000)].join('');
    const doc = JSON.parse(text) as { format: string; run: { id: string }; steps: Array<{ seq: number; event: string; hash: string; prev_hash: string; reasons: unknown }> };
    assert.equal(doc.format, 'airlock-run-export');
    assert.equal(doc.run.id, f.bigRun);
    const posts = f.steps.filter((s) => s.hasOutcome).length;
    assert.equal(doc.steps.length, N + posts);
    assert.equal(doc.steps.filter((s) => s.event === 'pre').length, N);
    assert.ok(doc.steps.every((s, i) => i === 0 || s.seq > doc.steps[i - 1]!.seq));
    assert.ok(Array.isArray(doc.steps[0]!.reasons));
    assert.match(doc.steps[0]!.hash, /^[0-9a-f]{64}$/);
  });
});

describe('ledgerQueries on a small ledger', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-panel-q2-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const step = (ledger: Ledger, runId: string, i: number): string =>
    ledger.appendStep({ runId, event: 'pre', agent: 'claude', sessionId: 's', tool: 'Bash', kind: 'shell', action: { kind: 'shell', command: `echo ${i}`, cwd: '/w', workspaceRoots: ['/w'] }, decision: 'allow', reversibility: 'read', reasons: [], rules: [], effects: [], policyHash: 'p', startedAt: `2026-01-01T00:00:0${i}.000Z`, decidedAt: '2026-01-01T00:00:00.000Z', durationUs: 1 }).id;

  it('sees steps appended after it opened (totals are cached per last seq, not forever)', () => {
    const path = join(dir, 'live.db');
    const ledger = Ledger.open(path);
    const run = ledger.runFor('claude', 's', '2026-01-01T00:00:00.000Z');
    step(ledger, run.id, 1);
    const q = LedgerQueries.open(path);
    assert.equal(q.pageSteps(run.id, {}, 0, 10).total, 1);
    assert.equal(q.run(run.id)!.steps, 1);
    step(ledger, run.id, 2);
    assert.equal(q.pageSteps(run.id, {}, 0, 10).total, 2);
    assert.equal(q.run(run.id)!.steps, 2);
    assert.equal(q.lastSeq(run.id), 2);
    q.close();
    ledger.close();
  });

  it('reads tokens and cost from a usage table when one exists; unpriced usage makes the cost partial, never zero', () => {
    const path = join(dir, 'usage.db');
    const ledger = Ledger.open(path);
    const run = ledger.runFor('claude', 's', '2026-01-01T00:00:00.000Z');
    const a = step(ledger, run.id, 1);
    const b = step(ledger, run.id, 2);
    const other = ledger.runFor('claude', 's2', '2026-01-01T00:00:00.000Z');
    ledger.close();
    const db = new Sqlite(path);
    db.exec('CREATE TABLE usage (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, step_id TEXT, model TEXT, input_tokens INTEGER, output_tokens INTEGER, cost_usd REAL)');
    const ins = db.prepare('INSERT INTO usage (run_id, step_id, model, input_tokens, output_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?)');
    ins.run(run.id, a, 'm', 100, 20, 0.5);
    ins.run(run.id, a, 'm', 10, 2, 0.25);
    ins.run(run.id, b, 'unknown-model', 1000, 1, null);
    db.close();
    const q = LedgerQueries.open(path);
    const s = q.run(run.id)!;
    assert.equal(s.tokens, 1133);
    assert.equal(s.costUsd, 0.75);
    assert.equal(s.costPartial, true);
    const rows = q.pageSteps(run.id, {}, 0, 10).rows;
    assert.deepEqual(rows.map((r) => [r.tokens, r.costUsd]), [[132, 0.75], [1001, null]]);
    const none = q.run(other.id)!;
    assert.equal(none.tokens, null);
    assert.equal(none.costUsd, null);
    const doc = JSON.parse([...q.exportRun(run.id)].join('')) as { usage: unknown[] };
    assert.equal(doc.usage.length, 3);
    q.close();
  });

  it('refuses a file that is not an Airlock ledger, and cannot write to the ledger', () => {
    const path = join(dir, 'other.db');
    const db = new Sqlite(path);
    db.exec('CREATE TABLE steps (x INTEGER)');
    db.close();
    assert.throws(() => LedgerQueries.open(path), /not an Airlock ledger.*lacks id/);
    assert.throws(() => LedgerQueries.open(join(dir, 'missing.db')));
    const lp = join(dir, 'ro.db');
    Ledger.open(lp).close();
    const q = LedgerQueries.open(lp);
    // query_only: even this module's own connection cannot change history
    assert.throws(() => (q as unknown as { db: BetterSqlite3.Database }).db.exec("DELETE FROM runs"), /readonly|query_only|attempt to write/i);
    q.close();
  });
});
