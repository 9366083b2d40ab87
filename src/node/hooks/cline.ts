/**
 * Cline: an executable named after the event (PreToolUse / PostToolUse), input camelCase
 * {hookName, taskId, workspaceRoots, preToolUse: {toolName, parameters}} with string values.
 * Answer {"cancel": true, "errorMessage"}; no ask; fixed 30 s timeout. `use_mcp_tool` carries the
 * real server and tool (arguments as a JSON string).
 */
import { z } from 'zod';
import { formatZod, json, outcomeFrom, type Dialect, type ParseResult } from './dialect';

const Params = z.record(z.string(), z.unknown());
const ClineInput = z.object({
  hookName: z.enum(['PreToolUse', 'PostToolUse']),
  taskId: z.string().min(1).max(256),
  workspaceRoots: z.array(z.string().max(4096)).max(64).default([]),
  preToolUse: z.object({ toolName: z.string().min(1).max(256), parameters: Params.default({}) }).optional(),
  postToolUse: z
    .object({ toolName: z.string().min(1).max(256), parameters: Params.default({}), result: z.unknown().optional(), success: z.unknown().optional(), executionTimeMs: z.number().optional() })
    .optional(),
});

export const cline: Dialect = {
  agent: 'cline',
  defaultTimeoutMs: 30_000,
  hasAsk: false,
  parse(raw, env): ParseResult {
    const p = ClineInput.safeParse(raw);
    if (!p.success) return { ok: false, error: `not a Cline hook payload: ${formatZod(p.error)}` };
    const d = p.data;
    const post = d.hookName === 'PostToolUse';
    const call = post ? d.postToolUse : d.preToolUse;
    if (!call) return { ok: false, error: `not a Cline hook payload: ${d.hookName} without ${post ? 'postToolUse' : 'preToolUse'}` };
    const roots = d.workspaceRoots.filter((r) => r.length > 0);
    const cwd = roots[0] ?? env.cwd;
    let toolName = call.toolName;
    let toolInput: Record<string, unknown> = call.parameters;
    let mcpServer: string | undefined;
    if (toolName === 'use_mcp_tool') {
      const server = call.parameters.server_name;
      const tool = call.parameters.tool_name;
      if (typeof server !== 'string' || typeof tool !== 'string' || !server || !tool) return { ok: false, error: 'not a Cline hook payload: use_mcp_tool without server_name/tool_name' };
      let args: unknown = {};
      try {
        args = typeof call.parameters.arguments === 'string' && call.parameters.arguments ? JSON.parse(call.parameters.arguments) : {};
      } catch (e) {
        return { ok: false, error: `not a Cline hook payload: use_mcp_tool arguments are not JSON (${(e as Error).message})` };
      }
      const a = Params.safeParse(args);
      if (!a.success) return { ok: false, error: 'not a Cline hook payload: use_mcp_tool arguments are not an object' };
      toolName = tool;
      toolInput = a.data;
      mcpServer = server;
    }
    const pt = d.postToolUse;
    return {
      ok: true,
      hook: {
        event: post ? 'post' : 'pre',
        sessionId: d.taskId,
        toolName,
        toolInput,
        cwd,
        workspaceRoots: roots.length ? roots : [cwd],
        ...(mcpServer ? { mcpServer } : {}),
        ...(post && pt ? { outcome: outcomeFrom(pt.result, undefined, pt.success, pt.executionTimeMs) } : {}),
      },
    };
  },
  answer(v) {
    if (v.decision === 'allow') return { stdout: json({ cancel: false }), stderr: '', exitCode: 0 };
    return { stdout: json({ cancel: true, errorMessage: v.reason }), stderr: '', exitCode: 0 };
  },
};
