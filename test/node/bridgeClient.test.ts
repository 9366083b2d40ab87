/**
 * The shim's bridge client writes HTTP/1.1 on a plain socket (no node:http at hook start-up). Real
 * loopback servers here: the gate's own (a full round trip with the token), and raw sockets that
 * answer in pieces, cut the answer short, stall, send chunked bodies or no HTTP at all. Every one
 * of those ends in a reported failure (the shim then decides offline), never a hang or a throw.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { askGate, parseResponse, postJson } from '../../src/node/bridge/client';
import { readDiscovery } from '../../src/node/bridge/discovery';
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
const disc = (port: number) => ({ url: `http://127.0.0.1:${port}`, token: 't'.repeat(43), pid: process.pid, version: 1 }) as never;

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
