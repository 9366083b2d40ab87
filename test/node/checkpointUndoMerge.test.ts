/**
 * Undo over changes the person made after the step, as a three-way merge (src/node/checkpoints/
 * merge.ts): base = the file after the step, ours = the file now, theirs = the file before. Real git
 * workspaces, the real gate (in-process, its own ledger and checkpoints), the run log's port and the
 * built `airlock undo --merge`:
 *   - a clean merge keeps the person's lines and takes the step's back; recorded as its own step
 *     carrying each merged file's conflict count and hash; the undo is itself undoable;
 *   - the same line changed on both sides: conflict markers, labelled;
 *   - binary files, files the step created, files deleted since: refused, nothing written;
 *   - without --merge the undo refuses and says --merge exists; --merge with --force is a usage error;
 *   - the panel's plan lists the merge and its diff content; its Undo merges.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Action } from '../../src/core/action';
import { GateCheckpoints } from '../../src/node/checkpoints/gateCheckpoints';
import { CheckpointStore } from '../../src/node/checkpoints/store';
import { undoCheckpointStep } from '../../src/node/checkpoints/undo';
import { PanelCheckpoints } from '../../src/node/checkpoints/panelUndo';
import { PendingApprovals } from '../../src/node/gate/approvals';
import { Gate } from '../../src/node/gate/gate';
import { Ledger } from '../../src/node/ledger/ledger';
import { LedgerQueries } from '../../src/node/ledger/queries';
import { runCli, tempDir } from '../support/gateway';

const BEFORE = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', ''].join('\n');

interface Fixture {
  ws: string;
  home: string;
  ledgerPath: string;
  store: CheckpointStore;
  gate: Gate;
  ledger: Ledger;
  /** One agent step through the gate: pre (checkpoint), the change, post (after-state). Returns the step id. */
  step(path: string, change: () => void, op?: 'write' | 'delete'): Promise<string>;
  close(): Promise<void>;
}

async function fixture(): Promise<Fixture> {
  const base = tempDir('airlock-cpmerge-');
  const ws = join(base, 'ws');
  const home = join(base, 'home');
  mkdirSync(join(ws, 'src'), { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(ws, 'src', 'list.txt'), BEFORE);
  writeFileSync(join(ws, 'logo.bin'), Buffer.from([0, 1, 2, 3, 0, 5]));
  execFileSync('git', ['init', '-q'], { cwd: ws });
  const ledgerPath = join(home, 'ledger.sqlite');
  const ledger = Ledger.open(ledgerPath);
  const store = new CheckpointStore(home);
  const gate = new Gate({ ledger, approver: new PendingApprovals(), mode: 'interactive', home, workspaceRoots: [ws], log: () => undefined, checkpoints: new GateCheckpoints(store, () => undefined) });
  let n = 0;
  return {
    ws, home, ledgerPath, store, gate, ledger,
    async step(path, change, op = 'write') {
      const toolUseId = `t${++n}`;
      const action: Action = { kind: 'file', op, path, cwd: ws, workspaceRoots: [ws] };
      const r = await gate.hook({ agent: 'claude', event: 'pre', sessionId: 's1', toolName: op === 'delete' ? 'Delete' : 'Write', toolUseId, action, deadlineMs: 20_000 });
      assert.equal(r.decision, 'allow', JSON.stringify(r));
      assert.ok(r.rules.includes('checkpoint.taken'), JSON.stringify(r));
      change();
      await gate.hook({ agent: 'claude', event: 'post', sessionId: 's1', toolName: op === 'delete' ? 'Delete' : 'Write', toolUseId, action, outcome: { exitCode: 0, durationMs: 1 }, deadlineMs: 5000 });
      return r.stepId;
    },
    async close() {
      await gate.close();
      ledger.close();
    },
  };
}

const stepOf = (f: Fixture, id: string): { stepId: string; checkpoint: string } => {
  const db = new Database(f.ledgerPath, { readonly: true });
  try {
    const r = db.prepare('SELECT id, checkpoint FROM steps WHERE id = ?').get(id) as { id: string; checkpoint: string };
    return { stepId: r.id, checkpoint: r.checkpoint };
  } finally {
    db.close();
  }
};

const replaceLine = (text: string, from: string, to: string): string => text.split('\n').map((l) => (l === from ? to : l)).join('\n');

describe('undo over changes made since the step: a three-way merge', () => {
  it('clean: the person’s lines stay, the step’s go; recorded with the merge; the undo is itself undoable', async () => {
    const f = await fixture();
    try {
      const file = join(f.ws, 'src', 'list.txt');
      const id = await f.step(file, () => writeFileSync(file, replaceLine(BEFORE, 'beta', 'BETA (agent)')));
      // The person edits another line afterwards.
      writeFileSync(file, replaceLine(readFileSync(file, 'utf8'), 'zeta', 'zeta (mine)'));
      const o = { store: f.store, gate: f.gate, sessionId: 'undo', requestedBy: 'test' };

      const refused = await undoCheckpointStep(stepOf(f, id), o);
      assert.equal(refused.ok, false);
      assert.match(!refused.ok ? refused.message : '', /changed after step.*airlock undo --merge/);
      assert.equal(readFileSync(file, 'utf8'), replaceLine(replaceLine(BEFORE, 'beta', 'BETA (agent)'), 'zeta', 'zeta (mine)'), 'a refusal writes nothing');

      const r = await undoCheckpointStep(stepOf(f, id), { ...o, merge: true });
      assert.equal(r.ok, true, JSON.stringify(r));
      const expected = replaceLine(BEFORE, 'zeta', 'zeta (mine)');
      assert.equal(readFileSync(file, 'utf8'), expected);
      assert.deepEqual(r.ok && r.merged, [{ path: 'src/list.txt', conflicts: 0 }]);
      assert.equal(r.ok && r.verified, true);

      const db = new Database(f.ledgerPath, { readonly: true });
      const row = db.prepare("SELECT decision, action_json, description, checkpoint FROM steps WHERE tool = 'checkpoint_undo' AND event = 'pre' ORDER BY rowid DESC").get() as { decision: string; action_json: string; description: string; checkpoint: string };
      db.close();
      assert.equal(row.decision, 'allow');
      const args = (JSON.parse(row.action_json) as { args: { merge: { path: string; conflicts: number; sha256: string }[] } }).args;
      assert.deepEqual(args.merge, [{ path: file, conflicts: 0, sha256: createHash('sha256').update(expected).digest('hex') }]);
      assert.match(row.description, /Merges 1 file\(s\) changed since the step, keeping those changes \(clean\)/);
      assert.ok(row.checkpoint, 'the undo took its own checkpoint first');
      // Undo the undo: the state the person had before merging comes back.
      const back = await undoCheckpointStep({ stepId: 'the undo', checkpoint: row.checkpoint }, o);
      assert.equal(back.ok, true, JSON.stringify(back));
      assert.equal(readFileSync(file, 'utf8'), replaceLine(replaceLine(BEFORE, 'beta', 'BETA (agent)'), 'zeta', 'zeta (mine)'));
    } finally {
      await f.close();
    }
  });

  it('the same line changed on both sides: conflict markers, labelled; the rest merged', async () => {
    const f = await fixture();
    try {
      const file = join(f.ws, 'src', 'list.txt');
      const id = await f.step(file, () => writeFileSync(file, replaceLine(replaceLine(BEFORE, 'beta', 'BETA (agent)'), 'eta', 'ETA (agent)')));
      writeFileSync(file, replaceLine(readFileSync(file, 'utf8'), 'BETA (agent)', 'BETA (agent, then mine)'));
      const m = await f.store.mergePlan(stepOf(f, id).checkpoint);
      assert.equal(m?.merge.refused.length, 0);
      assert.equal(m?.merge.merged[0]?.conflicts, 1);
      const r = await undoCheckpointStep(stepOf(f, id), { store: f.store, gate: f.gate, sessionId: 'undo', requestedBy: 'test', merge: true });
      assert.equal(r.ok, true, JSON.stringify(r));
      const text = readFileSync(file, 'utf8');
      assert.match(text, /<<<<<<< now \(your changes\)\nBETA \(agent, then mine\)\n=======\nbeta\n>>>>>>> before the step\n/);
      assert.ok(text.split('\n').includes('eta') && !text.includes('ETA (agent)'), 'the step’s other change is taken back');
      assert.deepEqual(r.ok && r.merged, [{ path: 'src/list.txt', conflicts: 1 }]);
    } finally {
      await f.close();
    }
  });

  it('binary files, files the step created, files deleted since: refused with the reason, nothing written', async () => {
    const f = await fixture();
    try {
      const bin = join(f.ws, 'logo.bin');
      const binId = await f.step(bin, () => writeFileSync(bin, Buffer.from([0, 9, 9, 9])));
      writeFileSync(bin, Buffer.from([0, 9, 9, 9, 7]));
      const r1 = await undoCheckpointStep(stepOf(f, binId), { store: f.store, gate: f.gate, sessionId: 'undo', requestedBy: 'test', merge: true });
      assert.equal(r1.ok, false);
      assert.match(!r1.ok ? r1.message : '', /logo\.bin \(a binary file/);
      assert.deepEqual(readFileSync(bin), Buffer.from([0, 9, 9, 9, 7]));

      const created = join(f.ws, 'src', 'new.txt');
      const newId = await f.step(created, () => writeFileSync(created, 'made by the agent\n'));
      writeFileSync(created, 'made by the agent\nand edited by me\n');
      const r2 = await undoCheckpointStep(stepOf(f, newId), { store: f.store, gate: f.gate, sessionId: 'undo', requestedBy: 'test', merge: true });
      assert.match(!r2.ok ? r2.message : '', /new\.txt \(the step created it/);
      assert.equal(readFileSync(created, 'utf8'), 'made by the agent\nand edited by me\n');

      const list = join(f.ws, 'src', 'list.txt');
      const listId = await f.step(list, () => writeFileSync(list, replaceLine(BEFORE, 'beta', 'B')));
      rmSync(list);
      const r3 = await undoCheckpointStep(stepOf(f, listId), { store: f.store, gate: f.gate, sessionId: 'undo', requestedBy: 'test', merge: true });
      assert.match(!r3.ok ? r3.message : '', /list\.txt \(deleted after the step\)/);
      assert.equal(existsSync(list), false);
    } finally {
      await f.close();
    }
  });

  it('the run log port: the plan lists the merge, the diff shows its result, Undo merges', async () => {
    const f = await fixture();
    try {
      const file = join(f.ws, 'src', 'list.txt');
      const id = await f.step(file, () => writeFileSync(file, replaceLine(BEFORE, 'gamma', 'GAMMA (agent)')));
      writeFileSync(file, `${readFileSync(file, 'utf8')}appended by me\n`);
      const q = LedgerQueries.open(f.ledgerPath);
      try {
        const runId = (f.ledger.database().prepare('SELECT run_id FROM steps WHERE id = ?').get(id) as { run_id: string }).run_id;
        const port = new PanelCheckpoints(f.store, () => q, () => f.gate, 'panel');
        const [plan] = await port.plan(runId, id, 'step');
        assert.deepEqual(plan!.conflicts, ['src/list.txt']);
        assert.deepEqual(plan!.merge, { files: [{ path: file, rel: 'src/list.txt', conflicts: 0 }], refused: [] });
        const shown = Buffer.from((await port.mergedAt(plan!.checkpoint, 'src/list.txt'))!).toString('utf8');
        assert.equal(shown, `${BEFORE}appended by me\n`);
        const r = await port.undo(runId, id, 'step', { force: false, merge: true, requestedBy: 'a person (run log panel)' });
        assert.equal(r.ok, true, r.message);
        assert.match(r.message, /1 merged keeping your changes/);
        assert.equal(readFileSync(file, 'utf8'), shown, 'what the diff showed is what was written');
      } finally {
        q.close();
      }
    } finally {
      await f.close();
    }
  });

  it('the built CLI: airlock undo --merge; without it the refusal names --merge; --merge with --force is a usage error', async () => {
    const f = await fixture();
    const file = join(f.ws, 'src', 'list.txt');
    let id: string;
    try {
      id = await f.step(file, () => writeFileSync(file, replaceLine(BEFORE, 'delta', 'DELTA (agent)')));
    } finally {
      await f.close();
    }
    writeFileSync(file, replaceLine(readFileSync(file, 'utf8'), 'alpha', 'alpha (mine)'));
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: f.home, AIRLOCK_HOME: f.home };
    const both = await runCli(['undo', id, '--merge', '--force'], env, '', f.ws);
    assert.equal(both.code, 2, both.stderr);
    const plain = await runCli(['undo', id, '--ask-timeout-ms', '20000'], env, '', f.ws);
    assert.equal(plain.code, 1);
    assert.match(plain.stdout, /airlock undo --merge/);
    const merged = await runCli(['undo', id, '--merge', '--ask-timeout-ms', '20000'], env, '', f.ws);
    assert.equal(merged.code, 0, merged.stdout + merged.stderr);
    const out = JSON.parse(merged.stdout) as { ok: boolean; merged: { path: string; conflicts: number }[] };
    assert.deepEqual(out.merged, [{ path: 'src/list.txt', conflicts: 0 }]);
    assert.equal(readFileSync(file, 'utf8'), replaceLine(BEFORE, 'alpha', 'alpha (mine)'));
  });
});
