// The editor's in-process gate (node/gateHost.ts) without the editor: real bridge on loopback, real
// SQLite ledger, real discovery files, real processes for the kill switch.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import type { Action } from '../../src/core/action';
import { hashOf } from '../../src/core/hash';
import type { HookRequest } from '../../src/core/protocol/bridge';
import type { ApprovalRequest } from '../../src/core/run/approver';
import { askGate } from '../../src/node/bridge/client';
import { readDiscovery, readKillFlag } from '../../src/node/bridge/discovery';
import { Gate } from '../../src/node/gate/gate';
import { GateHost } from '../../src/node/gate/gateHost';
import { Ledger } from '../../src/node/ledger/ledger';
import { isAlive, descendants, listProcesses } from '../../src/node/gate/processTree';
import { serveGate } from '../../src/node/gate/serve';
import { raw, tempDir } from '../support/gateway';

const hosts: GateHost[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.dispose();
});
after(() => {
  for (const c of children) if (c.pid && isAlive(c.pid)) c.kill('SIGKILL');
});

interface Fixture {
  home: string;
  ws: string;
  logs: string[];
  host: GateHost;
}

async function startHost(o: { policy?: unknown; openLedger?: () => never; other?: string } = {}): Promise<Fixture> {
  const root = tempDir('airlock-host-');
  const home = join(root, 'home');
  const ws = join(root, 'ws');
  mkdirSync(home, { recursive: true });
  mkdirSync(ws, { recursive: true });
  writeFileSync(join(ws, 'a.txt'), 'a\n');
  if (o.policy) writeFileSync(join(home, 'policy.json'), JSON.stringify(o.policy));
  const logs: string[] = [];
  const host = new GateHost({ home, workspaceRoots: [ws], log: (l) => logs.push(l), watchIntervalMs: 100, ...(o.openLedger ? { openLedger: o.openLedger } : {}) });
  hosts.push(host);
  await host.start();
  return { home, ws, logs, host };
}

/** An irreversible command a checkpoint cannot undo (`rm a.txt` in the workspace is checkpointed and runs). */
const IRREVERSIBLE = 'git push --force origin main';

function shellReq(ws: string, command: string, extra: Partial<HookRequest> = {}): HookRequest {
  return { agent: 'claude', event: 'pre', sessionId: 's1', toolName: 'Bash', toolUseId: `t-${Math.random().toString(36).slice(2)}`, deadlineMs: 20_000, action: { kind: 'shell', command, cwd: ws, workspaceRoots: [ws] }, ...extra };
}

function editReq(ws: string, file: string, newString: string): HookRequest {
  return {
    agent: 'claude', event: 'pre', sessionId: 's1', toolName: 'Edit', toolUseId: `e-${Math.random().toString(36).slice(2)}`, deadlineMs: 20_000,
    action: { kind: 'file', op: 'edit', path: join(ws, file), cwd: ws, workspaceRoots: [ws], oldString: 'a', newString },
  };
}

function disc(path: string) {
  const d = readDiscovery(path);
  assert.ok(d.ok, d.ok ? '' : d.reason);
  return d.discovery;
}

function nextPending(host: GateHost): Promise<ApprovalRequest> {
  return new Promise((resolve) => {
    const off = host.approvals.subscribe({ pending: (r) => (off(), resolve(r)) });
  });
}

const ASK_EDITS = { version: 1, rules: [{ id: 'ask-edits', match: { kind: ['file'], effects: ['write', 'create'] }, decision: 'ask', reason: 'edits are approved one by one' }] };

describe('editor gate host', () => {
  it('serves its own 0600 discovery file, claims the vacant default one, and judges over the bridge', async () => {
    const f = await startHost();
    assert.equal(f.host.status().gate, 'armed');
    assert.equal(f.host.discoveryPath, join(f.home, 'editors', `${process.pid}.json`));
    assert.equal(statSync(f.host.discoveryPath).mode & 0o777, 0o600);
    assert.equal(disc(join(f.home, 'bridge.json')).token, disc(f.host.discoveryPath).token);
    assert.equal(f.host.status().bridge?.defaultDiscovery, 'ours');
    const r = await askGate(disc(f.host.discoveryPath), shellReq(f.ws, 'ls'), 5000);
    assert.ok(r.ok && r.response.decision === 'allow', JSON.stringify(r));
    const l = Ledger.open(join(f.home, 'ledger.sqlite'));
    assert.equal(l.allSteps().length, 1);
    l.close();
    await f.host.dispose();
    assert.equal(existsSync(f.host.discoveryPath), false);
    assert.equal(existsSync(join(f.home, 'bridge.json')), false);
  });

  it('leaves the default discovery file to a live gate (airlock serve) and takes over a dead one', async () => {
    const root = tempDir('airlock-host-other-');
    const home = join(root, 'home');
    const other = await serveGate({ home, ledgerPath: join(root, 'other.sqlite'), discovery: join(home, 'bridge.json'), mode: 'interactive', workspaceRoots: [root], log: () => undefined, signals: false });
    const host = new GateHost({ home, workspaceRoots: [root], log: () => undefined });
    hosts.push(host);
    await host.start();
    assert.equal(host.status().bridge?.defaultDiscovery, 'other');
    assert.equal(disc(join(home, 'bridge.json')).token, other.token);
    await host.dispose();
    // A stale file (its gate is gone) is taken over.
    writeFileSync(join(home, 'bridge.json'), JSON.stringify({ ...disc(join(home, 'bridge.json')), url: 'http://127.0.0.1:9' }));
    await other.stop('test');
    writeFileSync(join(home, 'bridge.json'), JSON.stringify({ version: 1, url: 'http://127.0.0.1:9', token: 'ab'.repeat(32), pid: 999999, startedAt: 'x' }));
    const h2 = new GateHost({ home, workspaceRoots: [root], log: () => undefined });
    hosts.push(h2);
    await h2.start();
    assert.equal(h2.status().bridge?.defaultDiscovery, 'ours');
    assert.equal(disc(join(home, 'bridge.json')).token, disc(h2.discoveryPath).token);
  });

  it('an approval is bound to the shown action: a stale hash is refused, the right one allows and is recorded', async () => {
    const f = await startHost({ policy: ASK_EDITS });
    const d = disc(f.host.discoveryPath);
    const shown = nextPending(f.host);
    const answer = askGate(d, editReq(f.ws, 'a.txt', 'b'), 20_000);
    const req = await shown;
    assert.equal(f.host.status().pending, 1);
    const other: Action = { ...req.action!, newString: 'something else' } as Action;
    assert.equal(f.host.approvals.decide(req.stepId, { decision: 'allow', by: 'test', actionHash: hashOf(other) }), 'changed');
    assert.equal(f.host.approvals.pending(), 1, 'still pending after a stale approval');
    assert.equal(f.host.approvals.decide(req.stepId, { decision: 'allow', by: 'a person', actionHash: hashOf(req.action) }), 'decided');
    const r = await answer;
    assert.ok(r.ok);
    assert.equal(r.response.decision, 'allow');
    assert.ok(r.response.rules.includes('approval.person'));
    assert.equal(f.host.status().pending, 0);
  });

  it('the gate itself denies an allow given for another action (approver that lies about the hash)', async () => {
    const root = tempDir('airlock-gate-hash-');
    const home = join(root, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'policy.json'), JSON.stringify(ASK_EDITS));
    const ledger = Ledger.open(join(root, 'l.sqlite'));
    const gate = new Gate({ ledger, home, mode: 'interactive', workspaceRoots: [root], log: () => undefined, approver: { request: async () => ({ decision: 'allow', by: 'x', actionHash: 'f'.repeat(64) }), denyAll: () => undefined, pending: () => 0 } });
    const res = await gate.hook(editReq(root, 'a.txt', 'b'));
    assert.equal(res.decision, 'deny');
    assert.ok(res.rules.includes('approval.hash-mismatch'));
    ledger.close();
  });

  it('allow for this run: granted for a reversible edit pattern, answers the next one in the same run only', async () => {
    const f = await startHost({ policy: ASK_EDITS });
    const d = disc(f.host.discoveryPath);
    const shown = nextPending(f.host);
    const first = askGate(d, editReq(f.ws, 'a.txt', 'b'), 20_000);
    const req = await shown;
    assert.equal(f.host.approvals.allowForRun(req.stepId, hashOf(req.action), 'a person'), 'decided');
    assert.equal((await first).ok && (await first as { ok: true; response: { decision: string } }).response.decision, 'allow');
    // Same run, same pattern (edit in the same folder): no prompt.
    const second = await askGate(d, editReq(f.ws, 'b.txt', 'c'), 20_000);
    assert.ok(second.ok && second.response.decision === 'allow', JSON.stringify(second));
    assert.match(second.response.reasons.join(' '), /allow-for-this-run grant/);
    // Another run (session): asked again.
    const again = nextPending(f.host);
    const third = askGate(d, { ...editReq(f.ws, 'a.txt', 'z'), sessionId: 's2' }, 20_000);
    const r3 = await again;
    assert.equal(r3.action?.kind, 'file');
    f.host.approvals.decide(r3.stepId, { decision: 'deny', reason: 'no' });
    const t = await third;
    assert.ok(t.ok && t.response.decision === 'deny');
  });

  it('irreversible asks cannot be granted for the run', async () => {
    const f = await startHost();
    const shown = nextPending(f.host);
    const answer = askGate(disc(f.host.discoveryPath), shellReq(f.ws, IRREVERSIBLE), 20_000);
    const req = await shown;
    assert.equal(req.decision.reversibility, 'irreversible');
    assert.equal(f.host.approvals.allowForRun(req.stepId, hashOf(req.action), 'p'), 'not-grantable');
    f.host.approvals.decide(req.stepId, { decision: 'deny', reason: 'rejected by a person' });
    const r = await answer;
    assert.ok(r.ok && r.response.decision === 'deny');
    assert.ok(existsSync(join(f.ws, 'a.txt')));
  });

  it('a ledger that cannot open: the host still starts, says why, reads pass and changes are denied', async () => {
    const f = await startHost({
      openLedger: () => {
        throw new Error('The module was compiled against a different Node.js version (NODE_MODULE_VERSION 115)');
      },
    });
    const s = f.host.status();
    assert.equal(s.gate, 'armed');
    assert.equal(s.ledger.ok, false);
    assert.match(!s.ledger.ok ? s.ledger.error : '', /NODE_MODULE_VERSION/);
    const d = disc(f.host.discoveryPath);
    const read = await askGate(d, shellReq(f.ws, 'ls'), 5000);
    assert.ok(read.ok && read.response.decision === 'allow');
    const write = await askGate(d, shellReq(f.ws, 'mv a.txt b.txt'), 5000);
    assert.ok(write.ok && write.response.decision === 'deny', JSON.stringify(write));
    assert.ok(write.response.rules.includes('ledger.unavailable'));
  });

  it('pause denies everything until resume', async () => {
    const f = await startHost();
    const d = disc(f.host.discoveryPath);
    f.host.pause('lunch');
    assert.equal(f.host.status().gate, 'paused');
    const r = await askGate(d, shellReq(f.ws, 'ls'), 5000);
    assert.ok(r.ok && r.response.decision === 'deny' && r.response.rules.includes('gate.paused'));
    f.host.resume();
    const r2 = await askGate(d, shellReq(f.ws, 'ls'), 5000);
    assert.ok(r2.ok && r2.response.decision === 'allow');
  });

  it('token rotation: the old token is refused at once, the new one works', async () => {
    const root = tempDir('airlock-rotate-');
    const s = await serveGate({ home: join(root, 'h'), ledgerPath: join(root, 'l.sqlite'), discovery: join(root, 'h', 'bridge.json'), mode: 'interactive', workspaceRoots: [root], log: () => undefined, signals: false });
    const old = s.token;
    const next = s.rotate();
    assert.notEqual(old, next);
    const withOld = await raw(s.url, { method: 'GET', path: '/v1/health', headers: { authorization: `Bearer ${old}` } });
    assert.equal(withOld.status, 401);
    const withNew = await raw(s.url, { method: 'GET', path: '/v1/health', headers: { authorization: `Bearer ${next}` } });
    assert.equal(withNew.status, 200);
    assert.equal(disc(join(root, 'h', 'bridge.json')).token, next);
    await s.stop('test');
  });

  it('kill: latches the flag, denies the pending ask, ends the agent process tree, stops the bridge; un-kill re-arms with a new token', async () => {
    const f = await startHost();
    // A stand-in agent process tree: a shell with a background child and a grandchild.
    const agent = spawn('/bin/sh', ['-c', 'sleep 300 & sh -c "sleep 300 & wait" & wait'], { stdio: 'ignore' });
    children.push(agent);
    const agentPid = agent.pid!;
    let tree: number[] = [];
    for (let i = 0; i < 100 && tree.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      tree = descendants(listProcesses(), agentPid);
    }
    assert.ok(tree.length >= 3, `expected 3 descendants, got ${tree.length}`);
    const d = disc(f.host.discoveryPath);
    const shown = nextPending(f.host);
    const pending = askGate(d, shellReq(f.ws, IRREVERSIBLE, { agentPid }), 20_000);
    await shown;
    assert.equal(f.host.agents()[0]?.pid, agentPid);
    const report = await f.host.kill('test pulled it', []);
    assert.equal(report.deniedPending, 1);
    const r = await pending;
    assert.ok(r.ok && r.response.decision === 'deny', JSON.stringify(r));
    assert.match(r.response.reasons.join(' '), /kill switch/);
    assert.equal(readKillFlag(f.home).killed, true);
    const t = report.trees.find((x) => x.root === agentPid);
    assert.ok(t && !t.skipped, JSON.stringify(report));
    for (const pid of [agentPid, ...tree]) assert.equal(isAlive(pid), false, `pid ${pid} survived`);
    assert.equal(existsSync(f.host.discoveryPath), false);
    assert.equal(existsSync(join(f.home, 'bridge.json')), false);
    const refused = await askGate(d, shellReq(f.ws, 'ls'), 2000);
    assert.equal(refused.ok, false, 'the old bridge no longer answers');
    assert.equal(f.host.status().gate, 'killed');

    await f.host.unkill();
    assert.equal(readKillFlag(f.home).killed, false);
    assert.equal(f.host.status().gate, 'armed');
    const d2 = disc(f.host.discoveryPath);
    assert.notEqual(d2.token, d.token);
    const ok = await askGate(d2, shellReq(f.ws, 'ls'), 5000);
    assert.ok(ok.ok && ok.response.decision === 'allow');
  });

  it('kill never ends the editor itself or its ancestors', async () => {
    const f = await startHost();
    const d = disc(f.host.discoveryPath);
    await askGate(d, shellReq(f.ws, 'ls', { agentPid: process.pid }), 5000);
    const report = await f.host.kill('self test', []);
    assert.match(report.trees[0]?.skipped ?? '', /Airlock itself/);
    assert.ok(isAlive(process.pid));
  });

  it('a kill latched from a terminal (airlock kill) is acted on by the editor too', async () => {
    const f = await startHost();
    const shown = nextPending(f.host);
    const pending = askGate(disc(f.host.discoveryPath), shellReq(f.ws, IRREVERSIBLE), 20_000);
    await shown;
    writeFileSync(join(f.home, 'killed'), JSON.stringify({ at: new Date().toISOString(), reason: 'from a terminal' }));
    const r = await pending;
    assert.ok(r.ok && r.response.decision === 'deny');
    for (let i = 0; i < 100 && f.host.status().gate !== 'killed'; i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(f.host.status().gate, 'killed');
    assert.equal(f.host.status().reason, 'from a terminal');
    assert.equal(readFileSync(join(f.home, 'killed'), 'utf8').includes('from a terminal'), true);
  });
});
