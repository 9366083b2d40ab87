/**
 * What every scripted model server shares (scriptedModel.ts: Anthropic Messages, scriptedResponses.ts:
 * OpenAI Responses, scriptedChat.ts: OpenAI Chat Completions, scriptedGemini.ts: Gemini): a loopback
 * HTTP server on a random port whose handler errors become the API's own error body, the queue of
 * scripted turns (each main request takes the next; once it has run out, a fallback ends the task),
 * ids numbered per server, request bodies read and parsed, JSON and Server-Sent-Events answers, and
 * the text of whatever content the agent sent back.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export abstract class ScriptedServer<Turn> {
  private server: Server | undefined;
  private nextTurn = 0;
  private idSeq = 0;

  constructor(protected readonly turns: Turn[]) {}

  /** Answers one request (every request is the subclass's to record). */
  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  /** The API's error body for a handler that threw. */
  protected abstract errorBody(e: unknown): unknown;

  /** Listens on 127.0.0.1 (random port); resolves to the origin (`http://127.0.0.1:<port>`). */
  protected async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.errorBody(e)));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this.origin;
  }

  get origin(): string {
    const addr = this.server?.address() as AddressInfo | null;
    if (!addr) throw new Error(`${this.constructor.name} is not listening`);
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
    return this.nextTurn;
  }

  /** The next scripted turn and its index, or the fallback with index -1 once the script has run out. */
  protected takeTurn(fallback: () => Turn): { turn: Turn; index: number } {
    if (this.nextTurn < this.turns.length) {
      const index = this.nextTurn++;
      return { turn: this.turns[index]!, index };
    }
    return { turn: fallback(), index: -1 };
  }

  /** `<prefix>_scripted_0001`, numbered per server. */
  protected newId(prefix: string): string {
    this.idSeq += 1;
    return `${prefix}_scripted_${String(this.idSeq).padStart(4, '0')}`;
  }
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The body as JSON, or undefined when there is none or it is not JSON. */
export function parseBody<T>(raw: string): T | undefined {
  try {
    return raw.length ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts a Server-Sent-Events answer; `send(data, event?)` writes one event. */
export function openSse(res: ServerResponse, headers: Record<string, string> = {}): (data: unknown, event?: string) => void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
  return (data, event) => void res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/** The text of content an agent sent back: a string, content blocks joined, `{content: "…"}`, else JSON. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c: Record<string, unknown>) => (typeof c?.text === 'string' ? c.text : JSON.stringify(c))).join('\n');
  if (content === undefined || content === null) return '';
  if (typeof content === 'object' && typeof (content as Record<string, unknown>).content === 'string') return (content as { content: string }).content;
  return JSON.stringify(content);
}
