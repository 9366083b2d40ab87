/**
 * A scripted Gemini API on loopback (`POST /v1beta/models/<m>:streamGenerateContent` as SSE, or
 * `:generateContent`, and `:countTokens`), for driving the real Gemini CLI without a model
 * (RECIPES.md 2c). Requests that offer function declarations take the next scripted turn; the
 * others (routing, next-speaker checks) get one JSON text that satisfies all of them. Every request
 * is recorded, so a test can read the `functionResponse` parts Gemini sent back.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

export class ScriptedGemini {
  readonly requests: Array<{ url: string; body: GeminiBody | undefined; main: boolean }> = [];
  private server: Server | undefined;
  private next = 0;

  constructor(private readonly turns: GeminiTurn[]) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 500, message: String(e) } }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const addr = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${addr.port}`;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  get served(): number {
    return this.next;
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
    let body: GeminiBody | undefined;
    try {
      body = raw ? (JSON.parse(raw) as GeminiBody) : undefined;
    } catch {
      body = undefined;
    }
    const url = req.url ?? '/';
    if (url.includes(':countTokens')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ totalTokens: Math.max(1, Math.ceil(raw.length / 4)) }));
    }
    if (!/:(stream)?[gG]enerateContent/.test(url)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ error: { code: 404, message: `no route ${url}` } }));
    }
    const main = (body?.tools ?? []).some((t) => (t.functionDeclarations ?? []).length > 0);
    this.requests.push({ url, body, main });
    let turn: GeminiTurn;
    if (!main) turn = { text: SIDE_JSON, usage: { promptTokenCount: 10, candidatesTokenCount: 3 } };
    else turn = this.next < this.turns.length ? this.turns[this.next++]! : { text: 'Done.' };
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
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(payload)}\n\n`);
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  }
}
