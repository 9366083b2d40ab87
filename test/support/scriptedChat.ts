/**
 * A scripted OpenAI Chat Completions API on loopback (`POST …/chat/completions`, streamed or not),
 * for driving agents that speak it without a model: Cline CLI (openai-compatible provider), Qwen
 * Code, OpenCode and Kilo Code CLI (@ai-sdk/openai-compatible). The counterpart of
 * scriptedModel.ts (Anthropic Messages) and scriptedResponses.ts (OpenAI Responses).
 *
 * The script is a list of turns; every "main" request (one that offers tools) takes the next turn,
 * in order; once the script has run out a final text answer ends the task. Requests without tools
 * (titles, summaries, Qwen's next-speaker checks) are side requests: they get `sideText` and never
 * consume a turn. Every request is recorded, so a test can read what the agent sent back (the
 * `role: "tool"` messages: a command's output, or the reason a hook blocked it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScriptedServer, json, openSse, parseBody, readBody, textOf } from './scriptedServer';

export interface ChatToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** tool_call id; generated when absent. */
  id?: string;
}

export interface ChatTurn {
  text?: string;
  calls?: ChatToolCall[];
  usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number };
}

export interface ChatRequestBody {
  model?: string;
  stream?: boolean;
  tools?: Array<{ type?: string; function?: { name?: string } }>;
  messages?: Array<{ role: string; content?: unknown; tool_call_id?: string; tool_calls?: unknown }>;
  [k: string]: unknown;
}

export interface RecordedChatRequest {
  method: string;
  url: string;
  body: ChatRequestBody | undefined;
  kind: 'main' | 'side' | 'other';
  /** Index into the script for main requests (-1 once the script has run out). */
  turn?: number;
}

export interface ToolMessageSeen {
  tool_call_id: string;
  text: string;
}

const DEFAULT_USAGE = { prompt_tokens: 100, completion_tokens: 20, cached_tokens: 0 };

export class ScriptedChat extends ScriptedServer<ChatTurn> {
  readonly requests: RecordedChatRequest[] = [];

  constructor(
    turns: ChatTurn[],
    private readonly opts: { finalText?: string; sideText?: string; modelId?: string } = {},
  ) {
    super(turns);
  }

  /** Listens on 127.0.0.1 (random port); resolves to the base URL ending in /v1. */
  async start(): Promise<string> {
    return `${await this.listen()}/v1`;
  }

  protected errorBody(e: unknown): unknown {
    return { error: { message: String(e), type: 'server_error' } };
  }

  get mainRequests(): RecordedChatRequest[] {
    return this.requests.filter((r) => r.kind === 'main');
  }

  /** Every `role: "tool"` message the agent sent, deduplicated by tool_call_id (last wins). */
  toolMessages(): ToolMessageSeen[] {
    const byId = new Map<string, ToolMessageSeen>();
    for (const r of this.mainRequests) {
      for (const m of r.body?.messages ?? []) {
        if (m.role !== 'tool') continue;
        const id = String(m.tool_call_id);
        byId.set(id, { tool_call_id: id, text: textOf(m.content) });
      }
    }
    return [...byId.values()];
  }

  toolMessage(id: string): ToolMessageSeen | undefined {
    return this.toolMessages().find((t) => t.tool_call_id === id);
  }

  /** Everything the agent sent in its last main request, as text (for reasons it put elsewhere). */
  lastMainText(): string {
    const last = this.mainRequests.at(-1);
    return (last?.body?.messages ?? []).map((m) => textOf(m.content)).join('\n');
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parseBody<ChatRequestBody>(await readBody(req));
    const path = (req.url ?? '/').split('?')[0]!;
    const rec: RecordedChatRequest = { method: req.method ?? 'GET', url: req.url ?? '/', body, kind: 'other' };
    this.requests.push(rec);
    if (req.method === 'GET' && path.endsWith('/models')) {
      const id = this.opts.modelId ?? 'scripted';
      return json(res, 200, { object: 'list', data: [{ id, object: 'model', created: 0, owned_by: 'airlock-test' }] });
    }
    if (req.method === 'POST' && path.endsWith('/chat/completions')) {
      if (!body) return json(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
      const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
      let turn: ChatTurn;
      if (!hasTools) {
        rec.kind = 'side';
        turn = { text: this.opts.sideText ?? 'Scripted session', usage: { prompt_tokens: 10, completion_tokens: 3 } };
      } else {
        rec.kind = 'main';
        const t = this.takeTurn(() => ({ text: this.opts.finalText ?? 'Done.' }));
        rec.turn = t.index;
        turn = t.turn;
      }
      return body.stream === true ? this.stream(res, body, turn) : this.whole(res, body, turn);
    }
    if (req.method === 'HEAD') {
      res.writeHead(200);
      return void res.end();
    }
    return json(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'not_found' } });
  }

  private usageOf(turn: ChatTurn): Record<string, unknown> {
    const u = { ...DEFAULT_USAGE, ...turn.usage };
    return { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.prompt_tokens + u.completion_tokens, prompt_tokens_details: { cached_tokens: u.cached_tokens ?? 0 } };
  }

  private calls(turn: ChatTurn): Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> {
    return (turn.calls ?? []).map((c) => ({ id: c.id ?? this.newId('call'), type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } }));
  }

  private whole(res: ServerResponse, body: ChatRequestBody, turn: ChatTurn): void {
    const calls = this.calls(turn);
    const message: Record<string, unknown> = { role: 'assistant', content: turn.text ?? (calls.length ? null : 'Done.') };
    if (calls.length) message.tool_calls = calls;
    json(res, 200, {
      id: this.newId('chatcmpl'),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: typeof body.model === 'string' ? body.model : 'scripted',
      choices: [{ index: 0, message, finish_reason: calls.length ? 'tool_calls' : 'stop' }],
      usage: this.usageOf(turn),
    });
  }

  private stream(res: ServerResponse, body: ChatRequestBody, turn: ChatTurn): void {
    const id = this.newId('chatcmpl');
    const model = typeof body.model === 'string' ? body.model : 'scripted';
    const created = Math.floor(Date.now() / 1000);
    const send = openSse(res);
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => send({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] });
    chunk({ role: 'assistant', content: '' });
    const calls = this.calls(turn);
    if (turn.text || calls.length === 0) chunk({ content: turn.text ?? 'Done.' });
    calls.forEach((c, index) => {
      chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } }] });
      // Arguments stream in two pieces, as real servers send them piecemeal.
      const a = c.function.arguments;
      const cut = Math.floor(a.length / 2);
      for (const part of [a.slice(0, cut), a.slice(cut)]) chunk({ tool_calls: [{ index, function: { arguments: part } }] });
    });
    chunk({}, calls.length ? 'tool_calls' : 'stop');
    // Usage as a last chunk with no choices (what `stream_options.include_usage` asks for; sent always).
    send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: this.usageOf(turn) });
    send('[DONE]');
    res.end();
  }
}
