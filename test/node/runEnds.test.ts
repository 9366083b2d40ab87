/**
 * Run ends (src/node/ledger/runEnds.ts) on a real ledger: a run ended with its reason, reopened by a
 * later call (the session resumed), and the per-call check that a run is not ended reads without
 * taking the database's write lock (another connection holding it does not make the call wait).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqlite } from '../../src/node/ledger/sqlite';
import { Ledger } from '../../src/node/ledger/ledger';
import { RunEnds, runEndsOf } from '../../src/node/ledger/runEnds';
import { tempDir } from '../support/gateway';

const dir = tempDir('airlock-runends-');

describe('run ends', () => {
  it('ends a run with its reason; a later call reopens it once', () => {
    const l = Ledger.open(join(dir, 'a.sqlite'));
    const ends = new RunEnds(l.database());
    const run = l.runFor('claude', 's1', '2026-01-01T00:00:00.000Z');
    assert.equal(ends.reopen(run.id), false, 'an active run: nothing to reopen');
    ends.end(run.id, '2026-01-01T01:00:00.000Z', "the agent's session ended", 'agent');
    assert.equal(l.runFor('claude', 's1', 'x').status, 'ended');
    assert.equal(runEndsOf(l.database()).get(run.id)?.source, 'agent');
    assert.equal(ends.reopen(run.id), true);
    assert.equal(l.runFor('claude', 's1', 'x').status, 'active');
    assert.equal(runEndsOf(l.database()).size, 0);
    assert.equal(ends.reopen(run.id), false, 'reopened once');
    l.close();
  });

  it('asking whether an active run is ended does not wait for the write lock another connection holds', () => {
    const path = join(dir, 'b.sqlite');
    const l = Ledger.open(path);
    const ended = l.runFor('claude', 'ended', 't').id;
    const active = l.runFor('claude', 'active', 't').id;
    new RunEnds(l.database()).end(ended, 't', 'idle', 'idle');
    l.close();
    // A connection that never waits: a statement needing the write lock fails at once with SQLITE_BUSY.
    const db = openSqlite(path, { fileMustExist: true });
    db.pragma('busy_timeout = 0');
    const ends = new RunEnds(db as never);
    const other = openSqlite(path, { fileMustExist: true });
    other.exec('BEGIN IMMEDIATE');
    try {
      assert.equal(ends.reopen(active), false, 'read only: no SQLITE_BUSY');
      assert.throws(() => ends.reopen(ended), /busy|locked/i, 'an ended run is reopened under the write lock');
    } finally {
      other.exec('ROLLBACK');
    }
    assert.equal(ends.reopen(ended), true);
    other.close();
    db.close();
  });
});
