/**
 * The checkpoint id has its own field in the step record (ledger schema 2): a version 1 ledger,
 * where it was a rule `checkpoint:<id>`, is read as it is (read-only) and migrated by a writer
 * (the old rows keep their hashes: rows are chained, never rewritten), the field is covered by the
 * row's hash, and a schema this Airlock does not know is refused.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { hashOf } from '../../src/core/hash';
import { checkpointStepOf, type StepLike } from '../../src/node/checkpoints/undo';
import { Ledger, type StepInput } from '../../src/node/ledger/ledger';
import { LedgerQueries } from '../../src/node/ledger/queries';
import { tempDir } from '../support/gateway';
import { legacyLedger } from '../support/legacyLedger';

const OLD_ID = 'aaaaaaaaaaaa-mabc1234-0badcafe';
const NEW_ID = 'bbbbbbbbbbbb-mabc5678-deadbeef';

const step = (runId: string, i: number, over: Partial<StepInput> = {}): StepInput => ({
  runId, event: 'pre', agent: 'claude', sessionId: 's', tool: 'Write', kind: 'file', action: { kind: 'file', op: 'write', path: `/w/f${i}` }, actionHash: hashOf({ i }),
  decision: 'allow', reversibility: 'reversible', reasons: ['writes a workspace file'], rules: ['builtin.write'], effects: [], policyHash: 'p', startedAt: '2026-01-01T00:00:00.000Z', decidedAt: '2026-01-01T00:00:00.001Z', durationUs: 12, ...over,
});

/** A ledger as version 1 wrote it: no checkpoint column, the id as a rule, rows hashed in format 2. */
function versionOne(): { path: string; runId: string } {
  const path = join(tempDir('airlock-cpledger-'), 'ledger.sqlite');
  const { runIds } = legacyLedger(path, 1, ['s'], ([runId]) => [
    step(runId!, 1),
    step(runId!, 2, { rules: ['builtin.write', `checkpoint:${OLD_ID}`] }),
    step(runId!, 3, { decision: 'deny', rules: ['builtin.write', `checkpoint:${OLD_ID}`] }),
  ]);
  return { path, runId: runIds[0]! };
}

const rowsOf = (path: string): StepLike[] => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM steps ORDER BY rowid').all() as StepLike[];
  } finally {
    db.close();
  }
};

const version = (path: string): number => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT version FROM schema_version').get() as { version: number }).version;
  } finally {
    db.close();
  }
};

describe('the checkpoint field of a step (ledger schema 2)', () => {
  it('a version 1 ledger is read as it is, then migrated by a writer; old rows keep their hashes and their checkpoints', () => {
    const { path, runId } = versionOne();
    const ro = Ledger.open(path, { readonly: true });
    assert.equal(ro.integrity.ok, true, JSON.stringify(ro.integrity.problems));
    ro.close();
    assert.equal(version(path), 1, 'a read-only open does not migrate');
    assert.deepEqual(rowsOf(path).map((r) => checkpointStepOf(r)?.checkpoint), [undefined, OLD_ID, undefined], 'the legacy rule is read for version 1 rows (allowed steps only)');
    const q1 = LedgerQueries.open(path);
    assert.deepEqual(q1.pageSteps(runId, {}, 0, 10).rows.map((r) => r.checkpoint), [null, OLD_ID, null]);
    q1.close();

    const l = Ledger.open(path);
    assert.equal(version(path), 3, 'a writer migrates 1 → 3 in one transaction');
    assert.equal(l.integrity.ok, true, JSON.stringify(l.integrity.problems));
    const row = l.appendStep(step(runId, 4, { checkpoint: NEW_ID, rules: ['builtin.write', 'checkpoint.taken'] }));
    assert.equal(row.checkpoint, NEW_ID);
    l.appendStep(step(runId, 5));
    assert.equal(l.verify().ok, true);
    l.close();
    const again = Ledger.open(path);
    assert.equal(again.integrity.ok, true, JSON.stringify(again.integrity.problems));
    again.close();
    assert.deepEqual(rowsOf(path).map((r) => checkpointStepOf(r)?.checkpoint), [undefined, OLD_ID, undefined, NEW_ID, undefined]);
    const q2 = LedgerQueries.open(path);
    assert.deepEqual(q2.pageSteps(runId, {}, 0, 10).rows.map((r) => r.checkpoint), [null, OLD_ID, null, NEW_ID, null]);
    q2.close();
  });

  it('the checkpoint field is covered by the row hash: pointing a step at another checkpoint, or giving an old row one, is seen', () => {
    for (const edit of [`UPDATE steps SET checkpoint = '${OLD_ID}' WHERE checkpoint = '${NEW_ID}'`, `UPDATE steps SET checkpoint = '${NEW_ID}' WHERE seq = 1`]) {
      const path = join(tempDir('airlock-cpledger-'), 'ledger.sqlite');
      const l = Ledger.open(path);
      const runId = l.runFor('claude', 's', '2026-01-01T00:00:00.000Z').id;
      l.appendStep(step(runId, 1));
      l.appendStep(step(runId, 2, { checkpoint: NEW_ID }));
      l.close();
      const db = new Database(path);
      db.exec(edit);
      db.close();
      const t = Ledger.open(path);
      assert.equal(t.integrity.ok, false, edit);
      assert.ok(t.integrity.problems.some((p) => p.kind === 'chain.content'), JSON.stringify(t.integrity.problems));
      t.close();
    }
  });

  it('an unknown schema is refused (fail closed), read-only or not', () => {
    for (const [sql, why] of [
      ['UPDATE schema_version SET version = 4', /schema version 4; this Airlock reads versions 1-3/],
      ["UPDATE schema_version SET version = 'x'", /schema version x/],
      ['DELETE FROM schema_version', /has steps but no schema version/],
      ['INSERT INTO schema_version (version) VALUES (2)', /records 2 schema versions/],
    ] as const) {
      const { path } = versionOne();
      const db = new Database(path);
      db.exec(sql);
      db.close();
      assert.throws(() => Ledger.open(path), why, sql);
      assert.throws(() => Ledger.open(path, { readonly: true }), why, sql);
    }
    // Version 2 or 3 without the column (a hand-made file) is refused too.
    for (const v of [2, 3]) {
      const { path } = versionOne();
      const db = new Database(path);
      db.exec(`UPDATE schema_version SET version = ${v}`);
      db.close();
      assert.throws(() => Ledger.open(path), /has no checkpoint column/);
    }
  });
});
