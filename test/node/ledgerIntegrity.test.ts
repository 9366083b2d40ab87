/**
 * A ledger you can trust: real SQLite files tampered with by a second connection (as someone with
 * the sqlite3 CLI would), the anchor outside the database, masking before storage, and
 * `airlock verify` as a real process (exit codes and JSON). Builds dist/ first.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { hashOf } from '../../src/core/hash';
import { chainHashV3 } from '../../src/core/run/ledgerCheck';
import { anchorPathFor, firstBreak, Ledger, readAnchor, type StepInput } from '../../src/node/ledger/ledger';
import { raw, ROOT, runCli, startServe, tempDir } from '../support/gateway';

const dir = tempDir('airlock-ledger-');
let n = 0;
const fresh = (): { path: string; home: string; anchor: string } => {
  n += 1;
  const home = join(dir, `home${n}`);
  const path = join(dir, `l${n}.sqlite`);
  return { path, home, anchor: anchorPathFor(home, path) };
};

const step = (runId: string, i: number, over: Partial<StepInput> = {}): StepInput => ({
  runId, event: 'pre', agent: 'claude', sessionId: 's', tool: 'Bash', kind: 'shell', action: { kind: 'shell', command: `echo ${i}`, cwd: '/w' }, actionHash: hashOf({ i }),
  decision: 'allow', reversibility: 'read', reasons: ['reads only'], rules: ['builtin.read'], effects: [], policyHash: 'p', startedAt: '2025-01-01T00:00:00.000Z', decidedAt: '2025-01-01T00:00:00.001Z', durationUs: 12, ...over,
});

/** A ledger with two runs of `k` steps each, written through the anchor. */
function populated(k = 5): { path: string; home: string; anchor: string; runs: string[] } {
  const f = fresh();
  const l = Ledger.open(f.path, { anchor: f.anchor });
  const a = l.runFor('claude', 'A', 't').id;
  const b = l.runFor('codex', 'B', 't').id;
  for (let i = 0; i < k; i++) {
    l.appendStep(step(a, i));
    l.appendStep(step(b, i, { agent: 'codex' }));
  }
  l.close();
  return { ...f, runs: [a, b] };
}

const sql = (path: string, stmt: string, ...args: unknown[]): void => {
  const db = new Database(path);
  db.prepare(stmt).run(...args);
  db.close();
};
const reopen = (f: { path: string; anchor: string }) => {
  const l = Ledger.open(f.path, { anchor: f.anchor });
  const i = l.integrity;
  l.close();
  return i;
};
const verifyCli = (f: { path: string; home: string }, ...extra: string[]) => runCli(['verify', '--ledger', f.path, '--json', ...extra], { ...process.env, AIRLOCK_HOME: f.home, HOME: dir });

describe('ledger integrity', () => {
  before(() => execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'ignore' }));

  it('an untouched ledger verifies; the core hash equals the stored one; the anchor is 0600 and matches', async () => {
    const f = populated();
    const l = Ledger.open(f.path, { anchor: f.anchor });
    assert.equal(l.integrity.ok, true, JSON.stringify(l.integrity));
    assert.equal(l.integrity.steps, 10);
    assert.equal(l.integrity.anchor.status, 'matched');
    for (const r of l.allSteps()) assert.equal(chainHashV3(r as never), r.hash);
    assert.ok(l.allSteps().every((r) => r.hash_format === 3), 'written in format 3 (ledger schema 3)');
    assert.equal(firstBreak(l.allSteps()), undefined);
    l.close();
    assert.equal(statSync(f.anchor).mode & 0o777, 0o600);
    const a = readAnchor(f.anchor);
    assert.ok(a.kind === 'ok' && a.anchor.steps === 10);
    const r = await verifyCli(f);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).ok, true);
  });

  it('an edited row: content hash mismatch at exactly that row', async () => {
    const f = populated();
    const l0 = Ledger.open(f.path, { readonly: true, check: false });
    const victim = l0.stepsOf(f.runs[0]!)[2]!;
    l0.close();
    sql(f.path, 'UPDATE steps SET decision = ? WHERE id = ?', 'deny', victim.id);
    const r = await verifyCli(f);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout);
    assert.equal(j.ok, false);
    assert.equal(j.problems[0].kind, 'chain.content');
    assert.equal(j.problems[0].rowId, victim.id);
    assert.equal(j.problems[0].runId, f.runs[0]);
    assert.equal(j.problems[0].seq, 3);
    const text = await runCli(['verify', '--ledger', f.path], { ...process.env, AIRLOCK_HOME: f.home, HOME: dir });
    assert.equal(text.code, 1);
    assert.match(text.stdout, /LEDGER INTEGRITY BROKEN/);
    assert.match(text.stdout, /edited after it was written/);
  });

  it('a deleted middle row: prev_hash mismatch on the next row, and a gap in the run\'s sequence', () => {
    const f = populated();
    const l0 = Ledger.open(f.path, { readonly: true, check: false });
    const rows = l0.allSteps();
    l0.close();
    sql(f.path, 'DELETE FROM steps WHERE id = ?', rows[3]!.id);
    const i = reopen(f);
    assert.equal(i.ok, false);
    assert.equal(i.problems[0]!.kind, 'chain.prev-hash');
    assert.equal(i.problems[0]!.rowId, rows[4]!.id);
    assert.ok(i.problems.some((p) => p.kind === 'seq.gap' && p.runId === rows[3]!.run_id));
    assert.ok(i.problems.some((p) => p.kind === 'ledger.truncated'), 'the anchor counted one more step');
  });

  it('the last rows deleted: last_seq disagrees and the anchor says steps are missing (the chain alone cannot see this)', async () => {
    const f = populated();
    const l0 = Ledger.open(f.path, { readonly: true, check: false });
    const rows = l0.allSteps();
    l0.close();
    sql(f.path, 'DELETE FROM steps WHERE id = ?', rows.at(-1)!.id);
    const i = reopen(f);
    assert.equal(i.problems.find((p) => p.kind.startsWith('chain')), undefined, 'the remaining chain is intact');
    assert.ok(i.problems.some((p) => p.kind === 'seq.last-seq'));
    assert.ok(i.problems.some((p) => p.kind === 'ledger.truncated'));
    // The truncation is remembered as an incident even though the anchor was rebound.
    const again = await verifyCli(f);
    assert.equal(again.code, 1);
    assert.ok(JSON.parse(again.stdout).incidents.some((x: { kind: string }) => x.kind === 'ledger.truncated'));
  });

  it('a chain re-computed after an edit still fails against the anchor', () => {
    const f = populated(3);
    const db = new Database(f.path);
    const rows = db.prepare('SELECT * FROM steps ORDER BY rowid').all() as Array<Record<string, unknown> & { id: string }>;
    let prev = '0'.repeat(64);
    for (const r of rows) {
      // Forged in the current format (3): the hashes stored as 32 bytes.
      const edited = { ...r, decision: 'allow', reasons_json: '["forged"]', prev_hash: prev };
      const h = chainHashV3(edited);
      db.prepare('UPDATE steps SET reasons_json = ?, prev_hash = ?, hash = ? WHERE id = ?').run('["forged"]', Buffer.from(prev, 'hex'), Buffer.from(h, 'hex'), r.id);
      prev = h;
    }
    db.close();
    const i = reopen(f);
    assert.equal(i.problems.filter((p) => p.kind.startsWith('chain')).length, 0, 'the forged chain is self-consistent');
    assert.ok(i.problems.some((p) => p.kind === 'ledger.rewritten'), JSON.stringify(i.problems));
  });

  it('a deleted database is reported at start, the gate can still open a new one, and the incident stays until accepted', async () => {
    const f = populated(2);
    for (const x of ['', '-wal', '-shm']) rmSync(`${f.path}${x}`, { force: true });
    const v0 = await verifyCli(f);
    assert.equal(v0.code, 1);
    assert.match(v0.stdout, /history was deleted/);
    const l = Ledger.open(f.path, { anchor: f.anchor });
    assert.equal(l.integrity.ok, false);
    assert.equal(l.integrity.problems[0]!.kind, 'ledger.missing');
    assert.match(l.integrity.problems[0]!.message, /records 4 step\(s\)/);
    l.appendStep(step(l.runFor('claude', 'C', 't').id, 0));
    l.close();
    const v1 = await verifyCli(f);
    assert.equal(v1.code, 1, 'still broken: the incident was not accepted');
    const j = JSON.parse(v1.stdout);
    assert.deepEqual(j.problems, []);
    assert.equal(j.incidents[0].kind, 'ledger.missing');
    const acc = await verifyCli(f, '--accept');
    assert.equal(acc.code, 0, acc.stdout);
    assert.equal(JSON.parse(acc.stdout).accepted, 1);
    assert.equal((await verifyCli(f)).code, 0);
  });

  it('a database replaced by another ledger is reported', () => {
    const f = populated(2);
    const other = populated(2);
    for (const x of ['-wal', '-shm']) rmSync(`${f.path}${x}`, { force: true });
    copyFileSync(other.path, f.path);
    const i = reopen(f);
    assert.ok(i.problems.some((p) => p.kind === 'ledger.replaced'), JSON.stringify(i.problems));
  });

  it('a ledger ahead of its anchor (crash between commit and anchor write) is intact', () => {
    const f = populated(2);
    const l = Ledger.open(f.path); // a writer without the anchor: the anchor lags behind
    l.appendStep(step(l.runFor('claude', 'A', 't').id, 9));
    l.close();
    const i = reopen(f);
    assert.equal(i.ok, true, JSON.stringify(i.problems));
    assert.equal(i.anchor.status, 'ahead');
    assert.equal(i.anchor.ahead, 1);
  });

  it('an unreadable anchor is reported, not ignored', () => {
    const f = populated(1);
    sql(f.path, 'SELECT 1');
    execFileSync('sh', ['-c', `printf 'garbage' > '${f.anchor}'`]);
    const i = reopen(f);
    assert.ok(i.problems.some((p) => p.kind === 'anchor.unreadable'));
  });

  it('secrets are masked in what is stored; action_hash stays the hash of the real action', () => {
    const f = fresh();
    const l = Ledger.open(f.path, { anchor: f.anchor });
    const run = l.runFor('claude', 'M', 't').id;
    const action = { kind: 'shell', command: 'PGPASSWORD=hunter22 psql postgres://app:S3cret@db/prod -c "select 1"', cwd: '/w' };
    const row = l.appendStep(step(run, 0, { action, actionHash: hashOf(action), description: 'connect with token=abc123def', reasons: ['ran with --password=Xy12345'], outcome: { error: 'auth failed for postgres://app:S3cret@db' }, effects: [{ kind: 'network', reversibility: 'irreversible', detail: 'postgres://app:S3cret@db' }] }));
    l.setRunStatus(run, 'paused', 'repeated PGPASSWORD=hunter22');
    const stored = JSON.stringify({ row: l.allSteps(), runs: l.runs() });
    l.close();
    for (const secret of ['hunter22', 'S3cret', 'abc123def', 'Xy12345']) assert.ok(!stored.includes(secret), `${secret} stored: ${stored}`);
    assert.match(row.action_json!, /PGPASSWORD=\*\*\* psql postgres:\/\/app:\*\*\*@db\/prod/);
    assert.equal(row.action_hash, hashOf(action));
    assert.equal(reopen(f).ok, true);
  });

  it('two writers on one file keep one chain (the head is read inside the transaction)', () => {
    const f = fresh();
    const a = Ledger.open(f.path);
    const b = Ledger.open(f.path);
    const ra = a.runFor('claude', 'x', 't').id;
    const rb = b.runFor('codex', 'y', 't').id;
    for (let i = 0; i < 5; i++) {
      a.appendStep(step(ra, i));
      b.appendStep(step(rb, i));
    }
    assert.equal(firstBreak(a.allSteps()), undefined);
    a.close();
    b.close();
  });

  it('a readonly verify of a missing ledger with no anchor says so', async () => {
    const f = fresh();
    const r = await verifyCli(f);
    assert.equal(r.code, 1);
    assert.match(JSON.parse(r.stdout).error, /no ledger/);
    assert.equal(existsSync(f.path), false, 'verify created nothing');
  });

  it('a real airlock serve started on a deleted ledger says so loudly and reports it in /v1/health', async () => {
    const home = join(dir, 'serve-home');
    const path = join(home, 'ledger.sqlite');
    const l = Ledger.open(path, { anchor: anchorPathFor(home, path) });
    const run = l.runFor('claude', 'gone', 't').id;
    for (let i = 0; i < 3; i++) l.appendStep(step(run, i));
    l.close();
    assert.ok(existsSync(join(home, 'ledger.anchor')), 'the default ledger keeps its anchor at <home>/ledger.anchor');
    for (const x of ['', '-wal', '-shm']) rmSync(`${path}${x}`, { force: true });
    const env: NodeJS.ProcessEnv = { ...process.env, AIRLOCK_HOME: home, HOME: dir };
    delete env.AIRLOCK_DISCOVERY;
    const s = await startServe(['--ci'], env);
    try {
      const token = (JSON.parse(readFileSync(s.ready.discovery, 'utf8')) as { token: string }).token;
      const h = await raw(s.ready.bridge, { method: 'GET', path: '/v1/health', headers: { authorization: `Bearer ${token}` } });
      assert.equal(JSON.parse(h.body).ledgerIntact, false);
      assert.match(s.stderr(), /LEDGER INTEGRITY BROKEN/);
      assert.match(s.stderr(), /ledger\.missing: .*records 3 step\(s\)/);
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  });
});
