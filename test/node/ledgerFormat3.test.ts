/**
 * Ledger schema 3 (hash format 3: the hash over the stored values, both hashes stored as 32 bytes)
 * over a ledger that older Airlock wrote (schema 2, and 1): a writer migrates it in one transaction
 * without rewriting a row, new steps (one by one and through group commit on the writer thread)
 * continue the same chain, every reader reads both kinds of rows, and tampering is seen in old rows,
 * new rows and at the boundary: every stored value of a row changed, a hash stored in the other
 * form, rows deleted or reordered, the tail cut, the anchor changed. Real SQLite files changed by a
 * second connection, as someone with the sqlite3 CLI would; `airlock verify` and `airlock log` run
 * as real processes (builds dist/ first).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { hashOf } from '../../src/core/hash';
import { GroupCommit } from '../../src/node/ledger/groupCommit';
import { LedgerWriterThread } from '../../src/node/ledger/ledgerWriter';
import { anchorPathFor, firstBreak, Ledger, type StepInput } from '../../src/node/ledger/ledger';
import { LedgerQueries } from '../../src/node/ledger/queries';
import { STEP_COLUMNS } from '../../src/node/ledger/stepWrite';
import { ROOT, runCli, tempDir } from '../support/gateway';
import { legacyLedger } from '../support/legacyLedger';

const dir = tempDir('airlock-format3-');
let n = 0;

const step = (runId: string, i: number, over: Partial<StepInput> = {}): StepInput => ({
  runId, event: i % 3 === 2 ? 'post' : 'pre', ...(i % 3 === 2 ? { refSeq: 1, outcome: { exitCode: 0, durationMs: 3 } } : {}), agent: 'claude', sessionId: 'A', tool: 'Bash', kind: 'shell',
  action: { kind: 'shell', command: `echo ${i} "quoted" \\ PGPASSWORD=hunter2pw é`, cwd: '/w' }, actionHash: hashOf({ i }), decision: i % 3 === 2 ? 'outcome' : 'allow', reversibility: 'read',
  reasons: ['reads only'], rules: ['builtin.read'], effects: i % 2 ? [{ kind: 'read', detail: 'x' }] : [], policyHash: 'p'.repeat(64), startedAt: '2026-01-01T00:00:00.000Z', decidedAt: '2026-01-01T00:00:00.001Z', durationUs: 12 + i, ...over,
});

interface Mixed {
  path: string;
  home: string;
  anchor: string;
  runs: string[];
  /** Rows written by the older Airlock (format 2). */
  old: number;
  total: number;
}

/** An older ledger (schema `version`, 6 rows in format 2), opened by a writer and continued: 3 steps one by one, 40 through group commit on the writer thread. */
async function mixed(version: 1 | 2): Promise<Mixed> {
  n += 1;
  const home = join(dir, `home${n}`);
  const path = join(dir, `l${n}.sqlite`);
  const anchor = anchorPathFor(home, path);
  const legacy = legacyLedger(path, version, ['A', 'B'], ([a, b]) => Array.from({ length: 6 }, (_, i) => step(i % 2 ? b! : a!, i)));
  const before = storedOld(path, 6);
  const ro = Ledger.open(path, { readonly: true });
  assert.equal(ro.integrity.ok, true, JSON.stringify(ro.integrity.problems));
  assert.deepEqual(ro.allSteps().map((r) => r.hash), legacy.rows.map((r) => r.hash), 'read-only: the old rows as written');
  ro.close();
  assert.equal(schemaVersion(path), version, 'a read-only open does not migrate');

  const l = Ledger.open(path, { anchor });
  assert.equal(schemaVersion(path), 3, 'a writer migrates to 3 in one transaction');
  assert.equal(l.integrity.ok, true, JSON.stringify(l.integrity.problems));
  const a = l.runFor('claude', 'A', 't').id;
  const b = l.runFor('claude', 'B', 't').id;
  assert.deepEqual([a, b], legacy.runIds, 'the old runs continue');
  for (let i = 6; i < 9; i++) l.appendStep(step(i % 2 ? b : a, i));
  const gc = new GroupCommit(l, { maxBatch: 16 });
  gc.useWriter(await LedgerWriterThread.start(l.writeTarget()));
  assert.ok(gc.threaded);
  await Promise.all(Array.from({ length: 40 }, (_, k) => gc.append(step(k % 3 ? a : b, 9 + k))));
  await gc.close();
  l.close();
  assert.deepEqual(storedOld(path, 6), before, 'no old row was rewritten, byte for byte');
  return { path, home, anchor, runs: [a, b], old: 6, total: 49 };
}

function schemaVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT version FROM schema_version').get() as { version: number }).version;
  } finally {
    db.close();
  }
}

/** The first `k` rows as stored: every column, with its storage class. */
function storedOld(path: string, k: number): string {
  const db = new Database(path, { readonly: true });
  try {
    const cols = STEP_COLUMNS.filter((c) => c !== 'checkpoint').map((c) => `typeof(${c}) || ':' || quote(${c})`).join(` || '|' || `);
    return JSON.stringify(db.prepare(`SELECT ${cols} AS r FROM steps ORDER BY rowid LIMIT ?`).all(k));
  } finally {
    db.close();
  }
}

const copy = (m: Mixed): Mixed => {
  n += 1;
  const path = join(dir, `c${n}.sqlite`);
  copyFileSync(m.path, path);
  const home = join(dir, `chome${n}`);
  const anchor = anchorPathFor(home, path);
  // The anchor as the writer left it, next to the copy.
  const a = JSON.parse(readFileSync(m.anchor, 'utf8')) as Record<string, unknown>;
  mkdirSync(dirname(anchor), { recursive: true });
  writeFileSync(anchor, JSON.stringify({ ...a, ledger: path }));
  return { ...m, path, home, anchor };
};

const check = (m: Mixed) => {
  const l = Ledger.open(m.path, { readonly: true, anchor: m.anchor });
  const i = l.integrity;
  l.close();
  return i;
};

const rowIds = (path: string): string[] => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT id FROM steps ORDER BY rowid').all() as Array<{ id: string }>).map((r) => r.id);
  } finally {
    db.close();
  }
};

describe('ledger schema 3 over older ledgers', () => {
  before(() => execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'ignore' }));

  for (const version of [2, 1] as const) {
    it(`a schema ${version} ledger is migrated, continued in format 3 as one chain, and read by every reader`, async () => {
      const m = await mixed(version);
      const l = Ledger.open(m.path, { anchor: m.anchor });
      assert.equal(l.integrity.ok, true, JSON.stringify(l.integrity.problems));
      assert.equal(l.integrity.steps, m.total);
      assert.equal(l.integrity.anchor.status, 'matched');
      const rows = l.allSteps();
      assert.deepEqual(rows.map((r) => r.hash_format), [...Array(m.old).fill(2), ...Array(m.total - m.old).fill(3)]);
      assert.equal(rows[m.old]!.prev_hash, rows[m.old - 1]!.hash, 'the first new row follows the last old one');
      for (let k = 1; k < rows.length; k++) assert.equal(rows[k]!.prev_hash, rows[k - 1]!.hash);
      assert.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash) && /^[0-9a-f]{64}$/.test(r.prev_hash)), 'hashes read as hex whatever their storage');
      assert.equal(firstBreak(rows), undefined);
      for (const run of m.runs) assert.deepEqual(l.stepsOf(run).map((r) => r.seq), l.stepsOf(run).map((_, k) => k + 1));
      assert.ok(!rows.some((r) => (r.action_json ?? '').includes('hunter2pw')), 'masked, old rows and new');
      l.close();
      const db = new Database(m.path, { readonly: true });
      const forms = db.prepare('SELECT typeof(hash) AS h, typeof(prev_hash) AS p, length(hash) AS n FROM steps ORDER BY rowid').all() as Array<{ h: string; p: string; n: number }>;
      db.close();
      assert.deepEqual(forms.slice(0, m.old).map((x) => `${x.h}/${x.p}/${x.n}`), Array(m.old).fill('text/text/64'));
      assert.deepEqual(forms.slice(m.old).map((x) => `${x.h}/${x.p}/${x.n}`), Array(m.total - m.old).fill('blob/blob/32'));

      // The run log panel: pages, a step's detail (its hash in hex), the export (every hash in hex).
      const q = LedgerQueries.open(m.path);
      const page = q.pageSteps(m.runs[0]!, {}, 0, 100);
      assert.ok(page.total > 0 && page.rows.every((r) => r.agent === 'claude'));
      assert.equal(q.stepDetail(rows[0]!.id)!.hash, rows[0]!.hash);
      assert.equal(q.stepDetail(rows.at(-1)!.id)!.hash, rows.at(-1)!.hash);
      const doc = JSON.parse([...q.exportRun(m.runs[0]!)].join('')) as { steps: Array<{ hash: string; prev_hash: string }> };
      q.close();
      assert.ok(doc.steps.length > m.old / 2 && doc.steps.every((s) => /^[0-9a-f]{64}$/.test(s.hash) && /^[0-9a-f]{64}$/.test(s.prev_hash)), JSON.stringify(doc.steps[0]));

      // The CLI: verify (exit 0) and log read it.
      const env = { ...process.env, AIRLOCK_HOME: m.home, HOME: dir };
      const v = await runCli(['verify', '--ledger', m.path, '--json'], env);
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.equal(JSON.parse(v.stdout).steps, m.total);
      const log = await runCli(['log', '--ledger', m.path, '--json'], env);
      assert.equal(log.code, 0, log.stderr);
      const runs = (JSON.parse(log.stdout) as { runs: Array<{ id: string; steps: number }> }).runs;
      assert.deepEqual(new Set(runs.map((r) => r.id)), new Set(m.runs));
      const detail = await runCli(['log', '--ledger', m.path, '--run', m.runs[1]!, '--json'], env);
      assert.equal(detail.code, 0, detail.stderr);
    });
  }

  it('every stored value of an old row, the boundary rows and new rows is covered: changing any one is seen at that row', async () => {
    const m = await mixed(2);
    const ids = rowIds(m.path);
    const targets = { 'an old row': 2, 'the last old row': m.old - 1, 'the first new row': m.old, 'a new row': m.old + 20, 'the last row': m.total - 1 };
    for (const [what, k] of Object.entries(targets)) {
      const id = ids[k]!;
      const cases: Array<[string, (db: Database.Database) => void]> = [];
      for (const col of STEP_COLUMNS) {
        cases.push([col, (db) => {
          const v = (db.prepare(`SELECT ${col} AS v FROM steps WHERE id = ?`).get(id) as { v: unknown }).v;
          // A changed value of the same storage (a blob gets one bit flipped); a run id must name a run.
          if (col === 'run_id') db.exec("INSERT INTO runs (id, agent, session_id, started_at, status, last_seq) VALUES ('forged-run', 'claude', 'Z', 't', 'active', 0)");
          const other = col === 'run_id' ? 'forged-run' : col === 'seq' ? (v as number) + 1000 : typeof v === 'number' ? v + 1 : v === null ? 'x' : v instanceof Uint8Array ? Buffer.from(v.map((b, i) => (i === 31 ? b ^ 1 : b))) : `${String(v)}x`;
          db.prepare(`UPDATE steps SET ${col} = ? WHERE id = ?`).run(other, id);
        }]);
      }
      // The same hash in the other storage form: hex text for blobs, 32 bytes for hex text.
      cases.push(['hash and prev_hash in the other form', (db) => {
        const r = db.prepare('SELECT hash, prev_hash FROM steps WHERE id = ?').get(id) as { hash: unknown; prev_hash: unknown };
        const flip = (x: unknown): unknown => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : Buffer.from(String(x), 'hex'));
        db.prepare('UPDATE steps SET hash = ?, prev_hash = ? WHERE id = ?').run(flip(r.hash), flip(r.prev_hash), id);
      }]);
      cases.push(['hash alone in the other form', (db) => {
        const r = db.prepare('SELECT hash FROM steps WHERE id = ?').get(id) as { hash: unknown };
        db.prepare('UPDATE steps SET hash = ? WHERE id = ?').run(r.hash instanceof Uint8Array ? Buffer.from(r.hash).toString('hex') : Buffer.from(String(r.hash), 'hex'), id);
      }]);
      cases.push(['agent of the run changed in the step', (db) => db.prepare("UPDATE steps SET agent = 'codex' WHERE id = ?").run(id)]);
      for (const [name, edit] of cases) {
        const c = copy(m);
        const db = new Database(c.path);
        edit(db);
        db.close();
        const i = check(c);
        assert.equal(i.ok, false, `${what}, ${name}: not seen`);
        const chain = i.problems.find((p) => p.kind.startsWith('chain.'));
        assert.ok(chain, `${what}, ${name}: ${JSON.stringify(i.problems)}`);
        assert.equal(chain.position, k + 1, `${what}, ${name}: seen at ${chain.message}`);
      }
    }
  });

  it('deleted, inserted and reordered rows across the boundary, the cut tail and a changed anchor are seen', async () => {
    const m = await mixed(2);
    const ids = rowIds(m.path);
    // [what, the edit, the problem, the 1-based position of the first row that no longer follows]
    const cases: Array<[string, (db: Database.Database) => void, RegExp, number | undefined]> = [
      ['the last old row deleted', (db) => db.prepare('DELETE FROM steps WHERE id = ?').run(ids[m.old - 1]), /^chain\.prev-hash$/, m.old],
      ['the first new row deleted', (db) => db.prepare('DELETE FROM steps WHERE id = ?').run(ids[m.old]), /^chain\.prev-hash$/, m.old + 1],
      ['a new row deleted', (db) => db.prepare('DELETE FROM steps WHERE id = ?').run(ids[m.old + 10]), /^chain\.prev-hash$/, m.old + 11],
      ['two new rows swapped', (db) => {
        const [x, y] = [m.old + 4, m.old + 5].map((k) => (db.prepare('SELECT rowid AS r FROM steps WHERE id = ?').get(ids[k]) as { r: number }).r);
        db.prepare('UPDATE steps SET rowid = -1 WHERE rowid = ?').run(x);
        db.prepare('UPDATE steps SET rowid = ? WHERE rowid = ?').run(x, y);
        db.prepare('UPDATE steps SET rowid = ? WHERE rowid = -1').run(y);
      }, /^chain\.prev-hash$/, m.old + 5],
      ['the last old row and the first new row swapped', (db) => {
        const [x, y] = [m.old - 1, m.old].map((k) => (db.prepare('SELECT rowid AS r FROM steps WHERE id = ?').get(ids[k]) as { r: number }).r);
        db.prepare('UPDATE steps SET rowid = -1 WHERE rowid = ?').run(x);
        db.prepare('UPDATE steps SET rowid = ? WHERE rowid = ?').run(x, y);
        db.prepare('UPDATE steps SET rowid = ? WHERE rowid = -1').run(y);
      }, /^chain\.prev-hash$/, m.old],
      ['a copy of a new row inserted after the last', (db) => {
        db.prepare(`INSERT INTO steps (${STEP_COLUMNS.join(', ')}) SELECT 'forged', run_id, seq + 1000, ${STEP_COLUMNS.slice(3).join(', ')} FROM steps WHERE id = ?`).run(ids[m.total - 1]);
      }, /^chain\.prev-hash$/, m.total + 1],
      ['every new row deleted (the tail cut)', (db) => db.prepare('DELETE FROM steps WHERE rowid > (SELECT rowid FROM steps WHERE id = ?)').run(ids[m.old - 1]), /^ledger\.truncated$/, undefined],
    ];
    for (const [name, edit, kind, at] of cases) {
      const c = copy(m);
      const db = new Database(c.path);
      edit(db);
      db.close();
      const i = check(c);
      assert.equal(i.ok, false, name);
      const p = i.problems.find((x) => kind.test(x.kind));
      assert.ok(p, `${name}: ${JSON.stringify(i.problems)}`);
      if (at !== undefined) assert.equal(p.position, at, `${name}: ${p.message}`);
    }
    // A head that is no SHA-256 any more (the last row's hash overwritten): the gate keeps recording,
    // and the edited row and the row after it are both reported.
    for (const forged of ['garbage', Buffer.from([1, 2, 3])]) {
      const c = copy(m);
      const db = new Database(c.path);
      db.prepare('UPDATE steps SET hash = ? WHERE id = ?').run(forged, ids[m.total - 1]);
      db.close();
      const l = Ledger.open(c.path);
      const row = l.appendStep(step(m.runs[0]!, 99));
      const i = l.verify();
      l.close();
      assert.match(row.hash, /^[0-9a-f]{64}$/);
      assert.equal(i.ok, false);
      assert.equal(i.problems[0]!.position, m.total, JSON.stringify(i.problems));
      assert.equal(i.steps, m.total + 1);
    }
    // The anchor: another head hash, or more steps than the database holds.
    for (const [name, change, kind] of [
      ['the anchored head hash changed', (a: Record<string, unknown>) => ({ ...a, headHash: 'f'.repeat(64) }), 'ledger.rewritten'],
      ['the anchor counts more steps', (a: Record<string, unknown>) => ({ ...a, steps: m.total + 1 }), 'ledger.truncated'],
      ['the anchored head moved', (a: Record<string, unknown>) => ({ ...a, headId: ids[m.old] }), 'ledger.rewritten'],
    ] as const) {
      const c = copy(m);
      writeFileSync(c.anchor, JSON.stringify(change(JSON.parse(readFileSync(c.anchor, 'utf8')) as Record<string, unknown>)));
      const i = check(c);
      assert.ok(i.problems.some((p) => p.kind === kind), `${name}: ${JSON.stringify(i.problems)}`);
    }
  });
});
