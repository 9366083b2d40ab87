/**
 * Cline: an executable named after the event (PreToolUse / PostToolUse), input camelCase
 * {hookName, taskId, workspaceRoots, preToolUse: {toolName, parameters}} with string values.
 * Answer {"cancel": true, "errorMessage"}; no ask; fixed 30 s timeout. `use_mcp_tool` carries the
 * real server and tool (arguments as a JSON string).
 */
import { arr, check, def, num, obj, oneOf, opt, record, str, unknown } from '../../../core/check';
import { formatIssues, json, outcomeFrom, type Dialect, type ParseResult } from './dialect';

const Params = record;
const ClineInput = obj({
  hookName: oneOf(['PreToolUse', 'PostToolUse']),
  taskId: str(1, 256),
  workspaceRoots: def(arr(str(0, 4096), 64), () => []),
  preToolUse: opt(obj({ toolName: str(1, 256), parameters: def(Params, () => ({})) })),
  postToolUse: opt(obj({ toolName: str(1, 256), parameters: def(Params, () => ({})), result: unknown, success: unknown, executionTimeMs: opt(num()) })),
});

export const cline: Dialect = {
  agent: 'cline',
  defaultTimeoutMs: 30_000,
  hasAsk: false,
  parse(raw, env): ParseResult {
    const p = check(ClineInput, raw);
    if (!p.ok) return { ok: false, error: `not a Cline hook payload: ${formatIssues(p.issues)}` };
    const d = p.value;
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
      const a = check(Params, args);
      if (!a.ok) return { ok: false, error: 'not a Cline hook payload: use_mcp_tool arguments are not an object' };
      toolName = tool;
      toolInput = a.value;
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
