/**
 * The shim with no gate (offline), the kill switch (latched: everything denied, gate or not), and an
 * interactive gate with nobody to approve (an ask is answered within 2 s "needs a person's approval",
 * queued for the editor, never allowed).
 * Real processes from dist/ (built by this test).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { Ledger } from '../../src/node/ledger/ledger';
import { ROOT, runCli, startServe, tempDir } from '../support/gateway';

const dir = tempDir('airlock-off-');
const home = join(dir, 'home');
const ws = join(dir, 'ws');
mkdirSync(join(ws, 'build'), { recursive: true });
writeFileSync(join(ws, 'README.md'), '# demo\n');
// The asks here are `rm -rf build`, which checkpoints would make reversible: they are off.
const env = { ...process.env, AIRLOCK_HOME: home, HOME: join(dir, 'userhome'), AIRLOCK_CHECKPOINTS: 'off' } as NodeJS.ProcessEnv;
delete env.AIRLOCK_DISCOVERY;

const pre = (session: string, tool: string, input: Record<string, unknown>) => ({ session_id: session, cwd: ws, hook_event_name: 'PreToolUse', tool_name: tool, tool_input: input });
const readCall = pre('o1', 'Read', { file_path: join(ws, 'README.md') });
const writeCall = pre('o1', 'Write', { file_path: join(ws, 'new.txt'), content: 'x' });
const claude = (payload: unknown, e = env, extra: string[] = []) => runCli(['hook', 'claude', ...extra], e, JSON.stringify(payload), ws);
const decisionOf = (r: { stdout: string }) => JSON.parse(r.stdout).hookSpecificOutput as { permissionDecision: string; permissionDecisionReason: string };

describe('offline, kill switch, interactive hold (real processes)', () => {
  before(() => {
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'ignore' });
  });

  it('offline (no discovery file): a read passes, a write is denied "Airlock is not running"', async () => {
    const r = await claude(readCall);
    assert.equal(r.code, 0);
    assert.equal(decisionOf(r).permissionDecision, 'allow');
    const w = await claude(writeCall);
    assert.equal(w.code, 0);
    assert.equal(decisionOf(w).permissionDecision, 'deny');
    assert.match(decisionOf(w).permissionDecisionReason, /Airlock is not running/);
    for (const [agent, payload, code] of [
      ['codex', { session_id: 'o2', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'touch x' } }, 2],
      ['gemini', { session_id: 'o3', cwd: ws, hook_event_name: 'BeforeTool', tool_name: 'write_file', tool_input: { file_path: 'x', content: 'y' } }, 2],
    ] as const) {
      const p = await runCli(['hook', agent], env, JSON.stringify(payload), ws);
      assert.equal(p.code, code, agent);
      assert.match(p.stdout + p.stderr, /Airlock is not running/);
    }
    assert.equal(existsSync(join(ws, 'new.txt')), false);
  });

  it('offline with a stale discovery file (connection refused, bad token): still fails closed', async () => {
    const s = await startServe(['--ci', '--ledger', join(dir, 'l1.sqlite'), '--workspace', ws], env);
    const stale = readFileSync(s.ready.discovery, 'utf8');
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    writeFileSync(join(home, 'bridge.json'), stale, { mode: 0o600 }); // the gate is gone, the file is not
    const w = await claude(writeCall);
    assert.equal(decisionOf(w).permissionDecision, 'deny');
    assert.match(decisionOf(w).permissionDecisionReason, /Airlock is not running/);
    assert.equal(decisionOf(await claude(readCall)).permissionDecision, 'allow');
  });

  it('interactive gate with nobody to approve: an ask is answered within 2 s, queued, and denied (never allowed)', async () => {
    const s = await startServe(['--ledger', join(dir, 'l2.sqlite'), '--workspace', ws], env);
    try {
      // An ordinary call through the same gate: the hook's own start-up on this (shared) machine.
      const read = await claude(pre('i1', 'Read', { file_path: join(ws, 'README.md') }), env, ['--timeout-ms', '60000']);
      assert.equal(decisionOf(read).permissionDecision, 'allow');
      // The agent's hook timeout is long (Claude Code's default is 60 s): the answer must not wait for it.
      const r = await claude(pre('i1', 'Bash', { command: 'rm -rf build' }), env, ['--timeout-ms', '60000']);
      assert.equal(r.code, 0);
      assert.equal(decisionOf(r).permissionDecision, 'deny');
      const reason = decisionOf(r).permissionDecisionReason;
      assert.match(reason, /Airlock needs a person's approval for this/);
      assert.match(reason, /queued as approval #1/);
      assert.match(reason, /open VS Code with Airlock/);
      assert.match(reason, /airlock approvals/);
      assert.match(reason, /Do not retry in a loop/);
      assert.ok(r.ms < read.ms + 2000, `answered within 2 s of an ordinary call (${r.ms} ms; a read took ${read.ms} ms)`);
      assert.ok(existsSync(join(ws, 'build')));
      // The step waits in the queue for the editor.
      const q = await runCli(['approvals', '--json'], env);
      assert.equal(q.code, 0, q.stderr);
      const approvals = (JSON.parse(q.stdout) as { approvals: { id: number; status: string; summary: string; tool: string; agent: string }[] }).approvals;
      assert.equal(approvals.length, 1);
      assert.deepEqual({ ...approvals[0], summary: approvals[0]!.summary }, { ...approvals[0], id: 1, status: 'queued', tool: 'Bash', agent: 'claude', summary: 'rm -rf build' });
      // The same call again is the same queue entry, still answered at once.
      const again = await claude(pre('i1', 'Bash', { command: 'rm -rf build' }), env, ['--timeout-ms', '60000']);
      assert.match(decisionOf(again).permissionDecisionReason, /queued as approval #1/);
      assert.ok(again.ms < read.ms + 2000, `${again.ms} ms`);
    } finally {
      s.child.kill('SIGTERM');
      assert.equal(await s.exited, 0);
    }
    const l = Ledger.open(join(dir, 'l2.sqlite'));
    try {
      const rows = l.allSteps();
      assert.equal(rows.length, 3);
      assert.equal(rows[1]!.decision, 'deny');
      assert.ok(JSON.parse(rows[1]!.rules_json).includes('approval.none'));
    } finally {
      l.close();
    }
  });

  it('kill: latches the flag, stops the gate, voids the token; everything is denied, even offline; unkill restores', async () => {
    const s = await startServe(['--ci', '--ledger', join(dir, 'l3.sqlite'), '--workspace', ws], env);
    assert.equal(decisionOf(await claude(readCall)).permissionDecision, 'allow');
    const k = await runCli(['kill', '--reason', 'test pulled it'], env);
    assert.equal(k.code, 0, k.stderr);
    const out = JSON.parse(k.stdout);
    assert.equal(out.killed, true);
    assert.equal(out.gateStopped, true);
    assert.equal(await s.exited, 0);
    assert.equal(existsSync(join(home, 'bridge.json')), false);
    const flag = join(home, 'killed');
    assert.equal(statSync(flag).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(flag, 'utf8')).reason, 'test pulled it');
    for (const call of [readCall, writeCall, pre('o1', 'TodoWrite', { todos: [] })]) {
      const r = await claude(call);
      assert.equal(decisionOf(r).permissionDecision, 'deny');
      assert.match(decisionOf(r).permissionDecisionReason, /kill switch is latched/);
    }
    const c = await runCli(['hook', 'cline'], env, JSON.stringify({ hookName: 'PreToolUse', taskId: 'k', workspaceRoots: [ws], preToolUse: { toolName: 'read_file', parameters: { path: 'README.md' } } }), ws);
    assert.equal(JSON.parse(c.stdout).cancel, true);
    // A gate started while the flag is latched denies everything too.
    const s2 = await startServe(['--ci', '--ledger', join(dir, 'l3.sqlite'), '--workspace', ws], env);
    try {
      const r = await claude(readCall);
      assert.match(decisionOf(r).permissionDecisionReason, /kill switch is latched/);
    } finally {
      s2.child.kill('SIGTERM');
      await s2.exited;
    }
    const u = await runCli(['unkill'], env);
    assert.equal(u.code, 0);
    assert.equal(existsSync(flag), false);
    assert.equal(decisionOf(await claude(readCall)).permissionDecision, 'allow');
  });

  it('a gate that accepts and never answers: the shim still answers before the agent timeout', async () => {
    // A "gate" that accepts the connection and never answers.
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const srv = createServer((sock) => sockets.push(sock));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as import('node:net').AddressInfo).port;
    const disc = join(dir, 'hang.json');
    writeFileSync(disc, JSON.stringify({ version: 1, url: `http://127.0.0.1:${port}`, token: 'a'.repeat(64), pid: process.pid, startedAt: new Date().toISOString() }), { mode: 0o600 });
    try {
      // The shim's own deadline (80% of the agent's timeout) must fire: the answer names it, and
      // arrives before the agent's timeout. 3 s leaves room for Node's start-up on a loaded machine.
      const r = await claude(writeCall, { ...env, AIRLOCK_DISCOVERY: disc }, ['--timeout-ms', '3000']);
      assert.ok(r.ms < 3000, `${r.ms} ms`);
      assert.equal(decisionOf(r).permissionDecision, 'deny');
      assert.match(JSON.stringify(decisionOf(r)), /did not answer in time/);
      assert.equal(r.code, 0);
      const rd = await claude(readCall, { ...env, AIRLOCK_DISCOVERY: disc }, ['--timeout-ms', '3000']);
      assert.equal(decisionOf(rd).permissionDecision, 'allow', 'a read still passes when the gate is slow');
    } finally {
      for (const s of sockets) s.destroy();
      srv.close();
    }
  });
});
