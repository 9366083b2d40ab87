/**
 * `airlock mcp --wrap <command…>`: starts another MCP server as a child (stdio), lists its tools,
 * re-exposes them and gates every call. The wrapped server's annotations are passed on to the
 * client as the hints they are, and never used by the gate: the call's arguments are classified
 * (paths -> file actions, command strings -> shell, SQL strings -> sql; otherwise an unknown MCP
 * action, which is never allowed silently).
 *
 * Allowed calls are forwarded and their result returned unchanged (the client validates it against
 * the wrapped tool's own output schema); refused calls return the Airlock envelope as an error
 * result (`isError: true`, JSON text).
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, CallToolResultSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpAction } from '../../core/action';
import { awaitsPerson } from '../../core/protocol/bridge';
import { failure, type Envelope, type GateDecision } from '../../core/tools/contract';
import { toCallResult } from './server';
import { MCP_AGENT, type GateLike } from './tools';

export interface ProxyOptions {
  command: string[];
  /** The name the gate and the ledger know the wrapped server by. */
  serverName: string;
  gate: GateLike;
  sessionId: string;
  workspaceRoots: string[];
  /** The child's working directory (default: the first workspace root). */
  cwd?: string;
  askTimeoutMs?: number;
  log: (line: string) => void;
  env?: Record<string, string>;
}

export interface Proxy {
  tools: Tool[];
  /** A fresh MCP server session over the wrapped tools (one per transport). */
  makeServer(): Server;
  /** Gate and forward one call (exported for the bench and the VS Code integrator). */
  call(name: string, args: Record<string, unknown>, sessionId?: string): Promise<CallToolResult>;
  close(): Promise<void>;
}

export async function startProxy(o: ProxyOptions): Promise<Proxy> {
  const [cmd, ...args] = o.command;
  if (!cmd) throw new Error('--wrap needs the command of the MCP server to start');
  const cwd = o.cwd ?? o.workspaceRoots[0] ?? process.cwd();
  const transport = new StdioClientTransport({ command: cmd, args, cwd, stderr: 'inherit', ...(o.env ? { env: o.env } : {}) });
  const client = new Client({ name: 'airlock-proxy', version: '0.1.0' }, { capabilities: {} });
  await client.connect(transport);
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor && tools.length < 10_000);
  const byName = new Map(tools.map((t) => [t.name, t]));
  o.log(`wrapping ${o.serverName} (${tools.length} tools): ${tools.map((t) => t.name).join(', ')}`);

  const call = async (name: string, callArgs: Record<string, unknown>, sessionId = o.sessionId): Promise<CallToolResult> => {
    const trace = `mcp:${randomUUID()}`;
    if (!byName.has(name)) return toCallResult(failure('unknown_tool', `${o.serverName} has no tool named ${JSON.stringify(name)}`, trace, null));
    const action: McpAction = { kind: 'mcp', server: o.serverName, tool: name, args: callArgs, cwd, workspaceRoots: o.workspaceRoots.length ? o.workspaceRoots : [cwd] };
    const toolUseId = randomUUID();
    const toolName = `mcp__${o.serverName}__${name}`.slice(0, 256);
    const r = await o.gate.hook({ agent: MCP_AGENT, event: 'pre', sessionId, toolName, toolUseId, action, deadlineMs: o.askTimeoutMs ?? 120_000 });
    const decision: GateDecision = { decision: r.decision, reversibility: r.reversibility, reasons: r.reasons, rules: r.rules, stepId: r.stepId, runId: r.runId };
    if (r.decision !== 'allow') {
      const env: Envelope = failure('denied', `Airlock ${r.decision === 'ask' ? 'did not get an approval for' : 'denied'} ${o.serverName}/${name}: ${r.reasons.join('; ')}`, r.stepId || trace, decision, { retryable: awaitsPerson(r.reasons) });
      return { content: [{ type: 'text', text: JSON.stringify(env) }], isError: true };
    }
    const t0 = Date.now();
    let result: CallToolResult;
    let outcome: { exitCode?: number; error?: string };
    try {
      result = (await client.callTool({ name, arguments: callArgs }, CallToolResultSchema)) as CallToolResult;
      outcome = result.isError ? { exitCode: 1, error: textOf(result).slice(0, 16 * 1024) } : { exitCode: 0 };
    } catch (e) {
      const env: Envelope = failure('upstream_error', `${o.serverName}/${name} failed: ${(e as Error)?.message ?? String(e)}`, r.stepId || trace, decision, { retryable: false });
      result = { content: [{ type: 'text', text: JSON.stringify(env) }], isError: true };
      outcome = { error: env.ok ? '' : env.error.message.slice(0, 16 * 1024) };
    }
    await o.gate.hook({ agent: MCP_AGENT, event: 'post', sessionId, toolName, toolUseId, action, outcome: { ...outcome, durationMs: Date.now() - t0 }, deadlineMs: 5000 });
    return result;
  };

  const listed = tools.map((t) => ({ ...t, description: `${t.description ?? ''}\n\n[Gated by Airlock: calls are judged from their arguments; refused calls return an Airlock envelope {ok:false, error, traceId, decision}.]`.trim() }));
  const makeServer = (): Server => {
    const server = new Server({ name: `airlock-proxy:${o.serverName}`, version: '0.1.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
    server.setRequestHandler(CallToolRequestSchema, async (req, extra) => call(req.params.name, req.params.arguments ?? {}, extra.sessionId ? `http:${extra.sessionId}` : o.sessionId));
    return server;
  };
  return { tools, makeServer, call, close: () => client.close() };
}

function textOf(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
}
