/**
 * The bridge on a real loopback port with a temp AIRLOCK_HOME and a temp ledger file (in process):
 * authentication, Origin/Host refusal, size cap, malformed bodies, no approve endpoint, discovery
 * file modes and token rotation, and the ledger's hash chain.
 */
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readDiscovery } from '../../src/node/bridge/discovery';
import { firstBreak, Ledger } from '../../src/node/ledger/ledger';
import { serveGate, type Served } from '../../src/node/gate/serve';
import { raw, tempDir } from '../support/gateway';

const dir = tempDir('airlock-bridge-');
const home = join(dir, 'home');
const ws = join(dir, 'ws');
mkdirSync(join(ws, 'build'), { recursive: true });
const ledgerPath = join(dir, 'ledger.sqlite');
const discovery = join(home, 'bridge.json');
const logs: string[] = [];
const start = () => serveGate({ home, ledgerPath, discovery, mode: 'ci', workspaceRoots: [ws], log: (l) => logs.push(l), signals: false });

const hookBody = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ agent: 'claude', event: 'pre', sessionId: 'b1', toolName: 'Bash', action: { kind: 'shell', command: 'ls', cwd: ws, workspaceRoots: [ws] }, deadlineMs: 5000, ...over });

describe('bridge', () => {
  let s: Served;
  let auth: Record<string, string>;
  before(async () => {
    s = await start();
    auth = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
  });
  after(async () => {
    await s.stop('test over');
  });

  it('writes the discovery file 0600 in a 0700 directory, with a 64-hex token', () => {
    assert.equal(statSync(home).mode & 0o777, 0o700);
    assert.equal(statSync(discovery).mode & 0o777, 0o600);
    const d = readDiscovery(discovery);
    assert.ok(d.ok);
    assert.equal(d.discovery.url, s.url);
    assert.match(d.discovery.token, /^[0-9a-f]{64}$/);
    assert.equal(d.discovery.pid, process.pid);
  });

  it('answers an authenticated hook request with a decision', async () => {
    const r = await raw(s.url, { path: '/v1/hook', headers: auth, body: hookBody() });
    assert.equal(r.status, 200);
    const b = JSON.parse(r.body);
    assert.equal(b.decision, 'allow');
    assert.ok(b.runId && b.stepId && b.actionHash);
  });

  it('401 without or with a wrong token (same length and different length)', async () => {
    for (const a of [undefined, `Bearer ${'0'.repeat(64)}`, 'Bearer short', s.token]) {
      const r = await raw(s.url, { path: '/v1/hook', headers: a ? { authorization: a } : {}, body: hookBody() });
      assert.equal(r.status, 401, String(a));
      assert.equal(JSON.parse(r.body).decision, 'deny');
    }
  });

  it('403 for any request with an Origin header, even with the right token', async () => {
    const r = await raw(s.url, { path: '/v1/hook', headers: { ...auth, origin: 'http://evil.example' }, body: hookBody() });
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.body).decision, 'deny');
  });

  it('refuses a wrong Host (DNS rebinding), accepts localhost:<port>', async () => {
    const port = new URL(s.url).port;
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1', `127.0.0.1:${Number(port) + 1}`]) {
      const r = await raw(s.url, { path: '/v1/health', method: 'GET', headers: { ...auth, host } });
      assert.equal(r.status, 421, host);
    }
    const ok = await raw(s.url, { path: '/v1/health', method: 'GET', headers: { ...auth, host: `localhost:${port}` } });
    assert.equal(ok.status, 200);
  });

  it('413 for a body over 1 MiB', async () => {
    const big = hookBody({ description: 'x'.repeat(1024 * 1024 + 10) });
    const r = await raw(s.url, { path: '/v1/hook', headers: auth, body: big });
    assert.ok(r.status === 413 || r.status === -1, `status ${r.status}`);
  });

  it('400 with a deny body for invalid JSON and for a schema violation', async () => {
    for (const body of ['{not json', '[]', hookBody({ event: 'approve' }), hookBody({ extra: 1 }), hookBody({ action: { kind: 'shell' } })]) {
      const r = await raw(s.url, { path: '/v1/hook', headers: auth, body });
      assert.equal(r.status, 400, body.slice(0, 40));
      const b = JSON.parse(r.body);
      assert.equal(b.decision, 'deny');
      assert.equal(b.rules[0], 'bridge.malformed');
    }
  });

  it('has no endpoint that approves anything (404)', async () => {
    for (const path of ['/v1/approve', '/v1/approval', '/v1/decide', '/v1/hook/approve']) {
      const r = await raw(s.url, { path, headers: auth, body: '{}' });
      assert.equal(r.status, 404, path);
    }
  });

  it('records every decided step in a hash-chained ledger', () => {
    const l = Ledger.open(ledgerPath);
    try {
      const steps = l.allSteps();
      assert.ok(steps.length >= 1);
      assert.equal(steps[0]!.decision, 'allow');
      assert.equal(steps[0]!.seq, 1);
      assert.equal(firstBreak(steps), undefined);
    } finally {
      l.close();
    }
  });
});

describe('token rotation', () => {
  it('a restart writes a new token; the old one is refused', async () => {
    const a = await start();
    const oldToken = a.token;
    await a.stop('restart');
    assert.equal(readDiscovery(discovery).ok, false, 'discovery file removed on stop');
    const b = await start();
    try {
      assert.notEqual(b.token, oldToken);
      const d = readDiscovery(discovery);
      assert.ok(d.ok && d.discovery.token === b.token);
      const r = await raw(b.url, { path: '/v1/health', method: 'GET', headers: { authorization: `Bearer ${oldToken}` } });
      assert.equal(r.status, 401);
    } finally {
      await b.stop('done');
    }
  });

  it('a tampered ledger row breaks the chain', () => {
    const l = Ledger.open(ledgerPath);
    try {
      const steps = l.allSteps();
      const tampered = steps.map((r, i) => (i === 0 ? { ...r, decision: 'deny' } : r));
      assert.equal(firstBreak(tampered), steps[0]!.id);
    } finally {
      l.close();
    }
  });
});
