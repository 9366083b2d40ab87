/**
 * A scripted OpenAI Responses API on loopback, for driving the real Codex CLI without a model
 * (RECIPES.md section 2b). The counterpart of scriptedModel.ts (which speaks Anthropic Messages).
 *
 * The script is a list of turns; every `POST …/responses` request takes the next turn, in order
 * (when the script has run out, a final text answer ends the task). A turn is text and/or function
 * calls (Codex's shell tool is `exec_command` with `{"cmd": "…"}`). Every request is recorded, so a
 * test can read what Codex sent back (`function_call_output` items: the command's output, or the
 * reason a hook blocked it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScriptedServer, json, openSse, parseBody, readBody, textOf } from './scriptedServer';

export interface ScriptedFunctionCall {
  name: string;
  /** The arguments object (sent to Codex as a JSON string). */
  arguments: Record<string, unknown>;
  /** call_id; generated when absent. */
  callId?: string;
}

export interface ResponsesTurn {
  text?: string;
  calls?: ScriptedFunctionCall[];
  usage?: { input_tokens: number; output_tokens: number; cached_tokens?: number };
}

export interface ResponsesRequestBody {
  model?: string;
  stream?: boolean;
  tools?: Array<{ type?: string; name?: string }>;
  input?: Array<Record<string, unknown>>;
  [k: string]: unknown;
}

export interface RecordedResponsesRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: ResponsesRequestBody | undefined;
  /** Index into the script for /responses requests (-1 once the script has run out). */
  turn?: number;
}

export interface FunctionOutputSeen {
  call_id: string;
  /** The output text Codex passed back to the model. */
  text: string;
}

const DEFAULT_USAGE = { input_tokens: 100, output_tokens: 20, cached_tokens: 0 };

export class ScriptedResponses extends ScriptedServer<ResponsesTurn> {
  readonly requests: RecordedResponsesRequest[] = [];

  constructor(turns: ResponsesTurn[], private readonly opts: { finalText?: string } = {}) {
    super(turns);
  }

  /** Listens on 127.0.0.1 (random port); resolves to the base URL to put in config.toml (…/v1). */
  async start(): Promise<string> {
    return `${await this.listen()}/v1`;
  }

  protected errorBody(e: unknown): unknown {
    return { error: { message: String(e), type: 'server_error' } };
  }

  get modelRequests(): RecordedResponsesRequest[] {
    return this.requests.filter((r) => r.turn !== undefined);
  }

  /** Every function_call_output Codex sent back, deduplicated by call_id (last wins). */
  functionOutputs(): FunctionOutputSeen[] {
    const byId = new Map<string, FunctionOutputSeen>();
    for (const r of this.modelRequests) {
      for (const item of r.body?.input ?? []) {
        if (item?.type !== 'function_call_output') continue;
        const id = String(item.call_id);
        byId.set(id, { call_id: id, text: textOf(item.output) });
      }
    }
    return [...byId.values()];
  }

  functionOutput(callId: string): FunctionOutputSeen | undefined {
    return this.functionOutputs().find((o) => o.call_id === callId);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parseBody<ResponsesRequestBody>(await readBody(req));
    const path = (req.url ?? '/').split('?')[0]!;
    const rec: RecordedResponsesRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
    this.requests.push(rec);
    if (req.method === 'POST' && path.endsWith('/responses')) {
      if (!body) return json(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
      const { turn, index } = this.takeTurn(() => ({ text: this.opts.finalText ?? 'Done.' }));
      rec.turn = index;
      return this.stream(res, body, turn);
    }
    if (req.method === 'GET' && path.endsWith('/models')) return json(res, 200, { object: 'list', data: [] });
    return json(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'not_found' } });
  }

  private stream(res: ServerResponse, body: ResponsesRequestBody, turn: ResponsesTurn): void {
    const responseId = this.newId('resp');
    const model = typeof body.model === 'string' ? body.model : 'gpt-mock';
    const sse = openSse(res);
    const send = (data: Record<string, unknown>) => sse(data, String(data.type));
    const base = { id: responseId, object: 'response', created_at: Math.floor(Date.now() / 1000), model, status: 'in_progress', output: [] as unknown[] };
    send({ type: 'response.created', response: base });
    const output: Array<Record<string, unknown>> = [];
    let index = 0;
    if (turn.text || (turn.calls ?? []).length === 0) {
      const text = turn.text ?? 'Done.';
      const itemId = this.newId('msg');
      const item = { type: 'message', id: itemId, role: 'assistant', status: 'in_progress', content: [] as unknown[] };
      send({ type: 'response.output_item.added', output_index: index, item });
      send({ type: 'response.output_text.delta', item_id: itemId, output_index: index, content_index: 0, delta: text });
      const done = { ...item, status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
      send({ type: 'response.output_item.done', output_index: index, item: done });
      output.push(done);
      index += 1;
    }
    for (const c of turn.calls ?? []) {
      const itemId = this.newId('fc');
      const callId = c.callId ?? this.newId('call');
      const args = JSON.stringify(c.arguments);
      send({ type: 'response.output_item.added', output_index: index, item: { type: 'function_call', id: itemId, call_id: callId, name: c.name, arguments: '', status: 'in_progress' } });
      // Arguments stream in two pieces, as the real API sends them piecemeal.
      const cut = Math.floor(args.length / 2);
      for (const delta of [args.slice(0, cut), args.slice(cut)]) send({ type: 'response.function_call_arguments.delta', item_id: itemId, output_index: index, delta });
      const done = { type: 'function_call', id: itemId, call_id: callId, name: c.name, arguments: args, status: 'completed' };
      send({ type: 'response.output_item.done', output_index: index, item: done });
      output.push(done);
      index += 1;
    }
    const u = { ...DEFAULT_USAGE, ...turn.usage };
    send({
      type: 'response.completed',
      response: {
        ...base,
        status: 'completed',
        output,
        usage: { input_tokens: u.input_tokens, input_tokens_details: { cached_tokens: u.cached_tokens ?? 0 }, output_tokens: u.output_tokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.input_tokens + u.output_tokens },
      },
    });
    res.end();
  }
}
