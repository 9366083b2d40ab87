/**
 * Group commit (src/node/ledger/groupCommit.ts): many steps per transaction, acknowledged only once
 * committed, a bounded queue with backpressure, one bad step failing alone; and crash safety with a
 * real SIGKILL: a child appending as fast as it can is killed mid-burst, the ledger reopens with its
 * chain and anchor intact, and every step the child had acknowledged is there.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hashOf } from '../../src/core/hash';
import { GroupCommit, LONE_STEPS } from '../../src/node/ledger/groupCommit';
import { LedgerWriterThread, type BatchWriter } from '../../src/node/ledger/ledgerWriter';
import { anchorPathFor, Ledger, type StepInput, type StepRow } from '../../src/node/ledger/ledger';
import { ROOT, tempDir } from '../support/gateway';

const dir = tempDir('airlock-groupcommit-');
let n = 0;
const fresh = (): { path: string; home: string; anchor: string } => {
  n += 1;
  const home = join(dir, `home${n}`);
  const path = join(dir, `l${n}.sqlite`);
  return { path, home, anchor: anchorPathFor(home, path) };
};
const step = (runId: string, i: number, over: Partial<StepInput> = {}): StepInput => ({
  runId, event: 'pre', agent: 'claude', sessionId: 's', tool: 'Bash', kind: 'shell', action: { kind: 'shell', command: `echo ${i} PGPASSWORD=hunter2pw psql`, cwd: '/w' }, actionHash: hashOf({ i }),
  decision: 'allow', reversibility: 'read', reasons: ['reads only'], rules: ['builtin.read'], effects: [], policyHash: 'p', startedAt: '2025-01-01T00:00:00.000Z', decidedAt: '2025-01-01T00:00:00.001Z', durationUs: 12, ...over,
});

describe('ledger group commit', () => {
  it('commits many steps per transaction, in order, with per-run sequences, the chain and masking', async () => {
    const f = fresh();
    const l = Ledger.open(f.path, { anchor: f.anchor });
    const a = l.runFor('claude', 'A', 't').id;
    const b = l.runFor('claude', 'B', 't').id;
    l.appendStep(step(a, -1)); // an existing step: sequences continue from it
    const gc = new GroupCommit(l, { maxBatch: 64, maxQueue: 256 });
    const rows = await Promise.all(Array.from({ length: 1000 }, (_, i) => gc.append(step(i % 3 ? a : b, i))));
    assert.ok(gc.stats.transactions < 1000 / 8, `batched: ${gc.stats.transactions} transactions for 1000 steps`);
    assert.equal(gc.stats.largestBatch, 64);
    assert.deepEqual(rows.filter((r) => r.run_id === a).map((r) => r.seq), Array.from({ length: rows.filter((r) => r.run_id === a).length }, (_, k) => k + 2));
    assert.deepEqual(rows.filter((r) => r.run_id === b).map((r) => r.seq), Array.from({ length: rows.filter((r) => r.run_id === b).length }, (_, k) => k + 1));
    const all = l.allSteps();
    for (const run of [a, b]) assert.deepEqual(all.slice(1).filter((r) => r.run_id === run).map((r) => r.id), rows.filter((r) => r.run_id === run).map((r) => r.id), 'each run written in the order appended');
    assert.deepEqual(new Set(all.slice(1).map((r) => r.id)), new Set(rows.map((r) => r.id)));
    assert.ok(!all.some((r) => (r.action_json ?? '').includes('hunter2pw')), 'masked before storage');
    gc.close();
    l.close();
    const r = Ledger.open(f.path, { anchor: f.anchor, readonly: true });
    assert.equal(r.integrity.ok, true, JSON.stringify(r.integrity.problems));
    assert.equal(r.integrity.steps, 1001);
    assert.equal(r.integrity.anchor.status, 'matched');
    r.close();
  });

  it('a step resolves only after its transaction committed, never inside append(); a full queue makes append wait', async () => {
    const f = fresh();
    const l = Ledger.open(f.path);
    const a = l.runFor('claude', 'A', 't').id;
    const gc = new GroupCommit(l, { maxBatch: 4, maxQueue: 8 });
    let resolved = 0;
    const ps = Array.from({ length: 8 }, (_, i) => gc.append(step(a, i)).then((row) => (resolved++, row)));
    await Promise.resolve();
    // Queued, not yet committed, not yet acknowledged: the commit happens on the next turn.
    assert.equal(gc.pending, 8);
    assert.equal(l.allSteps().length, 0);
    assert.equal(resolved, 0);
    assert.equal(gc.accepting, false, 'the queue is full');
    // A producer beyond the bound waits for room, and is queued once the flush made some.
    let ninthQueued = false;
    const ninth = gc.append(step(a, 8)).then((r) => ((ninthQueued = true), r));
    await Promise.resolve();
    assert.equal(gc.pending, 9);
    assert.equal(gc.stats.waits, 1);
    const rows = await Promise.all(ps);
    assert.equal(resolved, 8);
    assert.ok(rows.every((r) => l.allSteps().some((s) => s.id === r.id)), 'every resolved step is in the database');
    assert.equal(gc.stats.transactions, 2, 'two transactions of maxBatch=4');
    await ninth;
    assert.ok(ninthQueued);
    assert.equal(l.allSteps().length, 9);
    gc.close();
    await assert.rejects(gc.append(step(a, 999)), /closed/);
    l.close();
  });

  it('close() commits what is queued', async () => {
    const f = fresh();
    const l = Ledger.open(f.path);
    const a = l.runFor('claude', 'A', 't').id;
    const gc = new GroupCommit(l);
    const ps = [0, 1, 2].map((i) => gc.append(step(a, i)));
    await Promise.resolve();
    gc.close();
    assert.equal(l.allSteps().length, 3);
    assert.equal((await Promise.all(ps)).length, 3);
    l.close();
  });

  it('one step that cannot be written fails alone; the rest of its batch commits', async () => {
    const f = fresh();
    const l = Ledger.open(f.path);
    const a = l.runFor('claude', 'A', 't').id;
    const gc = new GroupCommit(l, { maxBatch: 16 });
    const results = await Promise.allSettled([gc.append(step(a, 0)), gc.append(step('no-such-run', 1)), gc.append(step(a, 2))]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /no run no-such-run/);
    assert.deepEqual(l.allSteps().map((r) => r.seq), [1, 2]);
    assert.equal(gc.stats.failed, 1);
    gc.close();
    l.close();
  });

  it('rejects bad options with the reason', () => {
    assert.throws(() => new GroupCommit({ appendSteps: () => [] }, { maxBatch: 0 }), /maxBatch must be a positive integer/);
    assert.throws(() => new GroupCommit({ appendSteps: () => [] }, { maxBatch: 10, maxQueue: 5 }), /maxQueue \(5\) must be at least maxBatch/);
  });

  it('refuses at once past maxWaiting (the caller fails closed) instead of piling up work', async () => {
    const f = fresh();
    const l = Ledger.open(f.path);
    const a = l.runFor('claude', 'A', 't').id;
    const gc = new GroupCommit(l, { maxBatch: 2, maxQueue: 2, maxWaiting: 4 });
    const ok = [0, 1, 2, 3].map((i) => gc.append(step(a, i)));
    await assert.rejects(gc.append(step(a, 4)), /ledger queue full \(4 steps waiting/);
    assert.equal(gc.stats.refused, 1);
    assert.equal((await Promise.all(ok)).length, 4);
    gc.close();
    l.close();
  });

  it('on the writer thread: many steps per transaction, in order, each resolved only once its commit is visible to another connection', async () => {
    const f = fresh();
    const l = Ledger.open(f.path, { anchor: f.anchor });
    const a = l.runFor('claude', 'A', 't').id;
    const b = l.runFor('claude', 'B', 't').id;
    l.appendStep(step(a, -1));
    const gc = new GroupCommit(l, { maxBatch: 64, maxQueue: 256 });
    const writer = await LedgerWriterThread.start(l.writeTarget());
    gc.useWriter(writer);
    assert.equal(gc.threaded, true);
    // A second, read-only connection: a resolved step must already be committed (visible to it).
    const reader = Ledger.open(f.path, { readonly: true, check: false });
    const seen = reader.database().prepare('SELECT 1 FROM steps WHERE id = ?');
    let invisible = 0;
    const rows = await Promise.all(Array.from({ length: 1000 }, (_, i) => gc.append(step(i % 3 ? a : b, i)).then((row) => {
      if (seen.get(row.id) === undefined) invisible++;
      return row;
    })));
    assert.equal(invisible, 0, 'no step resolved before its commit');
    assert.ok(gc.stats.transactions < 1000 / 8, `batched: ${gc.stats.transactions} transactions for 1000 steps`);
    assert.deepEqual(rows.filter((r) => r.run_id === a).map((r) => r.seq), Array.from({ length: rows.filter((r) => r.run_id === a).length }, (_, k) => k + 2));
    assert.deepEqual(rows.filter((r) => r.run_id === b).map((r) => r.seq), Array.from({ length: rows.filter((r) => r.run_id === b).length }, (_, k) => k + 1));
    const all = l.allSteps();
    for (const run of [a, b]) assert.deepEqual(all.slice(1).filter((r) => r.run_id === run).map((r) => r.id), rows.filter((r) => r.run_id === run).map((r) => r.id), 'each run written in the order appended');
    const byId = new Map(all.map((r) => [r.id, r]));
    assert.deepEqual(rows.map((r) => byId.get(r.id)), rows, 'the rows resolved are the rows stored');
    assert.ok(!all.some((r) => (r.action_json ?? '').includes('hunter2pw')), 'masked before storage');
    await gc.close();
    assert.equal(writer.alive, false, 'close() ends the thread');
    reader.close();
    l.close();
    const r = Ledger.open(f.path, { anchor: f.anchor, readonly: true });
    assert.equal(r.integrity.ok, true, JSON.stringify(r.integrity.problems));
    assert.equal(r.integrity.steps, 1001);
    assert.equal(r.integrity.anchor.status, 'matched', 'the anchor followed the rows the thread wrote');
    r.close();
  });

  it('with the writer thread idle, a lone step (up to LONE_STEPS) commits on this thread; a burst still goes to the thread', async () => {
    const f = fresh();
    const l = Ledger.open(f.path, { anchor: f.anchor });
    const a = l.runFor('claude', 'A', 't').id;
    const gc = new GroupCommit(l, { maxBatch: 64, maxQueue: 256 });
    const thread = await LedgerWriterThread.start(l.writeTarget());
    // The real thread, with every batch it is sent recorded.
    const sent: number[] = [];
    const writer: BatchWriter = {
      write: (steps) => (sent.push(steps.length), thread.write(steps)),
      get alive() {
        return thread.alive;
      },
      close: () => thread.close(),
    };
    gc.useWriter(writer);
    const reader = Ledger.open(f.path, { readonly: true, check: false });
    const seen = reader.database().prepare('SELECT 1 FROM steps WHERE id = ?');
    // One step at a time, as one tool call at a time makes them: none goes through the thread.
    const lone: StepRow[] = [];
    for (let i = 0; i < 5; i++) {
      const row = await gc.append(step(a, i));
      assert.notEqual(seen.get(row.id), undefined, 'committed before it resolved');
      lone.push(row);
    }
    // A few together (LONE_STEPS of them) likewise, in one transaction.
    const few = await Promise.all(Array.from({ length: LONE_STEPS }, (_, i) => gc.append(step(a, 100 + i))));
    assert.deepEqual(sent, [], 'the writer thread was sent nothing');
    assert.equal(gc.stats.byThread, 0);
    assert.equal(gc.stats.transactions, 6);
    assert.equal(gc.stats.largestBatch, LONE_STEPS);
    // One more than LONE_STEPS, and a burst: through the thread.
    await Promise.all(Array.from({ length: LONE_STEPS + 1 }, (_, i) => gc.append(step(a, 200 + i))));
    assert.deepEqual(sent, [LONE_STEPS + 1]);
    const burst = await Promise.all(Array.from({ length: 1000 }, (_, i) => gc.append(step(a, 1000 + i)).then((row) => (assert.notEqual(seen.get(row.id), undefined, 'committed before it resolved'), row))));
    assert.ok(sent.length - 1 >= Math.ceil(1000 / 64), `the burst went to the thread in batches: ${sent.join(',')}`);
    assert.equal(gc.stats.byThread, sent.length);
    // Lone steps again once the thread is idle; the chain interleaves both connections' commits.
    const after = await gc.append(step(a, 5000));
    assert.equal(sent.reduce((x, y) => x + y, 0), LONE_STEPS + 1 + burst.length, 'every step of the burst through the thread, the last lone one not');
    const all = l.allSteps();
    assert.deepEqual(all.map((r) => r.seq), Array.from({ length: all.length }, (_, k) => k + 1), 'one sequence, in commit order');
    assert.equal(all.at(-1)!.id, after.id);
    await gc.close();
    reader.close();
    l.close();
    const r = Ledger.open(f.path, { anchor: f.anchor, readonly: true });
    assert.equal(r.integrity.ok, true, JSON.stringify(r.integrity.problems));
    assert.equal(r.integrity.steps, 5 + LONE_STEPS + LONE_STEPS + 1 + 1000 + 1);
    assert.equal(r.integrity.anchor.status, 'matched', 'the anchor followed both connections');
    r.close();
  });

  it('on the writer thread: one step that cannot be written fails alone; the rest of its batch commits', async () => {
    const f = fresh();
    const l = Ledger.open(f.path);
    const a = l.runFor('claude', 'A', 't').id;
    const gc = new GroupCommit(l, { maxBatch: 16 });
    gc.useWriter(await LedgerWriterThread.start(l.writeTarget()));
    // More than LONE_STEPS at once, so the batch goes to the thread.
    const results = await Promise.allSettled([gc.append(step(a, 0)), gc.append(step('no-such-run', 1)), ...[2, 3, 4, 5].map((i) => gc.append(step(a, i)))]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /no run no-such-run/);
    assert.deepEqual(l.allSteps().map((r) => r.seq), [1, 2, 3, 4, 5]);
    assert.equal(gc.stats.failed, 1);
    assert.ok(gc.stats.byThread >= 5, `retried one by one on the thread (${gc.stats.byThread} transactions there)`);
    await gc.close();
    l.close();
  });

  it('the writer thread dies mid-burst: what it had not answered is written on the main thread, nothing twice, the chain verifies', async () => {
    const f = fresh();
    const l = Ledger.open(f.path, { anchor: f.anchor });
    const a = l.runFor('claude', 'A', 't').id;
    const gc = new GroupCommit(l, { maxBatch: 32, maxQueue: 512 });
    const stops: string[] = [];
    const writer = await LedgerWriterThread.start(l.writeTarget(), (reason) => stops.push(reason));
    gc.useWriter(writer);
    const ps = Array.from({ length: 3000 }, (_, i) => gc.append(step(a, i)));
    // Let a few batches go through the thread, then end it from outside while others are in flight.
    while (gc.stats.steps < 64) await new Promise((r) => setImmediate(r));
    await (writer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const results = await Promise.allSettled(ps);
    assert.equal(writer.alive, false);
    assert.match(stops.join('\n'), /writer thread stopped/);
    assert.equal(gc.threaded, false, 'back to the main thread');
    const ok = results.filter((r): r is PromiseFulfilledResult<Awaited<(typeof ps)[number]>> => r.status === 'fulfilled').map((r) => r.value);
    assert.equal(ok.length, 3000, `every step written: ${results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)).slice(0, 2).join('; ')}`);
    const all = l.allSteps();
    assert.equal(all.length, 3000, 'nothing written twice');
    assert.deepEqual(new Set(all.map((r) => r.id)), new Set(ok.map((r) => r.id)));
    assert.deepEqual(all.map((r) => r.seq), Array.from({ length: 3000 }, (_, k) => k + 1));
    await gc.close();
    l.close();
    const r = Ledger.open(f.path, { anchor: f.anchor, readonly: true });
    assert.equal(r.integrity.ok, true, JSON.stringify(r.integrity.problems));
    r.close();
  });

  it('the writer thread dies after committing batches whose answers never came back: they are taken as committed, in order, none rejected, the anchor matches', async () => {
    const f = fresh();
    const l = Ledger.open(f.path, { anchor: f.anchor });
    const a = l.runFor('claude', 'A', 't').id;
    const gc = new GroupCommit(l, { maxBatch: 32, maxQueue: 512 });
    const thread = await LedgerWriterThread.start(l.writeTarget());
    // The real thread commits every batch; from the third on its answers are held back, and once it
    // has committed all it was sent, it "dies" as LedgerWriterThread does: not alive, and every
    // unanswered batch rejected at once, in the order sent.
    let calls = 0;
    let dead = false;
    const held: Array<{ done: Promise<unknown>; reject: (e: Error) => void }> = [];
    const writer: BatchWriter = {
      write(steps) {
        if (dead) return Promise.reject(new Error('the ledger\'s writer thread stopped'));
        const k = ++calls;
        const real = thread.write(steps);
        if (k < 3) return real;
        return new Promise((_resolve, reject) => {
          held.push({ done: real, reject });
          if (held.length === 1) {
            // Let the thread commit what it has been sent (and one more batch), then stop.
            void new Promise((r) => setTimeout(r, 30)).then(async () => {
              await Promise.all(held.map((h) => h.done));
              dead = true;
              for (const h of held) h.reject(new Error('the ledger\'s writer thread stopped (exit 1)'));
            });
          }
        });
      },
      get alive() {
        return !dead;
      },
      close: () => thread.close(),
    };
    gc.useWriter(writer);
    try {
      const results = await Promise.allSettled(Array.from({ length: 600 }, (_, i) => gc.append(step(a, i))));
      assert.ok(held.length >= 1 && dead, 'batches were committed by the thread and their answers lost');
      assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)).slice(0, 2), [], 'none rejected');
      const rows = results.map((r) => (r as PromiseFulfilledResult<StepRow>).value);
      const all = l.allSteps();
      assert.equal(all.length, 600, 'each step once');
      const byId = new Map(all.map((r) => [r.id, r]));
      assert.deepEqual(rows.map((r) => byId.get(r.id)), rows, 'each resolved with the row as stored');
      assert.equal(gc.stats.steps, 600);
    } finally {
      await gc.close();
      await thread.close();
      l.close();
    }
    const r = Ledger.open(f.path, { anchor: f.anchor, readonly: true });
    assert.equal(r.integrity.ok, true, JSON.stringify(r.integrity.problems));
    assert.equal(r.integrity.anchor.status, 'matched', 'the anchor counted the rows whose answers were lost');
    r.close();
  });

  it('a writer thread on a ledger file that does not exist does not start, and says why', async () => {
    await assert.rejects(LedgerWriterThread.start({ path: join(dir, 'nope', 'missing.sqlite'), durability: 'process' }), /could not open .*missing\.sqlite/);
  });

  // The last case: three producers with a writer thread, so the steps come few at a time and are
  // committed on the main thread (LONE_STEPS) while the thread idles.
  for (const [durability, writer, producers] of [['process', 'main', 1024], ['power', 'main', 1024], ['process', 'thread', 1024], ['power', 'thread', 1024], ['process', 'thread', 3]] as const) {
    it(`SIGKILL mid-burst (durability ${durability}, ${producers} producers, written on the ${writer === 'thread' ? "ledger's writer thread" : 'main thread'}${producers <= LONE_STEPS ? ' or, few at a time, on the main thread' : ''}): every acknowledged step is in the reopened ledger, chain and anchor verify`, async () => {
      const f = fresh();
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'support', 'ledgerAppender.ts'), f.path, f.home, String(producers), durability, writer], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let lines = 0;
      child.stdout.on('data', (c: Buffer) => {
        const text = c.toString();
        out += text;
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
      });
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, sig) => r(sig)));
      const want = producers <= LONE_STEPS ? 1_000 : durability === 'process' ? 20_000 : 3_000;
      const t0 = Date.now();
      // Whole lines only: each is one acknowledged step.
      while (lines < want && Date.now() - t0 < 60_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL', err);
      const acked = out.split('\n').filter(Boolean);
      assert.ok(acked.length >= want, `only ${acked.length} acknowledgements before the kill: ${err}`);
      assert.ok(existsSync(`${f.path}-wal`) && statSync(`${f.path}-wal`).size > 0, 'killed with a WAL to recover');
      const l = Ledger.open(f.path, { anchor: f.anchor });
      try {
        assert.equal(l.integrity.ok, true, JSON.stringify(l.integrity.problems));
        assert.ok(['matched', 'ahead'].includes(l.integrity.anchor.status), l.integrity.anchor.status);
        const rows = l.allSteps();
        const ids = new Set(rows.map((r) => r.id));
        const lost = acked.filter((id) => !ids.has(id));
        assert.deepEqual(lost.slice(0, 5), [], `${lost.length} of ${acked.length} acknowledged steps missing after SIGKILL`);
        assert.ok(rows.length >= acked.length);
        assert.ok(!rows.some((r) => /tok\d+secretsecret/.test(r.action_json ?? '')), 'masked');
      } finally {
        l.close();
      }
    });
  }
});
