/**
 * A ledger as Airlock wrote it before schema 3: steps hashed in format 2 (sha256 of prev_hash and the
 * canonical JSON of the row), both hashes stored as 64-hex text, schema version 2 (or 1: no
 * checkpoint column). Built row by row here with the format 2 hash the walker still checks
 * (core/run/ledgerCheck.ts chainHash), so the tests of migration and of the boundary between the two
 * formats start from what an older ledger really holds, not from today's writer relabelled.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { GENESIS_HASH } from '../../src/core/run/ledgerCheck';
import { SCHEMA, stepHash, type StepInput, type StepRow } from '../../src/node/ledger/schema';
import { prepareStep, rowOf, STEP_COLUMNS } from '../../src/node/ledger/stepWrite';

export interface LegacyLedger {
  /** Run ids, in the order of `sessions`. */
  runIds: string[];
  /** The rows as written (hashes in hex text). */
  rows: Array<Omit<StepRow, 'hash_format'>>;
}

/**
 * Create `path` as a schema `version` ledger holding one run per session id (agent `claude`) and the
 * steps `steps(runIds)` returns, in that order, chained from the genesis hash.
 */
export function legacyLedger(path: string, version: 1 | 2, sessions: readonly string[], steps: (runIds: string[]) => StepInput[]): LegacyLedger {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA);
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(version);
    db.prepare("INSERT INTO ledger_meta (key, value) VALUES ('ledger_id', ?)").run(randomUUID());
    const runIds = sessions.map((s) => {
      const id = randomUUID();
      db.prepare("INSERT INTO runs (id, agent, session_id, started_at, status, last_seq) VALUES (?, 'claude', ?, '2026-01-01T00:00:00.000Z', 'active', 0)").run(id, s);
      return id;
    });
    const last = new Map<string, number>();
    const rows: LegacyLedger['rows'] = [];
    let prev = GENESIS_HASH;
    const insert = db.prepare(`INSERT INTO steps (${STEP_COLUMNS.join(', ')}) VALUES (${STEP_COLUMNS.map(() => '?').join(', ')})`);
    db.transaction(() => {
      for (const input of steps(runIds)) {
        const seq = (last.get(input.runId) ?? 0) + 1;
        last.set(input.runId, seq);
        const { hash_format: _f, hash: _h, ...unhashed } = rowOf(prepareStep(input), { seq, prev_hash: prev, hash: '' });
        const row = { ...unhashed, hash: stepHash(unhashed) };
        insert.run(STEP_COLUMNS.map((c) => row[c]));
        rows.push(row);
        prev = row.hash;
      }
      for (const [runId, seq] of last) db.prepare('UPDATE runs SET last_seq = ? WHERE id = ?').run(seq, runId);
    })();
    if (version === 1) {
      if (rows.some((r) => r.checkpoint !== null)) throw new Error('a version 1 ledger has no checkpoint column: give its steps none');
      db.exec('ALTER TABLE steps DROP COLUMN checkpoint');
    }
    return { runIds, rows };
  } finally {
    db.close();
  }
}
