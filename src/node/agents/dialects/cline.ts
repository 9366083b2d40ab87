/**
 * Cline, in the two payload generations it sends (both accepted, both tested):
 *
 * - Cline 3.x (the CLI on npm and the SDK, observed with 3.0.65): `hookName: "tool_call"` (then
 *   `"tool_result"`), `tool_call: {id, name, input}` with the real input and
 *   `preToolUse: {toolName, parameters}` whose values are strings; tools `run_commands`,
 *   `read_files`, `editor`, `search_codebase`, `fetch_web_content`, ….
 * - The older hook-script generation (the Cline VS Code extension): `hookName: "PreToolUse"` /
 *   `"PostToolUse"` with `preToolUse: {toolName, parameters}` only; `use_mcp_tool` carries the real
 *   server and tool, its arguments as a JSON string.
 *
 * What a denial does (docs/agents.md, "Cline"): a hook script's `cancel` ends the WHOLE task, and a
 * script has no "skip this call" answer (Cline's JS plugins do, but Cline loads them in a sandbox
 * and carries on WITHOUT them when that takes over 4 s, observed here: not a gate). So:
 * - to a 3.x hook script: `overrideInput` replacing the call's input with `{"airlock_denied": …}`,
 *   which Cline's own built-in tools reject as invalid input (their schemas allow no other keys),
 *   so nothing runs, plus `context` so the model reads why; a tool whose schema Airlock does not
 *   know gets `cancel` (the task ends: fail closed);
 * - to the older generation: `cancel` with `errorMessage` (its only blocking answer);
 * - `cancel` for every generation when the person asked for the task to end (the kill switch).
 * No ask. Cline waits up to 120 s for a tool_call hook and lets the call through on a timeout, a
 * crash or output that is not JSON: the shim always answers, within 80% of that.
 */
import { join } from 'node:path';
import { arr, check, def, either, num, obj, oneOf, opt, record, str, unknown } from '../../../core/check';
import { formatIssues, json, outcomeFrom, type Answer, type Dialect, type ParseResult, type ParsedHook, type Verdict } from './dialect';

const Params = record;
const ToolUse = obj({ toolName: str(1, 256), parameters: def(Params, () => ({})) });
const ClineInput = obj({
  hookName: oneOf(['PreToolUse', 'PostToolUse', 'tool_call', 'tool_result']),
  taskId: str(1, 256),
  workspaceRoots: def(arr(str(0, 4096), 64), () => []),
  agent_id: opt(str(0, 256)),
  tool_call: opt(obj({ id: opt(str(0, 256)), name: str(1, 256), input: def(either(Params, unknown), () => ({})) })),
  tool_result: opt(obj({ id: opt(str(0, 256)), name: str(1, 256), input: unknown, output: unknown, error: unknown, durationMs: opt(num()) })),
  preToolUse: opt(ToolUse),
  postToolUse: opt(obj({ toolName: str(1, 256), parameters: def(Params, () => ({})), result: unknown, success: unknown, executionTimeMs: opt(num()) })),
});

/** Cline 3.x built-in tools whose input schemas forbid unknown keys: an `{"airlock_denied"}` input never runs. */
const STRICT_BUILTINS = new Set(['run_commands', 'read_files', 'editor', 'search_codebase', 'fetch_web_content']);

const asObject = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

export const cline: Dialect = {
  agent: 'cline',
  defaultTimeoutMs: 120_000,
  hasAsk: false,
  parse(raw, env): ParseResult {
    const p = check(ClineInput, raw);
    if (!p.ok) return { ok: false, error: `not a Cline hook payload: ${formatIssues(p.issues)}` };
    const d = p.value;
    const modern = d.hookName === 'tool_call' || d.hookName === 'tool_result';
    const post = d.hookName === 'PostToolUse' || d.hookName === 'tool_result';
    const roots = d.workspaceRoots.filter((r) => r.length > 0);
    const cwd = roots[0] ?? env.cwd;
    const base = { sessionId: d.taskId, cwd, workspaceRoots: roots.length ? roots : [cwd], generation: d.hookName };
    if (modern) {
      const call = post ? d.tool_result : d.tool_call;
      const legacy = post ? d.postToolUse : d.preToolUse;
      const toolName = call?.name ?? legacy?.toolName;
      if (!toolName) return { ok: false, error: `not a Cline hook payload: ${d.hookName} without ${post ? 'tool_result' : 'tool_call'}` };
      // The real input (tool_call.input); the string-valued parameters only when it is missing.
      const input = asObject(call?.input) ?? legacy?.parameters ?? {};
      const hook: ParsedHook = { event: post ? 'post' : 'pre', ...base, toolName, toolInput: input, ...(call?.id ? { toolUseId: call.id } : {}), ...(d.agent_id ? { subagentId: d.agent_id } : {}) };
      if (post) {
        const r = d.tool_result;
        const pt = d.postToolUse;
        hook.outcome = r ? outcomeFrom(r.output, r.error, r.error ? false : undefined, r.durationMs) : outcomeFrom(pt?.result, undefined, pt?.success, pt?.executionTimeMs);
      }
      return { ok: true, hook };
    }
    const call = post ? d.postToolUse : d.preToolUse;
    if (!call) return { ok: false, error: `not a Cline hook payload: ${d.hookName} without ${post ? 'postToolUse' : 'preToolUse'}` };
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
        ...base,
        toolName,
        toolInput,
        ...(mcpServer ? { mcpServer } : {}),
        ...(post && pt ? { outcome: outcomeFrom(pt.result, undefined, pt.success, pt.executionTimeMs) } : {}),
      },
    };
  },
  answer: clineAnswer,
};

export function clineAnswer(v: Verdict, hook?: ParsedHook): Answer {
  const out = (body: Record<string, unknown>): Answer => ({ stdout: json(body), stderr: '', exitCode: 0 });
  if (v.decision === 'allow') return out({ cancel: false });
  const reason = v.reason || 'denied by Airlock';
  if (v.stop) return out({ cancel: true, errorMessage: reason });
  switch (hook?.generation) {
    case 'tool_call':
      if (STRICT_BUILTINS.has(hook.toolName)) return out({ cancel: false, overrideInput: { airlock_denied: reason }, context: `Airlock denied the ${hook.toolName} call ${hook.toolUseId ?? ''}: ${reason}`.replace('  ', ' ') });
      return out({ cancel: true, errorMessage: reason });
    default:
      // The older generation, a malformed payload, or an internal error: the blocking answer.
      return out({ cancel: true, errorMessage: reason });
  }
}

/**
 * Where Cline 3.x keeps the session a hook payload belongs to: `<sessions dir>/<root>/<root>.messages.json`,
 * the sessions dir being `CLINE_SESSION_DATA_DIR`, else `CLINE_DATA_DIR`/sessions (Cline sets both for
 * `--data-dir`, and its hooks inherit them), else `~/.cline/data/sessions`. Its model calls' usage is
 * read from there (src/node/usage/transcripts.ts). Undefined when the payload names no root session.
 */
export function clineSessionFile(raw: unknown, env: NodeJS.ProcessEnv): string | undefined {
  const ctx = asObject(asObject(raw)?.sessionContext);
  const root = ctx?.rootSessionId;
  if (typeof root !== 'string' || !/^[A-Za-z0-9._-]{1,200}$/.test(root) || root === '.' || root === '..') return undefined;
  const dir = env.CLINE_SESSION_DATA_DIR?.trim() || (env.CLINE_DATA_DIR?.trim() ? join(env.CLINE_DATA_DIR.trim(), 'sessions') : env.HOME ? join(env.HOME, '.cline', 'data', 'sessions') : undefined);
  return dir && dir.startsWith('/') ? join(dir, root, `${root}.messages.json`) : undefined;
}
