// Budgets and loop signals through the real Gate with a real SQLite ledger and usage store.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { HookRequest } from '../../src/core/protocol/bridge';
import { PendingApprovals } from '../../src/node/gate/approvals';
import { Gate } from '../../src/node/gate/gate';
import { Ledger } from '../../src/node/ledger/ledger';
import { UsageStore } from '../../src/node/usage/usage';
import { tempDir } from '../support/gateway';

const dir = tempDir('airlock-budget-');
const home = join(dir, 'home');
const ws = join(dir, 'ws');
mkdirSync(ws, { recursive: true });
writeFileSync(join(ws, 'README.md'), '# x\n');
// `npm test` is judged by the script it runs: the workspace has one.
writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'budget-ws', scripts: { test: 'echo testing' } }));
const policyPath = join(dir, 'policy.json');

function setup(name: string, policy: Record<string, unknown>, withUsage = true): { gate: Gate; ledger: Ledger; usage: UsageStore } {
  writeFileSync(policyPath, JSON.stringify({ version: 1, ...policy }));
  const ledger = Ledger.open(join(dir, `${name}.sqlite`));
  const usage = new UsageStore(ledger);
  const gate = new Gate({ ledger, approver: new PendingApprovals(), mode: 'ci', home, workspaceRoots: [ws], workspacePolicy: policyPath, log: () => undefined, ...(withUsage ? { usage } : {}) });
  return { gate, ledger, usage };
}
const req = (over: Partial<HookRequest>): HookRequest => ({ agent: 'claude', event: 'pre', sessionId: 's', toolName: 'Read', deadlineMs: 2000, action: { kind: 'file', op: 'read', path: join(ws, 'README.md'), cwd: ws, workspaceRoots: [ws] }, ...over });
const shell = (command: string): Partial<HookRequest> => ({ toolName: 'Bash', action: { kind: 'shell', command, cwd: ws, workspaceRoots: [ws] } });
const spend = (usage: UsageStore, session: string, key: string, usd: number) =>
  usage.record({ agent: 'claude', sessionId: session, key, model: 'claude-opus-4-8', tokens: { input: 10, output: 10, cacheRead: 0, cacheWrite: 0 }, agentCostUsd: usd, at: new Date(), source: 'otlp' });

describe('budgets in the gate', () => {
  it('past the run budget every call is denied with the budget reason until a person authorizes more; sub-agents share it', async () => {
    const { gate, ledger, usage } = setup('run', { budgets: { perRunUsd: 1 } });
    assert.equal((await gate.hook(req({}))).decision, 'allow');
    const runId = ledger.runs()[0]!.id;
    spend(usage, 's', 'k1', 0.85);
    const warn = gate.limits.budgetState(runId);
    assert.deepEqual([warn.warn, warn.exhausted], [true, false]);
    spend(usage, 's', 'k2', 0.2);
    // A sub-agent's call (same session, its own agent id) is charged to the same run.
    const sub = await gate.hook(req({ subagentId: 'agent-1' }));
    assert.equal(sub.decision, 'deny');
    assert.match(sub.reasons[0]!, /^budget reached: authorize in Airlock to continue/);
    assert.ok(sub.rules.includes('budget.exhausted'));
    // Denials for budget do not pause the run (more than maxDenialsInARow of them).
    for (let i = 0; i < 4; i++) assert.equal((await gate.hook(req({}))).rules.includes('gate.paused'), false);
    const after = gate.limits.authorize(runId, 1);
    assert.equal(after.exhausted, false);
    assert.equal(after.limit, 2);
    assert.equal((await gate.hook(req({}))).decision, 'allow');
    // The raise lives in the ledger database, outside the workspace: a new gate sees it.
    const again = new Gate({ ledger, approver: new PendingApprovals(), mode: 'ci', home, workspaceRoots: [ws], workspacePolicy: policyPath, log: () => undefined, usage });
    assert.equal(again.limits.budgetState(runId).limit, 2);
    ledger.close();
  });

  it('budgets with no usage store, or an unreadable one, deny (fail closed)', async () => {
    const a = setup('nostore', { budgets: { perDayUsd: 5 } }, false);
    const d = await a.gate.hook(req({}));
    assert.equal(d.decision, 'deny');
    assert.match(d.reasons[0]!, /budget reached.*no usage store/);
    a.ledger.close();
    const b = setup('broken', { budgets: { perRunUsd: 5 } });
    assert.equal((await b.gate.hook(req({}))).decision, 'allow');
    const runId = b.ledger.runs()[0]!.id;
    b.ledger.database().exec('DROP TABLE usage');
    const s = b.gate.limits.budgetState(runId);
    assert.equal(s.exhausted, true);
    assert.match(s.detail, /cannot be read/);
    b.ledger.close();
  });
});

describe('loop signals in the gate', () => {
  it('the same call three times in a row pauses the run with the reason; a person resumes it', async () => {
    const { gate, ledger } = setup('loop', {});
    assert.equal((await gate.hook(req(shell('ls -la')))).decision, 'allow');
    assert.equal((await gate.hook(req(shell('ls -la')))).decision, 'allow');
    const third = await gate.hook(req(shell('ls -la')));
    assert.equal(third.decision, 'deny');
    assert.match(third.reasons[0]!, /run paused for a person: the same call with identical arguments 3 times in a row/);
    const run = ledger.runs()[0]!;
    assert.equal(run.status, 'paused');
    // Paused: anything else is denied too, with the pause reason.
    const other = await gate.hook(req(shell('pwd')));
    assert.equal(other.decision, 'deny');
    assert.ok(other.rules.includes('gate.paused'));
    gate.limits.resume(run.id);
    assert.equal(ledger.runs()[0]!.status, 'active');
    assert.equal((await gate.hook(req(shell('pwd')))).decision, 'allow');
    ledger.close();
  });

  it('a command that keeps failing pauses the run when it is tried again (threshold from the policy)', async () => {
    // A workspace policy can only lower thresholds: sameFailure 2 applies.
    const { gate, ledger } = setup('fail', { loops: { sameFailure: 2 } });
    for (let i = 0; i < 2; i++) {
      assert.equal((await gate.hook(req({ ...shell('npm test'), toolUseId: `t${i}` }))).decision, 'allow');
      await gate.hook(req({ ...shell('npm test'), toolUseId: `t${i}`, event: 'post', outcome: { exitCode: 1 } }));
      assert.equal((await gate.hook(req(shell('git status')))).decision, 'allow'); // not "in a row"
    }
    const d = await gate.hook(req({ ...shell('npm test'), toolUseId: 't9' }));
    assert.equal(d.decision, 'deny');
    assert.ok(d.rules.includes('loop.same-failure'), d.rules.join(','));
    ledger.close();
  });

  it('a token spike in the last minute pauses the run', async () => {
    const { gate, ledger, usage } = setup('spike', { loops: { maxTokensPerMinute: 5000 } });
    assert.equal((await gate.hook(req({}))).decision, 'allow');
    usage.record({ agent: 'claude', sessionId: 's', key: 'big', model: 'claude-opus-4-8', tokens: { input: 6000, output: 10, cacheRead: 0, cacheWrite: 0 }, at: new Date(), source: 'otlp' });
    const d = await gate.hook(req(shell('pwd')));
    assert.equal(d.decision, 'deny');
    assert.ok(d.rules.includes('loop.token-spike'));
    ledger.close();
  });
});
