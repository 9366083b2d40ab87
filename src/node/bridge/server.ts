/**
 * The authenticated loopback bridge between gateway processes (the hook shim) and the gate.
 *
 * Hygiene, in the order it is checked (each refusal is a deny body, never a hang):
 * - listens on 127.0.0.1 only, on a random port unless one is given; and, when asked, on a Unix
 *   domain socket too (the same routes and checks; made 0600 inside the gate's 0700 home, so only
 *   its own account can connect, and the token is still required). Callers prefer the socket:
 *   a connection there skips TCP and the address parsing of node:net, ~0.7 ms of each hook call;
 * - a request with an `Origin` header is refused (403): browsers send one, the shim never does;
 * - `Host` must be exactly 127.0.0.1:<port> or localhost:<port> (421): defeats DNS rebinding;
 * - `Authorization: Bearer <token>`, compared in constant time on equal-length buffers (401);
 * - bodies over 1 MiB are refused (413) without being read; invalid JSON or schema: 400.
 * Architecture Invariant: no endpoint approves anything. The routes are health, hook and stop.
 */
import { timingSafeEqual } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatIssues } from '../../core/policy/layers';
import { bridgeDeny, HookRequest, MAX_BRIDGE_BODY, SessionEnd, type HookResponse } from '../../core/protocol/bridge';

export interface BridgeHandlers {
  hook(req: HookRequest): Promise<HookResponse>;
  /** Authenticated stop request (the kill command): begin shutdown. */
  stop(reason: string): void;
  health(): Record<string, unknown>;
  /** The agent's session ended (its SessionEnd hook): the gate ends the run. */
  sessionEnd?(agent: HookRequest['agent'], sessionId: string, reason: string, transcriptPath?: string): { runId: string } | undefined;
}

export interface BridgeOptions {
  port?: number;
  /**
   * Also listen on this Unix domain socket (POSIX; a path in a private directory). A file already
   * there is replaced. If it cannot be listened on, the bridge runs on TCP alone and says why.
   */
  socketPath?: string;
  token: string;
  handlers: BridgeHandlers;
  log: (line: string) => void;
}

export interface Bridge {
  readonly url: string;
  readonly port: number;
  /** The Unix domain socket it also listens on, if any (removed again by close()). */
  readonly socket: string | undefined;
  /** Replace the token (kill switch, re-arm); requests with the old one get 401 from now on. */
  rotate(token: string): void;
  /** Stop accepting, let in-flight requests finish, then resolve. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly rule: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function tokenMatches(header: string | undefined, token: Buffer): boolean {
  if (!header || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length), 'utf8');
  // timingSafeEqual needs equal lengths; compare against the token itself on a length mismatch so
  // the time taken does not depend on where the difference is.
  if (given.length !== token.length) {
    timingSafeEqual(token, token);
    return false;
  }
  return timingSafeEqual(given, token);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BRIDGE_BODY) return reject(new HttpError(413, `body of ${declared} bytes is over the ${MAX_BRIDGE_BODY}-byte limit`, 'bridge.too-large'));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BRIDGE_BODY) {
        reject(new HttpError(413, `body is over the ${MAX_BRIDGE_BODY}-byte limit`, 'bridge.too-large'));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function startBridge(opts: BridgeOptions): Promise<Bridge> {
  let token = Buffer.from(opts.token, 'utf8');
  let port = 0;
  let closing = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.headers.origin !== undefined) throw new HttpError(403, 'requests with an Origin header are refused (browsers may not call the bridge)', 'bridge.origin');
    const host = req.headers.host;
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) throw new HttpError(421, `wrong Host ${JSON.stringify(host ?? '')}`, 'bridge.host');
    if (!tokenMatches(req.headers.authorization, token)) throw new HttpError(401, 'missing or wrong bridge token', 'bridge.auth');
    if (closing) throw new HttpError(503, 'Airlock is shutting down', 'bridge.closing');
    const route = `${req.method ?? ''} ${(req.url ?? '').split('?')[0]}`;
    switch (route) {
      case 'GET /v1/health':
        return send(res, 200, opts.handlers.health());
      case 'POST /v1/hook': {
        const hook = parseBody(await readBody(req), HookRequest, 'hook request');
        return send(res, 200, await opts.handlers.hook(hook));
      }
      case 'POST /v1/session-end': {
        const end = parseBody(await readBody(req), SessionEnd, 'session end');
        const r = opts.handlers.sessionEnd?.(end.agent, end.sessionId, end.reason, end.transcriptPath);
        return send(res, 200, { ended: r !== undefined, ...(r ? { runId: r.runId } : {}) });
      }
      case 'POST /v1/stop': {
        const text = await readBody(req);
        let reason = 'stop requested over the bridge';
        try {
          const raw: unknown = text ? JSON.parse(text) : {};
          if (raw && typeof raw === 'object' && 'reason' in raw && typeof raw.reason === 'string') reason = raw.reason.slice(0, 500);
        } catch (e) {
          opts.log(`bridge: stop body is not JSON (${(e as Error).message}); stopping anyway`);
        }
        send(res, 200, { stopping: true });
        opts.handlers.stop(reason);
        return;
      }
      default:
        throw new HttpError(404, `no such endpoint: ${route}`, 'bridge.not-found');
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      const rule = e instanceof HttpError ? e.rule : 'bridge.error';
      const msg = (e as Error)?.message ?? String(e);
      if (status >= 500 || status === 401 || status === 403 || status === 421) opts.log(`bridge: ${status} ${req.method} ${req.url}: ${msg}`);
      send(res, status, bridgeDeny(msg, rule));
      if (status === 413) res.on('finish', () => req.destroy());
    });
  };
  const newServer = (): Server => {
    const s = createServer(onRequest);
    s.headersTimeout = 10_000;
    s.requestTimeout = 0; // hook requests are held up to their own deadline
    return s;
  };
  const server = newServer();
  const servers = [server];

  /** The socket leg: resolves with its path, or undefined (said in the log) when it cannot listen. */
  const listenSocket = (path: string): Promise<string | undefined> =>
    new Promise((resolve) => {
      const s = newServer();
      const failed = (e: Error): void => {
        opts.log(`bridge: not listening on ${path} (${e.message}); TCP only`);
        resolve(undefined);
      };
      try {
        rmSync(path, { force: true });
      } catch (e) {
        return failed(e as Error);
      }
      s.once('error', failed);
      s.listen(path, () => {
        s.off('error', failed);
        try {
          chmodSync(path, 0o600);
        } catch (e) {
          s.close();
          rmSync(path, { force: true });
          return failed(e as Error);
        }
        servers.push(s);
        resolve(path);
      });
    });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', async () => {
      server.off('error', reject);
      port = (server.address() as AddressInfo).port;
      const socket = opts.socketPath !== undefined ? await listenSocket(opts.socketPath) : undefined;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        socket,
        rotate(next: string) {
          token = Buffer.from(next, 'utf8');
        },
        close() {
          closing = true;
          const closed = servers.map(
            (s) =>
              new Promise<void>((done) => {
                s.close(() => done());
                s.closeIdleConnections();
              }),
          );
          return Promise.all(closed).then(() => {
            if (socket !== undefined) rmSync(socket, { force: true });
          });
        },
      });
    });
  });
}

/** A request body as JSON, validated by its schema; a 400 naming what is wrong otherwise. */
function parseBody<T>(text: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `body is not JSON: ${(e as Error).message}`, 'bridge.malformed');
  }
  const p = schema.safeParse(raw);
  if (!p.success) throw new HttpError(400, `invalid ${what}: ${formatIssues(p.error)}`, 'bridge.malformed');
  return p.data;
}
