/**
 * `airlock mcp`: Airlock's own MCP server (stdio, or streamable HTTP on 127.0.0.1), and the gate it
 * uses: the running gate over the bridge when one is up (so asks reach the editor), else a gate
 * in-process with its own ledger and headless approvals (asks are denied at their deadline).
 *
 * Every tools/call result carries the Airlock envelope twice: as `structuredContent` (validated by
 * clients against the tool's output schema) and as JSON text (for clients that only read text).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, isInitializeRequest, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { HookRequest, HookResponse } from '../../core/protocol/bridge';
import type { ApprovalRequest, Approver } from '../../core/run/approver';
import { ElicitingApprover } from './elicit';
import { namedQueryInput } from '../../core/policy/namedQueries';
import { airlockToolListings, DbQueryOutput } from '../../core/tools/airlockTools';
import { listingOf, type Envelope } from '../../core/tools/contract';
import { PendingApprovals } from '../gate/approvals';
import { askGate } from '../bridge/client';
import { ensurePrivateDir, readDiscovery } from '../bridge/discovery';
import { Gate, summarize } from '../gate/gate';
import { lazyQueue } from '../gate/approvalQueue';
import { anchorPathFor, Ledger } from '../ledger/ledger';
import { GateCheckpoints } from '../checkpoints/gateCheckpoints';
import { CheckpointStore } from '../checkpoints/store';
import { checkpointSettingsFromEnv, type CheckpointSettings } from '../checkpoints/settings';
import type { GateLike, ToolRunner } from './tools';

export const SERVER_INFO = { name: 'airlock', version: '0.1.0' };

export interface LocalGateOptions {
  home: string;
  ledgerPath: string;
  workspaceRoots: string[];
  workspacePolicy?: string;
  mode: 'interactive' | 'ci';
  /** Who answers asks. Default: headless PendingApprovals (never allows). Tests pass a deliberate approver. */
  approver?: Approver;
  log: (line: string) => void;
  /**
   * Workspace checkpoints, as the gate host takes them (src/node/gate/serve.ts): default on, settings
   * from the environment; `false` (or AIRLOCK_CHECKPOINTS=off) judges without them.
   */
  checkpoints?: Partial<CheckpointSettings> | false;
}

export interface OpenedGate {
  gate: GateLike;
  /** The in-process gate's approver that can ask through the MCP client (absent over the bridge). */
  elicitation?: ElicitingApprover;
  where: string;
  close(): Promise<void>;
}

/** A gate in this process, with its own ledger. */
export function localGate(o: LocalGateOptions): OpenedGate {
  ensurePrivateDir(o.home);
  const ledger = Ledger.open(o.ledgerPath, { anchor: anchorPathFor(o.home, o.ledgerPath) });
  // Headless: asks are queued for the editor and answered at once ("needs a person's approval").
  const queue = lazyQueue(o.home, o.log);
  // A client that can elicit asks its person in the client (elicit.ts); the others fall through to the queue.
  const describe = (r: ApprovalRequest): string => summarize(r.action, r.toolName);
  const elicitation = o.approver ? undefined : new ElicitingApprover(new PendingApprovals({ headless: true, queue: queue.get, log: o.log, summarize: describe }), describe, o.log);
  // Make it reversible, then let it run: file writes, deletes and shell deletes in the workspace are
  // checkpointed first and run on the staged rung; a checkpoint that cannot be taken asks (fail closed).
  const cpSettings = o.checkpoints === undefined ? checkpointSettingsFromEnv(process.env) : o.checkpoints;
  const checkpoints = cpSettings === false ? undefined : new GateCheckpoints(new CheckpointStore(o.home, cpSettings), o.log);
  // Housekeeping at start, as `airlock serve` does (checkpoints past their age, then the oldest past
  // the size cap; in the background), but at most once an hour: agents start one server per session.
  if (checkpoints) void checkpoints.store.pruneIfDue(3_600_000).then((r) => r?.removed && o.log(`checkpoints: pruned ${r.removed}`), () => undefined);
  const gate = new Gate({ ledger, approver: o.approver ?? elicitation!, mode: o.mode, home: o.home, workspaceRoots: o.workspaceRoots, log: o.log, ...(checkpoints ? { checkpoints } : {}), ...(o.workspacePolicy ? { workspacePolicy: o.workspacePolicy } : {}) });
  gate.currentPolicy();
  return {
    gate,
    where: `in-process gate (ledger ${o.ledgerPath})`,
    ...(elicitation ? { elicitation } : {}),
    close: async () => {
      await gate.close();
      ledger.close();
      queue.close();
    },
  };
}

/**
 * The gate already running (editor or `airlock serve`), reached through the discovery file. Every
 * bridge failure is a deny with its cause (fail closed); nothing falls back to acting unjudged.
 */
export function bridgeGate(discoveryPath: string): OpenedGate | undefined {
  const d = readDiscovery(discoveryPath);
  if (!d.ok) return undefined;
  const gate: GateLike = {
    hook: async (req: HookRequest): Promise<HookResponse> => {
      const cur = readDiscovery(discoveryPath);
      if (!cur.ok) return deny(`the Airlock gate is no longer running (${cur.reason ?? 'no discovery file'})`, 'gate.unreachable');
      const r = await askGate(cur.discovery, req, req.deadlineMs + 2000);
      return r.ok ? r.response : deny(`cannot reach the Airlock gate: ${r.reason}`, `gate.${r.cause}`);
    },
  };
  return { gate, where: `running gate at ${d.discovery.url}`, close: async () => undefined };
}

function deny(reason: string, rule: string): HookResponse {
  return { decision: 'deny', reasons: [reason], rules: [rule], reversibility: 'unknown', runId: '', stepId: '', actionHash: '' };
}

export function defaultPaths(home: string): { ledger: string; effects: string } {
  return { ledger: join(home, 'ledger.sqlite'), effects: join(home, 'effects.sqlite') };
}

export function toCallResult(env: Envelope): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(env) }], structuredContent: env as unknown as Record<string, unknown>, isError: !env.ok };
}

/** One MCP server session over Airlock's tools. */
export function createAirlockMcpServer(runner: ToolRunner, elicitation?: ElicitingApprover): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: {} },
    instructions: 'Airlock gates every tool call: reversible work runs, destructive or unknown effects wait for a person and are denied when nobody approves. Results are envelopes {ok, data | error, traceId, decision}. Pass idempotencyKey to retry side effects safely.',
  });
  const listings = airlockToolListings();
  // Each named query of a configured connection is a tool of its own, with the query's strict schema.
  const named = runner.namedQueryTools().map((t) =>
    listingOf({
      name: t.tool,
      description: `${t.def.description ?? `Named query ${t.query} on connection ${t.connection}.`} Returns the columns ${t.def.columns.join(', ')}, at most ${t.def.rowCap} rows (truncated tells when more existed). Side effects: none; judged by Airlock as a read on ${t.connection}. Only the listed arguments are accepted.`,
      input: namedQueryInput(t.def),
      output: DbQueryOutput,
      annotations: { title: `${t.connection}: ${t.query}`, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      sideEffects: false,
    }),
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...listings, ...named] }));
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const session = extra.sessionId ? `http:${extra.sessionId}` : runner.sessionId;
    elicitation?.attach(session, server);
    const client = server.getClientVersion()?.name;
    const env = await runner.call(req.params.name, req.params.arguments ?? {}, { ...(extra.sessionId ? { sessionId: session } : {}), ...(client ? { client } : {}) });
    return toCallResult(env);
  });
  return server;
}

export async function serveStdio(server: Server): Promise<Promise<void>> {
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((r) => {
    transport.onclose = () => r();
    process.stdin.once('end', () => r());
  });
  await server.connect(transport);
  return closed;
}

export interface HttpServed {
  url: string;
  close(): Promise<void>;
}

/**
 * Streamable HTTP on 127.0.0.1 only, one MCP session (and one run) per client session. Requests with
 * a foreign Host (DNS rebinding) or a non-loopback Origin are refused.
 */
export async function serveHttp(makeServer: () => Server, port: number, log: (l: string) => void): Promise<HttpServed> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  let actualPort = port;
  const loopbackOrigin = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;
  const http: HttpServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const host = req.headers.host ?? '';
      if (host !== `127.0.0.1:${actualPort}` && host !== `localhost:${actualPort}`) return refuse(res, 403, 'foreign Host header');
      const origin = req.headers.origin;
      if (origin && !loopbackOrigin.test(origin)) return refuse(res, 403, 'non-loopback Origin');
      if (!req.url || !req.url.startsWith('/mcp')) return refuse(res, 404, 'the MCP endpoint is /mcp');
      const sid = req.headers['mcp-session-id'];
      let body: unknown;
      if (req.method === 'POST') {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of req) {
          size += (c as Buffer).length;
          if (size > 4 * 1024 * 1024) return refuse(res, 413, 'request too large');
          chunks.push(c as Buffer);
        }
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return refuse(res, 400, 'body is not JSON');
        }
      }
      let transport = typeof sid === 'string' ? sessions.get(sid) : undefined;
      if (!transport) {
        if (typeof sid === 'string') return refuse(res, 404, 'unknown session');
        if (req.method !== 'POST' || !isInitializeRequest(body)) return refuse(res, 400, 'start a session with an initialize request');
        const t = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => void sessions.set(id, t) });
        t.onclose = () => {
          if (t.sessionId) sessions.delete(t.sessionId);
        };
        await makeServer().connect(t);
        transport = t;
      }
      await transport.handleRequest(req, res, body);
    })().catch((e: unknown) => {
      log(`http: ${(e as Error)?.message ?? String(e)}`);
      if (!res.headersSent) refuse(res, 500, 'internal error');
    });
  });
  await new Promise<void>((r, j) => {
    http.once('error', j);
    http.listen(port, '127.0.0.1', () => r());
  });
  const addr = http.address();
  actualPort = typeof addr === 'object' && addr ? addr.port : port;
  return {
    url: `http://127.0.0.1:${actualPort}/mcp`,
    close: async () => {
      for (const t of sessions.values()) await t.close().catch(() => undefined);
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

function refuse(res: ServerResponse, status: number, why: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: `Airlock MCP: ${why}` }, id: null }));
}
