/**
 * A scripted Anthropic Messages API on loopback, for driving the real Claude Code without a model
 * (RECIPES.md section 2). The script is a list of turns; every "main" request (one that offers tools
 * and a real output budget) takes the next turn, in order. Claude Code's side requests (title,
 * quota probe, summaries: no tools or a tiny max_tokens) get a short text and never consume a turn.
 * Every request is recorded, so a test can read what the agent sent back (tool_result contents,
 * e.g. the denial reason Airlock gave).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedToolCall {
  name: string;
  input: Record<string, unknown>;
  /** tool_use id; generated when absent. */
  id?: string;
}

export interface ScriptedUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export interface ScriptedTurn {
  text?: string;
  tools?: ScriptedToolCall[];
  usage?: ScriptedUsage;
  /** Optional check on the request that takes this turn (e.g. "is the sub-agent asking"). Failing it records a mismatch; the turn is still served. */
  expect?: (body: MessagesRequest) => boolean;
  /**
   * Hold the answer until this promise settles (the agent waits "thinking" meanwhile): lets a test act
   * (e.g. pull the kill switch) while a live agent is mid-run. `onHeld` is called when the request arrived.
   */
  hold?: Promise<unknown>;
  onHeld?: () => void;
}

export type RequestKind = 'main' | 'side' | 'count_tokens' | 'other';

export interface MessagesRequest {
  model?: string;
  max_tokens?: number;
  stream?: boolean;
  system?: unknown;
  tools?: Array<{ name?: string }>;
  messages?: Array<{ role: string; content: unknown }>;
  [k: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  kind: RequestKind;
  /** Parsed JSON body (undefined when there was none or it was not JSON). */
  body: MessagesRequest | undefined;
  /** Index into the script for main requests (-1 when the script had run out). */
  turn?: number;
}

export interface ToolResultSeen {
  tool_use_id: string;
  is_error: boolean;
  /** The text the agent passed back to the model (content blocks joined). */
  text: string;
}

const DEFAULT_USAGE: ScriptedUsage = { input_tokens: 100, output_tokens: 20 };
const SIDE_TEXT = 'Scripted session';

export class ScriptedModel {
  readonly requests: RecordedRequest[] = [];
  readonly mismatches: string[] = [];
  private server: Server | undefined;
  private next = 0;
  private idSeq = 0;

  constructor(private readonly turns: ScriptedTurn[], private readonly opts: { finalText?: string; /** false: no `request-id` response header (some gateways and proxies drop it). */ requestIds?: boolean } = {}) {}

  /** Starts listening on 127.0.0.1 (random port); resolves to the base URL for ANTHROPIC_BASE_URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(e) } }));
      });
    });
    await new Promise<void>((resolveListen) => this.server!.listen(0, '127.0.0.1', resolveListen));
    return this.url;
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | null;
    if (!addr) throw new Error('scripted model is not listening');
    return `http://127.0.0.1:${addr.port}`;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  /** How many scripted turns have been served. */
  get served(): number {
    return this.next;
  }

  get mainRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === 'main');
  }

  /** Every tool_result block the agent sent, across all main requests, deduplicated by tool_use_id (last wins). */
  toolResults(): ToolResultSeen[] {
    const byId = new Map<string, ToolResultSeen>();
    for (const r of this.mainRequests) {
      for (const m of r.body?.messages ?? []) {
        if (m.role !== 'user' || !Array.isArray(m.content)) continue;
        for (const block of m.content as Array<Record<string, unknown>>) {
          if (block?.type !== 'tool_result') continue;
          const id = String(block.tool_use_id);
          byId.set(id, { tool_use_id: id, is_error: block.is_error === true, text: blockText(block.content) });
        }
      }
    }
    return [...byId.values()];
  }

  /** The tool_result for one scripted call id. */
  toolResult(id: string): ToolResultSeen | undefined {
    return this.toolResults().find((t) => t.tool_use_id === id);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: MessagesRequest | undefined;
    try {
      body = raw.length ? (JSON.parse(raw) as MessagesRequest) : undefined;
    } catch {
      body = undefined;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const rec: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, kind: 'other', body };
    this.requests.push(rec);

    if (req.method === 'POST' && path.endsWith('/v1/messages/count_tokens')) {
      rec.kind = 'count_tokens';
      return json(res, 200, { input_tokens: Math.max(1, Math.ceil(raw.length / 4)) });
    }
    if (req.method === 'POST' && path.endsWith('/v1/messages')) {
      if (!body) return json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'body is not JSON' } });
      const model = typeof body.model === 'string' ? body.model : 'claude-scripted';
      if (isSide(body)) {
        rec.kind = 'side';
        return this.reply(res, body, model, [{ type: 'text', text: SIDE_TEXT }], 'end_turn', { input_tokens: 10, output_tokens: 3 });
      }
      rec.kind = 'main';
      const i = this.next < this.turns.length ? this.next++ : -1;
      rec.turn = i;
      const turn: ScriptedTurn = i >= 0 ? this.turns[i]! : { text: this.opts.finalText ?? 'Done.' };
      if (turn.expect && !turn.expect(body)) this.mismatches.push(`turn ${i}: request did not meet expectation`);
      if (turn.hold) {
        turn.onHeld?.();
        await turn.hold.catch(() => undefined);
        if (res.destroyed || req.socket.destroyed) return; // the agent is gone (e.g. killed) while we held
      }
      const blocks: Block[] = [];
      if (turn.text) blocks.push({ type: 'text', text: turn.text });
      for (const t of turn.tools ?? []) blocks.push({ type: 'tool_use', id: t.id ?? this.newId(), name: t.name, input: t.input });
      if (blocks.length === 0) blocks.push({ type: 'text', text: 'Done.' });
      const stop = (turn.tools?.length ?? 0) > 0 ? 'tool_use' : 'end_turn';
      return this.reply(res, body, model, blocks, stop, turn.usage ?? DEFAULT_USAGE);
    }
    // Probes (HEAD /, GET /, health checks): answer, never hang.
    if (req.method === 'HEAD') {
      res.writeHead(200);
      return void res.end();
    }
    if (req.method === 'GET' && (path === '/' || path === '')) return json(res, 200, { ok: true });
    return json(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${req.method} ${path}` } });
  }

  private newId(): string {
    this.idSeq += 1;
    return `toolu_scripted_${String(this.idSeq).padStart(4, '0')}`;
  }

  private reply(res: ServerResponse, body: MessagesRequest, model: string, blocks: Block[], stop: string, usage: ScriptedUsage): void {
    const id = `msg_scripted_${this.requests.length}`;
    const fullUsage = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...usage };
    if (body.stream !== true) {
      return json(res, 200, { id, type: 'message', role: 'assistant', model, content: blocks, stop_reason: stop, stop_sequence: null, usage: fullUsage });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...(this.opts.requestIds === false ? {} : { 'request-id': `req_${id}` }) });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('message_start', {
      type: 'message_start',
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...fullUsage, output_tokens: 1 } },
    });
    blocks.forEach((b, index) => {
      if (b.type === 'text') {
        send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } });
      } else {
        send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } });
        const js = JSON.stringify(b.input);
        // Split the arguments in two chunks, as the real API streams them piecemeal.
        const cut = Math.floor(js.length / 2);
        for (const part of [js.slice(0, cut), js.slice(cut)]) {
          send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } });
        }
      }
      send('content_block_stop', { type: 'content_block_stop', index });
    });
    send('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }
}

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** Side requests: no tools offered, or a budget too small for a real turn. */
function isSide(body: MessagesRequest): boolean {
  const noTools = !Array.isArray(body.tools) || body.tools.length === 0;
  const tiny = typeof body.max_tokens === 'number' && body.max_tokens <= 1024;
  return noTools || tiny;
}

function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((c: Record<string, unknown>) => (typeof c?.text === 'string' ? c.text : JSON.stringify(c)))
      .join('\n');
  }
  return content === undefined ? '' : JSON.stringify(content);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
