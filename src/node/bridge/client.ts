/**
 * The shim's side of the bridge: one authenticated POST to the gate found through the discovery
 * file. Every failure is reported with its cause (the shim then decides offline); nothing throws.
 */
import { request } from 'node:http';
import type { DiscoveryFile, HookRequest, HookResponse } from '../../core/protocol/bridge';
import { checkHookResponse } from '../../core/protocol/bridgeGuards';

export type BridgeFailure = 'unreachable' | 'auth' | 'timeout' | 'refused' | 'bad-response';
export type BridgeResult = { ok: true; response: HookResponse } | { ok: false; cause: BridgeFailure; reason: string };

export function postJson(d: DiscoveryFile, path: string, body: unknown, timeoutMs: number): Promise<{ status: number; text: string } | { error: BridgeFailure; reason: string }> {
  return new Promise((resolve) => {
    const url = new URL(path, d.url);
    const text = JSON.stringify(body);
    let settled = false;
    const done = (v: { status: number; text: string } | { error: BridgeFailure; reason: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(v);
    };
    const req = request(
      { host: '127.0.0.1', port: Number(url.port), path: url.pathname, method: 'POST', agent: false, headers: { host: `127.0.0.1:${url.port}`, authorization: `Bearer ${d.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => done({ error: 'unreachable', reason: `bridge response failed: ${e.message}` }));
      },
    );
    const timer = setTimeout(() => {
      done({ error: 'timeout', reason: `the gate did not answer within ${timeoutMs} ms` });
      req.destroy();
    }, Math.max(1, timeoutMs));
    req.on('error', (e: NodeJS.ErrnoException) => done({ error: 'unreachable', reason: `cannot reach the gate at ${d.url} (${e.code ?? e.message})` }));
    req.end(text);
  });
}

export async function askGate(d: DiscoveryFile, body: HookRequest, timeoutMs: number): Promise<BridgeResult> {
  const r = await postJson(d, '/v1/hook', body, timeoutMs);
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
    const req = request({ host: '127.0.0.1', port: Number(url.port), path: '/v1/health', method: 'GET', agent: false, timeout: timeoutMs, headers: { host: `127.0.0.1:${url.port}`, authorization: `Bearer ${d.token}` } }, (res) => {
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
