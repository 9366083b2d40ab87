// Policy by workspace, per request: the gate resolves the workspace of each call from the agent's
// cwd within its roots, loads that workspace's .airlock/policy.json with the editor's layering
// (tightening at once, loosening only once a person accepted that exact content), caches it by
// content hash, records the effective policy's hash with every decision, and reports which files
// are in force and which wait for acceptance.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { HookRequest } from '../../src/core/protocol/bridge';
import { PendingApprovals } from '../../src/node/gate/approvals';
import { Gate } from '../../src/node/gate/gate';
import { Ledger } from '../../src/node/ledger/ledger';
import { acknowledge } from '../../src/node/policy/policyStore';
import { sha256 } from '../../src/core/hash';
import { tempDir } from '../support/gateway';

const dir = tempDir('airlock-wspolicy-');
const home = join(dir, 'home');
const root = join(dir, 'root');
const api = join(root, 'api');
const web = join(root, 'web');
for (const d of [join(root, '.airlock'), join(api, '.airlock'), join(web, 'src')]) mkdirSync(d, { recursive: true });
mkdirSync(home, { recursive: true });
const write = (p: string, o: Record<string, unknown>): string => {
  const text = `${JSON.stringify({ version: 1, ...o }, null, 2)}\n`;
  writeFileSync(p, text);
  return text;
};
// The root's policy denies terraform; the api project (nested) denies make and would loosen (an allow rule).
write(join(root, '.airlock', 'policy.json'), { rules: [{ id: 'no-terraform', match: { commands: ['terraform'] }, decision: 'deny', reason: 'pipeline only' }] });
const apiText = write(join(api, '.airlock', 'policy.json'), {
  rules: [
    { id: 'no-make', match: { commands: ['make'] }, decision: 'deny', reason: 'use the scripts' },
    { id: 'allow-curl', match: { commands: ['curl'] }, decision: 'allow', reason: 'we fetch a lot' },
  ],
});

const shell = (command: string, cwd: string, session = 's'): HookRequest => ({ agent: 'claude', event: 'pre', sessionId: session, toolName: 'Bash', deadlineMs: 2000, action: { kind: 'shell', command, cwd, workspaceRoots: [cwd] } });

describe('policy by workspace, per request', () => {
  it("each call is judged by its own workspace's policy, recorded with that policy's hash; loosening waits for acceptance, then applies", async () => {
    const logs: string[] = [];
    const ledger = Ledger.open(join(dir, 'l.sqlite'));
    const gate = new Gate({ ledger, approver: new PendingApprovals(), mode: 'ci', home, workspaceRoots: [root], log: (l) => logs.push(l) });
    try {
      // terraform in web/: the root policy applies (web has none of its own).
      const a = await gate.hook(shell('terraform plan', join(web, 'src'), 'web'));
      assert.equal(a.decision, 'deny');
      assert.ok(a.rules.includes('no-terraform'), a.rules.join(','));
      // make in api/: api's own policy; in web/ it is not denied by any policy rule.
      const b = await gate.hook(shell('make build', api, 'api'));
      assert.ok(b.rules.includes('no-make'), b.rules.join(','));
      const c = await gate.hook(shell('make build', web, 'web'));
      assert.ok(!c.rules.includes('no-make'));
      // Different workspaces, different effective policies, each recorded with the step.
      const hashes = new Map((ledger.allSteps() as Array<{ session_id: string; policy_hash: string }>).map((s) => [s.session_id, s.policy_hash]));
      assert.notEqual(hashes.get('api'), hashes.get('web'));
      // The api file's allow rule is a loosening: ignored, and reported as waiting.
      const st = gate.policyStatus();
      const apiStatus = st.find((p) => p.path === join(api, '.airlock', 'policy.json'))!;
      assert.equal(apiStatus.state, 'waiting');
      assert.match(apiStatus.waiting.join(' '), /rule allow-curl allows commands curl/);
      assert.equal(st.find((p) => p.path === join(root, '.airlock', 'policy.json'))!.state, 'in force');
      assert.ok(logs.some((l) => l.includes('ignored until a person accepts this exact file: rule allow-curl')), logs.join('\n'));
      // A person accepts that exact content: the next call sees it in force (reloaded by content hash).
      acknowledge(sha256(apiText), home);
      await gate.hook(shell('ls', api, 'api'));
      assert.equal(gate.policyStatus().find((p) => p.path === join(api, '.airlock', 'policy.json'))!.state, 'in force');
      // Tightening applies at once: a new deny in the root file is in force at the next call.
      write(join(root, '.airlock', 'policy.json'), { rules: [{ id: 'no-terraform', match: { commands: ['terraform'] }, decision: 'deny', reason: 'pipeline only' }, { id: 'no-rsync', match: { commands: ['rsync'] }, decision: 'deny', reason: 'no' }] });
      const d = await gate.hook(shell('rsync -a a b', web, 'web'));
      assert.ok(d.rules.includes('no-rsync'), d.rules.join(','));
      // A cwd outside every root belongs to the first root.
      const e = await gate.hook(shell('terraform plan', dir, 'outside'));
      assert.ok(e.rules.includes('no-terraform'));
    } finally {
      await gate.close();
      ledger.close();
    }
  });
});

describe('a run remembered from the ledger is held to its own workspace policy', () => {
  it("replaying a run's history after a restart pauses it at its workspace's limit of denials in a row, not the first root's", async () => {
    const d = tempDir('airlock-wsreplay-');
    const h = join(d, 'home');
    const r = join(d, 'root');
    const strict = join(r, 'strict');
    mkdirSync(join(strict, '.airlock'), { recursive: true });
    mkdirSync(h, { recursive: true });
    // The root has no policy (the baseline's 3 denials in a row); the strict project pauses after 1.
    writeFileSync(join(strict, '.airlock', 'policy.json'), JSON.stringify({ version: 1, escalation: { maxDenialsInARow: 1 }, rules: [{ id: 'no-make', match: { commands: ['make'] }, decision: 'deny', reason: 'use the scripts' }] }));
    const path = join(d, 'l.sqlite');
    const first = Ledger.open(path);
    const g1 = new Gate({ ledger: first, approver: new PendingApprovals(), mode: 'ci', home: h, workspaceRoots: [r], log: () => {} });
    assert.equal((await g1.hook(shell('make build', strict, 'x'))).decision, 'deny');
    const paused = await g1.hook(shell('ls', strict, 'x'));
    assert.ok(paused.rules.includes('gate.paused'), `live: ${paused.rules.join(',')}`);
    await g1.close();
    first.close();
    // A new gate (a restart) rebuilds the run's memory from the ledger: still paused.
    const second = Ledger.open(path);
    const g2 = new Gate({ ledger: second, approver: new PendingApprovals(), mode: 'ci', home: h, workspaceRoots: [r], log: () => {} });
    try {
      const again = await g2.hook(shell('ls', strict, 'x'));
      assert.equal(again.decision, 'deny');
      assert.ok(again.rules.includes('gate.paused'), `after a restart: ${again.rules.join(',')}`);
    } finally {
      await g2.close();
      second.close();
    }
  });
});
