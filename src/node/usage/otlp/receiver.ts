/**
 * The OTLP/HTTP receiver: `POST /v1/logs`, `/v1/metrics`, `/v1/traces` on 127.0.0.1, protobuf
 * (`application/x-protobuf`) and JSON (`application/json`) bodies, gzip or identity encoding.
 *
 * Hygiene: listens on 127.0.0.1 only and refuses any peer that is not loopback; refuses requests
 * with an `Origin` header (a browser page must not feed it fake usage); `Host` must name loopback;
 * bodies are capped (compressed and decompressed); a body that does not decode is a 400 with the
 * reason. Success is the OTLP full-success answer: an empty Export*ServiceResponse in the request's
 * own content type.
 *
 * No authentication: agents' OTLP exporters cannot carry Airlock's bridge token without putting it
 * in the agent's environment. What a local process can do with this port is report usage, which
 * only ever raises what a run is charged (it can make a budget trip early, never late).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import { decodeBody, successResponse, type Decoded, type Signal } from './decode';

export const MAX_OTLP_BODY = 8 * 1024 * 1024;
export { DEFAULT_OTLP_PORT, otlpPortFor } from './port';

const gunzipP = promisify(gunzip);
const inflateP = promisify(inflate);

export interface ReceiverOptions {
  /** 0 = random. */
  port: number;
  /** Called for every decoded request, before the answer. A throw is logged; the exporter still gets 200 (the data was valid). */
  onData: (signal: Signal, data: Decoded) => void;
  log: (line: string) => void;
  maxBytes?: number;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  /** Requests decoded and handed on since start. */
  readonly stats: { accepted: number; rejected: number };
  close(): Promise<void>;
}

const ROUTES: Record<string, Signal> = { '/v1/logs': 'logs', '/v1/metrics': 'metrics', '/v1/traces': 'traces' };

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function isLoopback(addr: string | undefined): boolean {
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}

function readRaw(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > max) return reject(new Refusal(413, `body of ${declared} bytes is over the ${max}-byte limit`));
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) {
        done = true;
        reject(new Refusal(413, `body is over the ${max}-byte limit`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!done) reject(e);
    });
  });
}

async function decompress(raw: Buffer, encoding: string, max: number): Promise<Buffer> {
  const e = encoding.trim().toLowerCase();
  if (e === '' || e === 'identity') return raw;
  try {
    if (e === 'gzip' || e === 'x-gzip') return await gunzipP(raw, { maxOutputLength: max });
    if (e === 'deflate') return await inflateP(raw, { maxOutputLength: max });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new Refusal(413, `decompressed body is over the ${max}-byte limit`);
    throw new Refusal(400, `cannot decompress the ${e} body: ${(err as Error).message}`);
  }
  throw new Refusal(415, `content-encoding ${e} is not supported (gzip, deflate or identity)`);
}

function formatOf(contentType: string | undefined): 'protobuf' | 'json' {
  const t = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (t === 'application/x-protobuf' || t === 'application/protobuf') return 'protobuf';
  if (t === 'application/json') return 'json';
  throw new Refusal(415, `content-type ${t || '(none)'} is not supported (application/x-protobuf or application/json)`);
}

function reply(res: ServerResponse, status: number, type: string, body: Uint8Array | string): void {
  if (res.headersSent || res.destroyed) return;
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  res.writeHead(status, { 'content-type': type, 'content-length': buf.length, 'cache-control': 'no-store' });
  res.end(buf);
}

export function startOtlpReceiver(o: ReceiverOptions): Promise<Receiver> {
  const max = o.maxBytes ?? MAX_OTLP_BODY;
  const stats = { accepted: 0, rejected: 0 };
  let port = 0;
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      stats.rejected += 1;
      const status = e instanceof Refusal ? e.status : 400;
      const msg = (e as Error)?.message ?? String(e);
      if (status >= 500 || !(e instanceof Refusal)) o.log(`otlp: refused ${req.method} ${req.url}: ${msg}`);
      // google.rpc.Status in JSON form: readable by people and by exporters that log it.
      reply(res, status, 'application/json', JSON.stringify({ code: status === 415 ? 3 : status === 413 ? 8 : 3, message: msg }));
      if (status === 413) req.socket.destroySoon();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isLoopback(req.socket.remoteAddress)) {
      req.socket.destroy();
      throw new Refusal(403, 'only loopback peers may report telemetry');
    }
    if (req.headers.origin !== undefined) throw new Refusal(403, 'requests with an Origin header (browsers) are refused');
    const host = (req.headers.host ?? '').toLowerCase();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}` && host !== `[::1]:${port}`) throw new Refusal(421, `Host ${host || '(none)'} is not this receiver`);
    const path = (req.url ?? '/').split('?')[0]!;
    const signal = ROUTES[path];
    if (!signal) throw new Refusal(404, `no OTLP route ${path} (POST /v1/logs, /v1/metrics, /v1/traces)`);
    if (req.method !== 'POST') throw new Refusal(405, `${req.method} is not allowed; OTLP/HTTP uses POST`);
    const format = formatOf(req.headers['content-type']);
    const raw = await readRaw(req, max);
    const body = await decompress(raw, String(req.headers['content-encoding'] ?? ''), max);
    let data: Decoded;
    try {
      data = decodeBody(signal, format, body);
    } catch (e) {
      throw new Refusal(400, `cannot decode the ${format} ${signal} request: ${(e as Error).message}`);
    }
    stats.accepted += 1;
    try {
      o.onData(signal, data);
    } catch (e) {
      o.log(`otlp: could not record ${signal} data: ${(e as Error).message}`);
    }
    if (format === 'protobuf') reply(res, 200, 'application/x-protobuf', successResponse(signal));
    else reply(res, 200, 'application/json', '{}');
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => {
      server.off('error', reject);
      port = (server.address() as AddressInfo).port;
      server.headersTimeout = 10_000;
      server.requestTimeout = 30_000;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        stats,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeIdleConnections();
          }),
      });
    });
  });
}

/** Start on `port`; if it is taken (another gate), on a random port, with a warning: agents set to the fixed port will not reach this one. */
export async function startOtlpReceiverWithFallback(o: ReceiverOptions): Promise<Receiver> {
  try {
    return await startOtlpReceiver(o);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || o.port === 0) throw e;
    o.log(`otlp: port ${o.port} is in use; listening on a random port instead (agents configured for ${o.port} report elsewhere)`);
    return startOtlpReceiver({ ...o, port: 0 });
  }
}
