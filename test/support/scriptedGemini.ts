/**
 * A scripted Gemini API on loopback (`POST /v1beta/models/<m>:streamGenerateContent` as SSE, or
 * `:generateContent`, and `:countTokens`), for driving the real Gemini CLI without a model
 * (RECIPES.md 2c). Requests that offer function declarations take the next scripted turn; the
 * others (routing, next-speaker checks) get one JSON text that satisfies all of them. Every request
 * is recorded, so a test can read the `functionResponse` parts Gemini sent back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScriptedServer, json, openSse, parseBody, readBody } from './scriptedServer';

export interface GeminiCall {
  name: string;
  args: Record<string, unknown>;
  id?: string;
}

export interface GeminiTurn {
  text?: string;
  calls?: GeminiCall[];
  usage?: { promptTokenCount: number; candidatesTokenCount: number };
}

interface Part {
  text?: string;
  functionCall?: { id?: string; name: string; args: Record<string, unknown> };
  functionResponse?: { id?: string; name: string; response: unknown };
}

interface GeminiBody {
  contents?: Array<{ role?: string; parts?: Part[] }>;
  tools?: Array<{ functionDeclarations?: unknown[] }>;
  [k: string]: unknown;
}

const SIDE_JSON = JSON.stringify({ next_speaker: 'user', reasoning: 'the scripted task is done', model_choice: 'flash', complexity_reasoning: 'simple', complexity_score: 1 });

export class ScriptedGemini extends ScriptedServer<GeminiTurn> {
  readonly requests: Array<{ url: string; body: GeminiBody | undefined; main: boolean }> = [];

  /** Listens on 127.0.0.1 (random port); resolves to the origin (GOOGLE_GEMINI_BASE_URL). */
  start(): Promise<string> {
    return this.listen();
  }

  protected errorBody(e: unknown): unknown {
    return { error: { code: 500, message: String(e) } };
  }

  /** The output text of the functionResponse for a scripted call id (or tool name). */
  functionResponse(idOrName: string): string | undefined {
    let found: string | undefined;
    for (const r of this.requests.filter((x) => x.main)) {
      for (const c of r.body?.contents ?? []) {
        for (const p of c.parts ?? []) {
          const f = p.functionResponse;
          if (f && (f.id === idOrName || f.name === idOrName)) found = JSON.stringify(f.response);
        }
      }
    }
    return found;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = parseBody<GeminiBody>(raw);
    const url = req.url ?? '/';
    if (url.includes(':countTokens')) return json(res, 200, { totalTokens: Math.max(1, Math.ceil(raw.length / 4)) });
    if (!/:(stream)?[gG]enerateContent/.test(url)) return json(res, 404, { error: { code: 404, message: `no route ${url}` } });
    const main = (body?.tools ?? []).some((t) => (t.functionDeclarations ?? []).length > 0);
    this.requests.push({ url, body, main });
    let turn: GeminiTurn;
    if (!main) turn = { text: SIDE_JSON, usage: { promptTokenCount: 10, candidatesTokenCount: 3 } };
    else turn = this.takeTurn(() => ({ text: 'Done.' })).turn;
    const parts: Part[] = [];
    if (turn.text) parts.push({ text: turn.text });
    for (const c of turn.calls ?? []) parts.push({ functionCall: { ...(c.id ? { id: c.id } : {}), name: c.name, args: c.args } });
    if (parts.length === 0) parts.push({ text: 'Done.' });
    const u = turn.usage ?? { promptTokenCount: 100, candidatesTokenCount: 20 };
    const payload = {
      candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { ...u, totalTokenCount: u.promptTokenCount + u.candidatesTokenCount },
      modelVersion: 'gemini-scripted',
    };
    if (url.includes(':streamGenerateContent')) {
      openSse(res)(payload);
      return void res.end();
    }
    json(res, 200, payload);
  }
}
