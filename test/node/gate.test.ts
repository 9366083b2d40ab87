/**
 * The gate service in process with a real temp SQLite ledger: policy reload when the policy file
 * changes, "cannot record, so do not act", agent-internal and unknown tools, sub-agent ids.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { HookRequest } from '../../src/core/protocol/bridge';
import { PendingApprovals } from '../../src/node/gate/approvals';
import { Gate } from '../../src/node/gate/gate';
import { Ledger } from '../../src/node/ledger/ledger';
import { tempDir } from '../support/gateway';

const dir = tempDir('airlock-gate-');
const home = join(dir, 'home');
const ws = join(dir, 'ws');
mkdirSync(ws, { recursive: true });
writeFileSync(join(ws, 'README.md'), '# x\n');
const policyPath = join(dir, 'policy.json');

function gateWith(ledger: Ledger, mode: 'ci' | 'interactive' = 'ci'): { gate: Gate; logs: string[] } {
  const logs: string[] = [];
  return { gate: new Gate({ ledger, approver: new PendingApprovals(), mode, home, workspaceRoots: [ws], workspacePolicy: policyPath, log: (l) => logs.push(l) }), logs };
}
const req = (over: Partial<HookRequest>): HookRequest => ({ agent: 'claude', event: 'pre', sessionId: 's', toolName: 'Read', deadlineMs: 2000, action: { kind: 'file', op: 'read', path: join(ws, 'README.md'), cwd: ws, workspaceRoots: [ws] }, ...over });
const write = { kind: 'file' as const, op: 'create' as const, path: join(ws, 'new.txt'), cwd: ws, workspaceRoots: [ws], content: 'x' };

describe('gate', () => {
  it('reloads the policy before the next decision when its file changes', async () => {
    const ledger = Ledger.open(join(dir, 'a.sqlite'));
    const { gate } = gateWith(ledger);
    assert.equal((await gate.hook(req({}))).decision, 'allow');
    writeFileSync(policyPath, JSON.stringify({ version: 1, rules: [{ id: 'team.no-readme', match: { paths: ['README.md'] }, decision: 'deny', reason: 'the README is frozen' }] }));
    const d = await gate.hook(req({}));
    assert.equal(d.decision, 'deny');
    assert.deepEqual(d.rules, ['team.no-readme']);
    writeFileSync(policyPath, JSON.stringify({ version: 1 }));
    assert.equal((await gate.hook(req({ sessionId: 's2' }))).decision, 'allow');
    await gate.close();
    ledger.close();
  });

  it('cannot record, so do not act: with the ledger gone, writes are denied and reads pass', async () => {
    const ledger = Ledger.open(join(dir, 'b.sqlite'));
    const { gate, logs } = gateWith(ledger, 'interactive');
    ledger.close();
    const w = await gate.hook(req({ toolName: 'Write', action: write }));
    assert.equal(w.decision, 'deny');
    assert.ok(w.rules.includes('ledger.unavailable'));
    assert.match(w.reasons[0]!, /cannot record, so do not act/);
    assert.equal((await gate.hook(req({}))).decision, 'allow');
    assert.ok(logs.some((l) => l.includes('cannot record')));
    await gate.close();
  });

  it('agent-internal tools pass as reads; unknown tools are never allowed silently; sub-agent ids are recorded', async () => {
    const ledger = Ledger.open(join(dir, 'c.sqlite'));
    const { gate } = gateWith(ledger, 'ci');
    const todo = await gate.hook(req({ toolName: 'TodoWrite', action: undefined, rawToolInput: { todos: [] } }));
    assert.equal(todo.decision, 'allow');
    const unknown = await gate.hook(req({ toolName: 'FrobnicateCluster', action: undefined, rawToolInput: { cluster: 'prod' }, subagentId: 'sub-1' }));
    assert.equal(unknown.decision, 'deny');
    assert.equal(unknown.reversibility, 'unknown');
    const rows = ledger.allSteps();
    assert.equal(rows[1]!.subagent_id, 'sub-1');
    assert.equal(rows[1]!.kind, 'mcp');
    await gate.close();
    ledger.close();
  });

  it('a restarted gate remembers a run\'s denials from the ledger', async () => {
    const path = join(dir, 'd.sqlite');
    const del = { kind: 'shell' as const, command: 'rm -rf build', cwd: ws, workspaceRoots: [ws] };
    let ledger = Ledger.open(path);
    let g = gateWith(ledger, 'ci').gate;
    assert.equal((await g.hook(req({ sessionId: 'r', toolName: 'Bash', action: del }))).decision, 'deny');
    await g.close();
    ledger.close();
    ledger = Ledger.open(path);
    g = gateWith(ledger, 'ci').gate;
    const again = await g.hook(req({ sessionId: 'r', toolName: 'Bash', action: { ...del, command: 'find build -delete' } }));
    assert.ok(again.rules.includes('run.escalation'), JSON.stringify(again));
    await g.close();
    ledger.close();
  });

  it('writes hook steps through group commit: concurrent requests share a transaction, each answer comes after its own commit', async () => {
    const ledger = Ledger.open(join(dir, 'e.sqlite'));
    const batches: number[] = [];
    const committed = new Set<string>();
    // The real ledger, watched: which batches it is given, and which rows have committed when an answer leaves the gate.
    const watched = Object.assign(Object.create(ledger) as Ledger, {
      appendSteps: (s: Parameters<Ledger['appendSteps']>[0]) => {
        batches.push(s.length);
        const rows = ledger.appendSteps(s);
        for (const r of rows) committed.add(r.id);
        return rows;
      },
      appendStep: () => {
        throw new Error('the gate must not write a step outside group commit');
      },
    });
    const { gate } = gateWith(watched, 'ci');
    const answers = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const a = await gate.hook(req({ sessionId: `gc-${i}`, toolUseId: `t${i}` }));
        assert.ok(committed.has(a.stepId), `answer ${i} left before its step ${a.stepId} committed`);
        return a;
      }),
    );
    assert.ok(answers.every((a) => a.decision === 'allow'), JSON.stringify(answers.find((a) => a.decision !== 'allow')));
    assert.equal(ledger.allSteps().length, 40);
    assert.ok(batches.length < 40, `expected shared transactions, got ${batches.length} for 40 steps`);
    await gate.close();
    ledger.close();
  });

  it('a step group commit cannot write is denied (fail closed), the others in its batch are recorded', async () => {
    const ledger = Ledger.open(join(dir, 'f.sqlite'));
    // A write the ledger refuses (here: a step of a run that is not in the ledger), inside a burst.
    const refusing = Object.assign(Object.create(ledger) as Ledger, {
      appendSteps: (s: Parameters<Ledger['appendSteps']>[0]) => {
        if (s.some((x) => x.sessionId === 'bad')) throw new Error('disk full');
        return ledger.appendSteps(s);
      },
    });
    const { gate } = gateWith(refusing, 'interactive');
    const [good, bad] = await Promise.all([gate.hook(req({ sessionId: 'good', toolName: 'Write', action: write })), gate.hook(req({ sessionId: 'bad', toolName: 'Write', action: write }))]);
    assert.equal(bad.decision, 'deny');
    assert.ok(bad.rules.includes('ledger.unavailable'));
    assert.match(bad.reasons[0]!, /cannot record, so do not act.*disk full/);
    assert.notEqual(good.rules.includes('ledger.unavailable'), true);
    assert.equal(ledger.allSteps().filter((r) => r.session_id === 'good').length, 1);
    assert.equal(ledger.allSteps().filter((r) => r.session_id === 'bad').length, 0);
    await gate.close();
    ledger.close();
  });
});
