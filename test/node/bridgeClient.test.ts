/**
 * The shim's bridge client writes HTTP/1.1 on a plain socket (no node:http at hook start-up). Real
 * loopback servers here: the gate's own (a full round trip with the token), and raw sockets that
 * answer in pieces, cut the answer short, stall, send chunked bodies or no HTTP at all. Every one
 * of those ends in a reported failure (the shim then decides offline), never a hang or a throw.
 */
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { DiscoveryFile } from '../../src/core/protocol/bridge';
import { askGate, connectGate, parseResponse, postJson } from '../../src/node/bridge/client';
import { bridgeSocketPath, latchKill, readDiscovery, sweepBridgeSockets, writeDiscovery } from '../../src/node/bridge/discovery';
import { openGateEarly } from '../../src/node/agents/shim';
import { serveGate } from '../../src/node/gate/serve';
import { tempDir } from '../support/gateway';

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** A raw TCP server on loopback that answers every request with `answer(socket)`. */
async function rawServer(answer: (s: Socket) => void): Promise<number> {
  const srv = createServer((s) => {
    s.once('data', () => answer(s));
    s.on('error', () => {});
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const a = srv.address();
  return typeof a === 'object' && a ? a.port : 0;
}
const disc = (port: number): DiscoveryFile => ({ url: `http://127.0.0.1:${port}`, token: 't'.repeat(43), pid: process.pid, version: 1, startedAt: '' });

describe('bridge client on a plain socket', () => {
  it('parses complete answers and waits for partial ones', () => {
    const ok = Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 7\r\n\r\n{"a":1}');
    assert.deepEqual(parseResponse(ok, false), { status: 200, text: '{"a":1}' });
    assert.equal(parseResponse(ok.subarray(0, 20), false), undefined);
    assert.equal(parseResponse(ok.subarray(0, ok.length - 2), false), undefined);
    assert.match(JSON.stringify(parseResponse(ok.subarray(0, ok.length - 2), true)), /ended after 5 of 7 bytes/);
    assert.match(JSON.stringify(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n7\r\n{"a":1}\r\n0\r\n\r\n'), false)), /chunked is not read/);
    assert.match(JSON.stringify(parseResponse(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'), false)), /not an HTTP\/1.x status line/);
    assert.match(JSON.stringify(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\nabcd'), false)), /bad content-length/);
    // Multi-byte UTF-8 split across chunks is decoded whole.
    const euro = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n€');
    assert.deepEqual(parseResponse(euro, false), { status: 200, text: '€' });
  });

  it('a full round trip with the real gate: the token is sent, a wrong one is refused', async () => {
    const dir = tempDir('airlock-bridge-client-');
    const served = await serveGate({ home: join(dir, 'home'), ledgerPath: join(dir, 'ledger.sqlite'), discovery: join(dir, 'home', 'bridge.json'), mode: 'ci', workspaceRoots: [dir], log: () => {}, signals: false });
    try {
      const d = readDiscovery(join(dir, 'home', 'bridge.json'));
      assert.ok(d.ok);
      const body = { agent: 'claude', event: 'pre', sessionId: 'c1', toolName: 'Bash', action: { kind: 'shell', command: 'ls', cwd: dir, workspaceRoots: [dir] }, deadlineMs: 5000 };
      const r = await askGate(d.discovery, body as never, 5000);
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.response.decision, 'allow');
      const bad = await askGate({ ...d.discovery, token: 'x'.repeat(43) }, body as never, 5000);
      assert.deepEqual(bad.ok ? 'ok' : bad.cause, 'auth');
    } finally {
      await served.stop('test over');
    }
  });

  it('an answer written in pieces is read whole', async () => {
    const port = await rawServer((s) => {
      const text = JSON.stringify({ decision: 'deny', reasons: ['piecewise'] });
      const all = `HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
      let i = 0;
      const step = (): void => {
        if (i >= all.length) return;
        s.write(all.slice(i, i + 7));
        i += 7;
        setTimeout(step, 2);
      };
      step();
    });
    const r = await postJson(disc(port), '/v1/hook', { x: 1 }, 5000);
    assert.deepEqual(r, { status: 200, text: JSON.stringify({ decision: 'deny', reasons: ['piecewise'] }) });
  });

  it('cut short, stalled, not HTTP, refused: each is a reported failure', async () => {
    const cut = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n{"decision"'));
    assert.match(JSON.stringify(await postJson(disc(cut), '/v1/hook', {}, 5000)), /ended after 11 of 50 bytes/);
    const stall = await rawServer(() => {});
    const t0 = Date.now();
    assert.deepEqual(await postJson(disc(stall), '/v1/hook', {}, 300), { error: 'timeout', reason: 'the gate did not answer within 300 ms' });
    assert.ok(Date.now() - t0 < 5000);
    const ssh = await rawServer((s) => s.end('SSH-2.0-OpenSSH_9\r\n\r\n'));
    assert.match(JSON.stringify(await postJson(disc(ssh), '/v1/hook', {}, 5000)), /not an HTTP/);
    // A port nobody listens on (a closed server's).
    const gone = await rawServer(() => {});
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    const r = await postJson(disc(gone), '/v1/hook', {}, 5000);
    assert.ok('error' in r && r.error === 'unreachable', JSON.stringify(r));
  });
});

describe('bridge client on the gate\'s Unix domain socket', { skip: process.platform === 'win32' && 'no Unix domain sockets for the bridge on Windows' }, () => {
  const hookBody = (dir: string, sessionId: string) => ({ agent: 'claude', event: 'pre', sessionId, toolName: 'Bash', action: { kind: 'shell', command: 'ls', cwd: dir, workspaceRoots: [dir] }, deadlineMs: 5000 });

  it('the gate listens on a 0600 socket in its home, named in the discovery file, removed when it stops', async () => {
    const dir = tempDir('airlock-bridge-uds-');
    const home = join(dir, 'home');
    const served = await serveGate({ home, ledgerPath: join(dir, 'ledger.sqlite'), discovery: join(home, 'bridge.json'), mode: 'ci', workspaceRoots: [dir], log: () => {}, signals: false });
    let socket: string | undefined;
    try {
      const d = readDiscovery(join(home, 'bridge.json'));
      assert.ok(d.ok);
      assert.ok(d.discovery.socket?.startsWith(`${home}/bridge-${process.pid}-`), d.discovery.socket);
      socket = d.discovery.socket!;
      assert.equal(served.socket, socket);
      assert.ok(statSync(socket).isSocket());
      assert.equal(statSync(socket).mode & 0o777, 0o600);
      // The gate answers on the socket itself (node:http straight to it, no TCP anywhere).
      const host = `127.0.0.1:${new URL(d.discovery.url).port}`;
      const direct = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ socketPath: socket, method: 'POST', path: '/v1/hook', headers: { host, authorization: `Bearer ${d.discovery.token}`, 'content-type': 'application/json' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end(JSON.stringify(hookBody(dir, 'u0')));
      });
      assert.equal(direct.status, 200, direct.body);
      assert.equal(JSON.parse(direct.body).decision, 'allow');
      const viaSocket = await askGate(d.discovery, hookBody(dir, 'u1') as never, 5000);
      assert.ok(viaSocket.ok, JSON.stringify(viaSocket));
      assert.equal(viaSocket.response.decision, 'allow');
      // The token is checked on the socket as on TCP.
      const bad = await askGate({ ...d.discovery, token: 'x'.repeat(64) }, hookBody(dir, 'u2') as never, 5000);
      assert.deepEqual(bad.ok ? 'ok' : bad.cause, 'auth');
    } finally {
      await served.stop('test over');
    }
    assert.equal(existsSync(socket!), false, 'the socket file is removed at stop');
  });

  it('the client prefers the socket when the discovery file names one (TCP is not touched)', async () => {
    const dir = tempDir('airlock-bridge-uds-prefer-');
    let tcp = 0;
    const port = await rawServer(() => tcp++);
    const path = join(dir, 'gate.sock');
    const uds = createServer((s) => {
      s.once('data', () => {
        const text = JSON.stringify({ decision: 'allow', reasons: ['over the socket'] });
        s.end(`HTTP/1.1 200 OK\r\ncontent-length: ${text.length}\r\n\r\n${text}`);
      });
      s.on('error', () => {});
    });
    servers.push(uds);
    await new Promise<void>((r) => uds.listen(path, r));
    const r = await postJson({ ...disc(port), socket: path }, '/v1/hook', {}, 5000);
    assert.deepEqual(r, { status: 200, text: JSON.stringify({ decision: 'allow', reasons: ['over the socket'] }) });
    assert.equal(tcp, 0);
  });

  it('a socket that cannot be connected to (gone, not a socket, nobody listening) falls back to TCP; the request is sent once', async () => {
    const dir = tempDir('airlock-bridge-uds-fallback-');
    let requests = 0;
    const port = await rawServer((s) => {
      requests++;
      const text = JSON.stringify({ decision: 'allow', reasons: ['over tcp'] });
      s.end(`HTTP/1.1 200 OK\r\ncontent-length: ${text.length}\r\n\r\n${text}`);
    });
    const notSocket = join(dir, 'plain.sock');
    writeFileSync(notSocket, 'not a socket');
    const deadListener = createServer(() => {});
    const dead = join(dir, 'dead.sock');
    await new Promise<void>((r) => deadListener.listen(dead, r));
    await new Promise<void>((r) => deadListener.close(() => r()));
    for (const socket of [join(dir, 'missing.sock'), notSocket, dead]) {
      const r = await postJson({ ...disc(port), socket }, '/v1/hook', { x: 1 }, 5000);
      assert.deepEqual(r, { status: 200, text: JSON.stringify({ decision: 'allow', reasons: ['over tcp'] }) }, socket);
    }
    assert.equal(requests, 3);
  });

  it('once connected over the socket, a failure is the answer: no second request over TCP', async () => {
    const dir = tempDir('airlock-bridge-uds-stall-');
    let tcp = 0;
    const port = await rawServer(() => tcp++);
    const path = join(dir, 'stall.sock');
    let viaSocket = 0;
    const stall = createServer((s) => {
      s.once('data', () => viaSocket++);
      s.on('error', () => {});
    });
    servers.push(stall);
    await new Promise<void>((r) => stall.listen(path, r));
    const r = await postJson({ ...disc(port), socket: path }, '/v1/hook', {}, 300);
    assert.deepEqual(r, { error: 'timeout', reason: 'the gate did not answer within 300 ms' });
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(viaSocket, 1);
    assert.equal(tcp, 0);
  });

  it('socket paths: none on Windows, with AIRLOCK_BRIDGE_SOCKET=0 or when too long; stale ones of dead gates are swept', () => {
    const dir = tempDir('airlock-bridge-uds-paths-');
    assert.match(bridgeSocketPath(dir, {}, 'linux') ?? '', /\/bridge-\d+-[0-9a-f]{8}\.sock$/);
    assert.equal(bridgeSocketPath(dir, {}, 'win32'), undefined);
    assert.equal(bridgeSocketPath(dir, { AIRLOCK_BRIDGE_SOCKET: '0' }, 'linux'), undefined);
    assert.equal(bridgeSocketPath(`/${'d'.repeat(90)}`, {}, 'linux'), undefined);
    const alive = join(dir, `bridge-${process.pid + 1}-00aa.sock`);
    const gone = join(dir, 'bridge-99999999-00bb.sock');
    const other = join(dir, 'bridge-99999999.json');
    for (const f of [alive, gone, other]) writeFileSync(f, '');
    const logs: string[] = [];
    sweepBridgeSockets(dir, (l) => logs.push(l), (pid) => pid === process.pid + 1);
    assert.equal(existsSync(alive), true);
    assert.equal(existsSync(gone), false);
    assert.equal(existsSync(other), true);
    assert.match(logs.join('\n'), /gate pid 99999999/);
  });
});

describe('a connection opened before the request is ready (the shim opens it while reading its payload)', () => {
  const answerOk = (s: Socket): void => {
    const text = JSON.stringify({ decision: 'allow', reasons: ['early'] });
    s.end(`HTTP/1.1 200 OK\r\ncontent-length: ${text.length}\r\n\r\n${text}`);
  };

  it('is used for the request once it is ready (and connects in the meantime)', async () => {
    let requests = 0;
    const port = await rawServer((s) => {
      requests++;
      answerOk(s);
    });
    const conn = connectGate(disc(port));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(conn.connected, true);
    assert.deepEqual(await postJson(disc(port), '/v1/hook', {}, 5000, conn), { status: 200, text: JSON.stringify({ decision: 'allow', reasons: ['early'] }) });
    assert.equal(requests, 1);
  });

  it('a socket connection that failed before the request falls back to TCP then; the request is sent once', async () => {
    let requests = 0;
    const port = await rawServer((s) => {
      requests++;
      answerOk(s);
    });
    const d = { ...disc(port), socket: join(tempDir('airlock-early-'), 'missing.sock') };
    const conn = connectGate(d);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(conn.error?.code, 'ENOENT');
    assert.deepEqual(await postJson(d, '/v1/hook', {}, 5000, conn), { status: 200, text: JSON.stringify({ decision: 'allow', reasons: ['early'] }) });
    assert.equal(requests, 1);
  });

  it('a TCP connection refused, or one the gate closed before the request: a reported failure, no hang, no throw', async () => {
    const gone = await rawServer(() => {});
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    const refused = connectGate(disc(gone));
    await new Promise((r) => setTimeout(r, 50));
    const r1 = await postJson(disc(gone), '/v1/hook', {}, 5000, refused);
    assert.ok('error' in r1 && r1.error === 'unreachable' && /ECONNREFUSED/.test(r1.reason), JSON.stringify(r1));
    const closer = createServer((s) => s.destroy());
    servers.push(closer);
    await new Promise<void>((r) => closer.listen(0, '127.0.0.1', r));
    const a = closer.address();
    const port = typeof a === 'object' && a ? a.port : 0;
    const closed = connectGate(disc(port));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    const r2 = await postJson(disc(port), '/v1/hook', {}, 5000, closed);
    assert.ok('error' in r2 && r2.error === 'unreachable', JSON.stringify(r2));
    assert.ok(Date.now() - t0 < 2000);
  });
});

describe('openGateEarly: the shim connects before its payload is read only when there is a gate to ask', () => {
  it('none without a discovery file or with the kill switch latched; a connection otherwise', async () => {
    const home = join(tempDir('airlock-early-gate-'), 'home');
    const env = { AIRLOCK_HOME: home };
    assert.equal(await openGateEarly(env), undefined);
    let told = 0;
    const port = await rawServer(() => {});
    writeDiscovery(join(home, 'bridge.json'), { version: 1, url: `http://127.0.0.1:${port}`, token: 'ab'.repeat(32), pid: process.pid, startedAt: '' });
    const early = await openGateEarly(env, () => told++);
    assert.ok(early);
    assert.equal(early.discovery.url, `http://127.0.0.1:${port}`);
    assert.equal(told, 1);
    early.connection.socket.destroy();
    latchKill('test', home);
    assert.equal(await openGateEarly(env), undefined);
  });
});
