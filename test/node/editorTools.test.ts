// Copilot's language model tools without the editor (node/editorTools.ts): a real GateHost (bridge,
// SQLite ledger, approvals queue), the real ToolRunner and effect store, real files and symlinks.
// prepareInvocation's preview judges without acting; invoke is gated again whatever the preview said.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, before, describe, it } from 'node:test';
import { EditorTools } from '../../src/node/mcp/lmTools';
import { GateHost } from '../../src/node/gate/gateHost';
import { tempDir } from '../support/gateway';
import { ledgerSteps } from '../support/mcp';

const open: { host: GateHost; tools: EditorTools }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    o.tools.close();
    await o.host.dispose();
  }
});
before(() => {
  // The judge reads HOME for protected paths: never the real one.
  process.env.HOME = tempDir('airlock-lm-home-');
});

async function fixture(o: { askTimeoutMs?: number } = {}) {
  const root = tempDir('airlock-lm-');
  const home = join(root, 'home');
  const ws = join(root, 'ws');
  // Outside the workspace and not scratch: under HOME (a temp HOME is never treated as a temp dir).
  const outside = join(process.env.HOME!, `outside-${Math.random().toString(36).slice(2)}`);
  for (const d of [home, ws, outside, join(ws, 'sub')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(ws, 'sub', 'conf.txt'), 'mode = safe\n');
  writeFileSync(join(outside, 'conf.txt'), 'mode = safe\n');
  writeFileSync(join(ws, 'keep.txt'), 'keep me\n');
  const logs: string[] = [];
  // Checkpoints off: a workspace delete would be checkpointed and run; these tests are about asks.
  const cp = process.env.AIRLOCK_CHECKPOINTS;
  process.env.AIRLOCK_CHECKPOINTS = 'off';
  const host = new GateHost({ home, workspaceRoots: [ws], log: (l) => logs.push(l), watchIntervalMs: 100 });
  await host.start();
  if (cp === undefined) delete process.env.AIRLOCK_CHECKPOINTS;
  else process.env.AIRLOCK_CHECKPOINTS = cp;
  const tools = new EditorTools({ home, workspaceRoots: [ws], gate: () => host.currentGate(), log: (l) => logs.push(l), askTimeoutMs: o.askTimeoutMs ?? 1500 });
  open.push({ host, tools });
  return { root, home, ws, outside, host, tools, logs, ledger: join(home, 'ledger.sqlite') };
}

describe('language model tools: package entries', () => {
  it('are the contracts with the airlock_ prefix', () => {
    const names = EditorTools.contributions().map((c) => c.name);
    assert.ok(names.includes('airlock_write_file') && names.includes('airlock_db_execute'));
    assert.ok(names.every((n) => n.startsWith('airlock_')));
  });
});

describe('language model tools: preview (prepareInvocation)', () => {
  it('an irreversible call gets the inline confirmation with the derived effect; nothing runs and nothing is recorded', async () => {
    const f = await fixture();
    const before = ledgerSteps(f.ledger).length;
    const v = await f.tools.prepare('airlock_delete_file', { path: 'keep.txt' });
    assert.equal(v.preview.kind, 'judged');
    assert.equal(v.preview.kind === 'judged' && v.preview.decision, 'ask');
    assert.ok(v.confirmation, 'an asked call carries confirmationMessages');
    assert.match(v.confirmation.title, /IRREVERSIBLE/);
    assert.match(v.confirmation.message, /deletes/);
    assert.ok(v.confirmation.message.includes(join(f.ws, 'keep.txt')));
    assert.equal(readFileSync(join(f.ws, 'keep.txt'), 'utf8'), 'keep me\n');
    assert.equal(ledgerSteps(f.ledger).length, before);
  });

  it('a read is previewed as allowed without a confirmation; a malformed call says it will fail', async () => {
    const f = await fixture();
    const r = await f.tools.prepare('airlock_read_file', { path: 'keep.txt' });
    assert.equal(r.preview.kind === 'judged' && r.preview.decision, 'allow');
    assert.equal(r.confirmation, undefined);
    const bad = await f.tools.prepare('airlock_read_file', { path: 'keep.txt', extra: 1 });
    assert.equal(bad.preview.kind, 'fails');
    assert.match(bad.invocationMessage, /invalid_input/);
    assert.equal(bad.confirmation, undefined);
  });
});

describe('language model tools: invoke is gated again', () => {
  it('runs an allowed call through the ToolRunner and records it as copilot in the window ledger', async () => {
    const f = await fixture();
    const env = await f.tools.invoke('airlock_read_file', { path: 'keep.txt' });
    assert.equal(env.ok, true, JSON.stringify(env));
    assert.equal(env.ok && (env.data as { content: string }).content, 'keep me\n');
    const rows = ledgerSteps(f.ledger);
    assert.deepEqual(rows.map((r) => [r.agent, r.tool, r.event, r.decision]), [['copilot', 'read_file', 'pre', 'allow'], ['copilot', 'read_file', 'post', 'outcome']]);
  });

  it('the preview said allow, then a symlink swapped the folder out of the workspace: invoke is not allowed and the outside file is untouched', async () => {
    const f = await fixture();
    const args = { path: 'sub/conf.txt', oldString: 'safe', newString: 'open' };
    const p = await f.tools.preview('airlock_edit_file', args);
    assert.equal(p.kind === 'judged' && p.decision, 'allow', JSON.stringify(p));
    // Between prepareInvocation and invoke: ws/sub becomes a link to a folder outside the workspace.
    renameSync(join(f.ws, 'sub'), join(f.root, 'sub-moved'));
    symlinkSync(f.outside, join(f.ws, 'sub'));
    const env = await f.tools.invoke('airlock_edit_file', args);
    assert.equal(env.ok, false, JSON.stringify(env));
    assert.equal(!env.ok && env.error.code, 'denied');
    assert.notEqual(env.decision?.decision, 'allow');
    assert.equal(readFileSync(join(f.outside, 'conf.txt'), 'utf8'), 'mode = safe\n');
    const pre = ledgerSteps(f.ledger).filter((r) => r.event === 'pre');
    assert.deepEqual(pre.map((r) => [r.agent, r.tool, r.decision]), [['copilot', 'edit_file', 'deny']]);
  });

  it('the preview said allow, then the user policy denied it: invoke is denied with the rule', async () => {
    const f = await fixture();
    const args = { command: 'echo hello > out.txt' };
    const p = await f.tools.preview('airlock_run_shell', args);
    assert.equal(p.kind === 'judged' && p.decision, 'allow', JSON.stringify(p));
    writeFileSync(join(f.home, 'policy.json'), JSON.stringify({ version: 1, rules: [{ id: 'no-echo', match: { commands: ['echo'] }, decision: 'deny', reason: 'no echo today' }] }));
    const env = await f.tools.invoke('airlock_run_shell', args);
    assert.equal(env.ok, false);
    assert.ok(env.decision?.rules.includes('no-echo'), JSON.stringify(env.decision));
    assert.match(!env.ok ? env.error.message : '', /no echo today/);
    assert.equal(existsSync(join(f.ws, 'out.txt')), false);
  });

  it('after the kill switch both the preview and invoke refuse, and nothing runs', async () => {
    const f = await fixture();
    await f.host.kill('test pulled it', []);
    const p = await f.tools.preview('airlock_write_file', { path: 'new.txt', content: 'x', expectedSha256: null });
    assert.equal(p.kind === 'judged' && p.decision, 'deny');
    const env = await f.tools.invoke('airlock_write_file', { path: 'new.txt', content: 'x', expectedSha256: null });
    assert.equal(env.ok, false);
    assert.equal(!env.ok && env.error.code, 'denied');
    assert.equal(existsSync(join(f.ws, 'new.txt')), false);
    await f.host.unkill();
  });

  it("an asked call waits in the window's approvals; approved there (bound to the action hash), it runs once", async () => {
    const f = await fixture({ askTimeoutMs: 20_000 });
    const off = f.host.approvals.subscribe({
      pending: (req) => {
        setImmediate(() => f.host.approvals.decide(req.stepId, { decision: 'allow', by: 'test person', actionHash: req.decision.actionHash }));
      },
    });
    const env = await f.tools.invoke('airlock_delete_file', { path: 'keep.txt' });
    off();
    assert.equal(env.ok, true, JSON.stringify(env));
    assert.equal(existsSync(join(f.ws, 'keep.txt')), false);
    assert.ok(env.decision?.rules.includes('approval.person'));
    // The same call again in this session replays the stored result instead of acting twice.
    const again = await f.tools.invoke('airlock_delete_file', { path: 'keep.txt' });
    assert.equal(again.replayed, true);
  });

  it('an effect store that cannot open refuses every call with the reason (fail closed)', async () => {
    const f = await fixture();
    const broken = new EditorTools({ home: f.home, workspaceRoots: [f.ws], gate: () => f.host.currentGate(), log: () => undefined, openStore: () => { throw new Error('native module built for another runtime'); } });
    const env = await broken.invoke('airlock_write_file', { path: 'new.txt', content: 'x', expectedSha256: null });
    assert.equal(env.ok, false);
    assert.match(!env.ok ? env.error.message : '', /native module built for another runtime; nothing was done|native module built for another runtime\); nothing was done/);
    assert.equal(existsSync(join(f.ws, 'new.txt')), false);
  });
});
