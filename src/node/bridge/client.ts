/**
 * The shim's side of the bridge: one authenticated POST to the gate found through the discovery
 * file. Every failure is reported with its cause (the shim then decides offline); nothing throws.
 *
 * The POST is HTTP/1.1 written on a plain socket (node:net), not node:http: the hook runs once per
 * agent tool call, and loading node:http's client costs ~15 % of a bare Node start (BENCHMARKS §4b).
 * The bridge is our own server on loopback: it answers with a content-length and closes (the
 * request says `connection: close`); anything else is a bad response, and the shim decides offline.
 *
 * When the discovery file names the gate's Unix domain socket (`socket`), the request goes there
 * (no TCP handshake, no address parsing: ~0.7 ms of each hook call). If that connection cannot be
 * made (the file is gone, refused, not a socket), the same request goes to `url` over TCP: nothing
 * was sent yet, so nothing is sent twice. Once connected, a failure is the answer.
 */
import { connect, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { DiscoveryFile, HookRequest, HookResponse } from '../../core/protocol/bridge';
import { checkHookResponse } from '../../core/protocol/bridgeGuards';

export type BridgeFailure = 'unreachable' | 'auth' | 'timeout' | 'refused' | 'bad-response';
export type BridgeResult = { ok: true; response: HookResponse } | { ok: false; cause: BridgeFailure; reason: string };

/** The most a bridge answer may be (the gate's own replies are a few KB). */
const MAX_RESPONSE = 4 * 1024 * 1024;

/** Status and body of one complete HTTP/1.1 response, or why it is not one (undefined: need more bytes). */
export function parseResponse(buf: Buffer, ended: boolean): { status: number; text: string } | { bad: string } | undefined {
  const head = buf.indexOf('\r\n\r\n');
  if (head < 0) return ended ? { bad: 'the answer ended inside its headers' } : buf.length > 64 * 1024 ? { bad: 'headers too long' } : undefined;
  const lines = buf.subarray(0, head).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!m) return { bad: `not an HTTP/1.x status line (${JSON.stringify((lines[0] ?? '').slice(0, 40))})` };
  let length: number | undefined;
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    const name = l.slice(0, i).trim().toLowerCase();
    const value = l.slice(i + 1).trim();
    if (name === 'transfer-encoding' && value.toLowerCase() !== 'identity') return { bad: `transfer-encoding ${value} is not read here` };
    if (name === 'content-length') {
      if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value))) return { bad: `bad content-length ${value}` };
      length = Number(value);
    }
  }
  const body = buf.subarray(head + 4);
  if (length === undefined) return ended ? { status: Number(m[1]), text: body.toString('utf8') } : undefined;
  if (body.length < length) return ended ? { bad: `the answer ended after ${body.length} of ${length} bytes` } : undefined;
  return { status: Number(m[1]), text: body.subarray(0, length).toString('utf8') };
}

type Posted = { status: number; text: string } | { error: BridgeFailure; reason: string };

/**
 * A connection to the gate, opened before its request is written: the hook shim opens it while its
 * payload is still being read, so the connection is made by the time the request is ready. Until
 * post() takes it, an error is only remembered (post reports it).
 */
export interface GateConnection {
  readonly socket: Socket;
  /** Over the discovery file's Unix domain socket (else TCP). */
  readonly viaSocket: boolean;
  connected: boolean;
  error: NodeJS.ErrnoException | undefined;
}

/** Open a connection to the gate: its Unix domain socket when the discovery file names one (POSIX), else TCP. */
export function connectGate(d: DiscoveryFile): GateConnection {
  return open(d, d.socket !== undefined && process.platform !== 'win32' ? d.socket : undefined);
}

function open(d: DiscoveryFile, socketPath: string | undefined): GateConnection {
  const socket = socketPath !== undefined ? connect({ path: socketPath }) : connect({ host: '127.0.0.1', port: Number(new URL(d.url).port) });
  const c: GateConnection = { socket, viaSocket: socketPath !== undefined, connected: false, error: undefined };
  socket.once('connect', () => (c.connected = true));
  socket.on('error', (e: NodeJS.ErrnoException) => (c.error ??= e));
  return c;
}

/**
 * POST `body` to the gate at `path` on `conn` (by default a connection opened now). A connection to
 * the Unix socket that could not be made is retried once over TCP: nothing was sent on it.
 */
export function postJson(d: DiscoveryFile, path: string, body: unknown, timeoutMs: number, conn: GateConnection = connectGate(d)): Promise<Posted> {
  const text = JSON.stringify(body);
  const deadline = Date.now() + timeoutMs;
  // (Over TCP a connection that is not made is an error like any other: `notConnected` is the socket's.)
  const tcp = (ms: number): Promise<Posted> => post(d, path, text, ms, open(d, undefined)).then((r) => ('notConnected' in r ? { error: 'unreachable', reason: `cannot reach the gate at ${d.url}` } : r));
  return post(d, path, text, timeoutMs, conn).then((r) => ('notConnected' in r ? tcp(Math.max(1, deadline - Date.now())) : r));
}

/** One request on connection `c` (a Unix-socket connection that is never made is said as such: `notConnected`). */
function post(d: DiscoveryFile, path: string, text: string, timeoutMs: number, c: GateConnection): Promise<Posted | { notConnected: true }> {
  return new Promise((resolve) => {
    const url = new URL(path, d.url);
    const socket = c.socket;
    let settled = false;
    const done = (v: Posted | { notConnected: true }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // The socket is torn down after the answer is handed on, not before: destroying a stream costs
      // ~0.7 ms of a hook's start, and the hook prints its answer and exits before the next turn.
      setImmediate(() => socket.destroy());
      resolve(v);
    };
    const failed = (e: NodeJS.ErrnoException | undefined): void =>
      done(c.viaSocket && !c.connected ? { notConnected: true } : { error: 'unreachable', reason: `cannot reach the gate at ${c.viaSocket ? d.socket : d.url} (${e?.code ?? e?.message ?? 'the connection was closed'})` });
    const timer = setTimeout(() => done({ error: 'timeout', reason: `the gate did not answer within ${timeoutMs} ms` }), Math.max(1, timeoutMs));
    // Failed, or closed, before this request was written (an early connection).
    if (c.error !== undefined || socket.destroyed) return failed(c.error);
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (ended: boolean): void => {
      const r = parseResponse(Buffer.concat(chunks, size), ended);
      if (r === undefined) return;
      done('bad' in r ? { error: 'unreachable', reason: `bridge response failed: ${r.bad}` } : r);
    };
    socket.on('data', (ch: Buffer) => {
      chunks.push(ch);
      size += ch.length;
      if (size > MAX_RESPONSE) return done({ error: 'unreachable', reason: 'bridge response failed: larger than 4 MB' });
      settle(false);
    });
    socket.on('end', () => settle(true));
    socket.on('close', () => settle(true));
    socket.on('error', (e: NodeJS.ErrnoException) => failed(e));
    const port = new URL(d.url).port;
    const head = [`POST ${url.pathname} HTTP/1.1`, `host: 127.0.0.1:${port}`, `authorization: Bearer ${d.token}`, 'content-type: application/json', `content-length: ${Buffer.byteLength(text)}`, 'connection: close', '', ''].join('\r\n');
    // write, not end: a half-closed request makes Node's HTTP server abort it (httpAllowHalfOpen is off).
    socket.write(head + text);
  });
}

export async function askGate(d: DiscoveryFile, body: HookRequest, timeoutMs: number, conn?: GateConnection): Promise<BridgeResult> {
  const r = await postJson(d, '/v1/hook', body, timeoutMs, conn);
  if ('error' in r) return { ok: false, cause: r.error, reason: r.reason };
  if (r.status === 401) return { ok: false, cause: 'auth', reason: 'the gate refused the bridge token (stale discovery file?)' };
  let raw: unknown;
  try {
    raw = JSON.parse(r.text);
  } catch (e) {
    return { ok: false, cause: 'bad-response', reason: `the gate answered ${r.status} with non-JSON (${(e as Error).message})` };
  }
  const p = checkHookResponse(raw);
  if (!p.ok) return { ok: false, cause: 'bad-response', reason: `the gate answered ${r.status} with an invalid body` };
  // A refusal by the bridge itself (400 malformed, 413, 503 closing) is still a deny from the gate.
  if (r.status !== 200 && r.status !== 400 && r.status !== 413) return { ok: false, cause: 'refused', reason: `the gate answered ${r.status}: ${p.value.reasons.join('; ')}` };
  return { ok: true, response: p.value };
}

/** Is a live gate answering at this discovery file's bridge with its token? (GET /v1/health, bounded.) */
export function probeGate(d: Pick<DiscoveryFile, 'url' | 'token'>, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const url = new URL(d.url);
    const { request } = require('node:http') as typeof import('node:http');
    const req = request({ host: '127.0.0.1', port: Number(url.port), path: '/v1/health', method: 'GET', agent: false, timeout: timeoutMs, headers: { host: `127.0.0.1:${url.port}`, authorization: `Bearer ${d.token}` } }, (res: IncomingMessage) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}
