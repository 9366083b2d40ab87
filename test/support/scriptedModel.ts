/**
 * A scripted Anthropic Messages API on loopback, for driving the real Claude Code without a model
 * (RECIPES.md section 2). The script is a list of turns; every "main" request (one that offers tools
 * and a real output budget) takes the next turn, in order. Claude Code's side requests (title,
 * quota probe, summaries: no tools or a tiny max_tokens) get a short text and never consume a turn.
 * Every request is recorded, so a test can read what the agent sent back (tool_result contents,
 * e.g. the denial reason Airlock gave).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScriptedServer, json, openSse, parseBody, readBody, textOf } from './scriptedServer';

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

export class ScriptedModel extends ScriptedServer<ScriptedTurn> {
  readonly requests: RecordedRequest[] = [];
  readonly mismatches: string[] = [];

  constructor(turns: ScriptedTurn[], private readonly opts: { finalText?: string; /** false: no `request-id` response header (some gateways and proxies drop it). */ requestIds?: boolean } = {}) {
    super(turns);
  }

  /** Starts listening on 127.0.0.1 (random port); resolves to the base URL for ANTHROPIC_BASE_URL. */
  start(): Promise<string> {
    return this.listen();
  }

  get url(): string {
    return this.origin;
  }

  protected errorBody(e: unknown): unknown {
    return { type: 'error', error: { type: 'api_error', message: String(e) } };
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
          byId.set(id, { tool_use_id: id, is_error: block.is_error === true, text: textOf(block.content) });
        }
      }
    }
    return [...byId.values()];
  }

  /** The tool_result for one scripted call id. */
  toolResult(id: string): ToolResultSeen | undefined {
    return this.toolResults().find((t) => t.tool_use_id === id);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = parseBody<MessagesRequest>(raw);
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
      const { turn, index: i } = this.takeTurn((): ScriptedTurn => ({ text: this.opts.finalText ?? 'Done.' }));
      rec.turn = i;
      if (turn.expect && !turn.expect(body)) this.mismatches.push(`turn ${i}: request did not meet expectation`);
      if (turn.hold) {
        turn.onHeld?.();
        await turn.hold.catch(() => undefined);
        if (res.destroyed || req.socket.destroyed) return; // the agent is gone (e.g. killed) while we held
      }
      const blocks: Block[] = [];
      if (turn.text) blocks.push({ type: 'text', text: turn.text });
      for (const t of turn.tools ?? []) blocks.push({ type: 'tool_use', id: t.id ?? this.newId('toolu'), name: t.name, input: t.input });
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

  private reply(res: ServerResponse, body: MessagesRequest, model: string, blocks: Block[], stop: string, usage: ScriptedUsage): void {
    const id = `msg_scripted_${this.requests.length}`;
    const fullUsage = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...usage };
    if (body.stream !== true) {
      return json(res, 200, { id, type: 'message', role: 'assistant', model, content: blocks, stop_reason: stop, stop_sequence: null, usage: fullUsage });
    }
    const sse = openSse(res, this.opts.requestIds === false ? {} : { 'request-id': `req_${id}` });
    const send = (event: string, data: unknown) => sse(data, event);
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
