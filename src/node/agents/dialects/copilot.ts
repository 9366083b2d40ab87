/**
 * GitHub Copilot. In VS Code (agent hooks, preview) the input is Claude-like with camelCase keys in
 * tool_input and the output is Claude's hookSpecificOutput; Copilot CLI sends {timestamp, cwd,
 * toolName, toolArgs (a JSON string)} and reads a top-level permissionDecision. Both are accepted
 * and the answer carries both forms. Matchers are ignored by Copilot: the shim sees every tool.
 */
import { check, either, obj, opt, str, unknown } from '../../../core/check';
import { Loose, formatIssues, json, optStr, outcomeFrom, type Dialect, type ParseResult } from './dialect';

const CopilotInput = obj({
  session_id: optStr,
  sessionId: optStr,
  cwd: str(1, 4096),
  hook_event_name: optStr,
  hookEventName: optStr,
  tool_name: optStr,
  toolName: optStr,
  tool_input: opt(Loose),
  toolArgs: opt(either(str(0, 1024 * 1024), Loose)),
  tool_use_id: optStr,
  toolUseId: optStr,
  tool_response: unknown,
  toolResult: unknown,
});

function argsOf(v: string | Record<string, unknown> | undefined): Record<string, unknown> | string {
  if (v === undefined) return {};
  if (typeof v !== 'string') return v;
  try {
    const r = check(Loose, JSON.parse(v));
    return r.ok ? r.value : 'toolArgs is not a JSON object';
  } catch (e) {
    return `toolArgs is not JSON (${(e as Error).message})`;
  }
}

export const copilot: Dialect = {
  agent: 'copilot',
  defaultTimeoutMs: 30_000,
  hasAsk: true,
  parse(raw): ParseResult {
    const p = check(CopilotInput, raw);
    if (!p.ok) return { ok: false, error: `not a Copilot hook payload: ${formatIssues(p.issues)}` };
    const d = p.value;
    const toolName = d.tool_name ?? d.toolName;
    if (!toolName) return { ok: false, error: 'not a Copilot hook payload: no tool name' };
    const input = d.tool_input ?? argsOf(d.toolArgs);
    if (typeof input === 'string') return { ok: false, error: `not a Copilot hook payload: ${input}` };
    const event = d.hook_event_name ?? d.hookEventName ?? 'PreToolUse';
    if (!/^(PreToolUse|preToolUse|PostToolUse|postToolUse)$/.test(event)) return { ok: false, error: `unsupported Copilot hook event ${event}` };
    const post = /^post/i.test(event);
    const toolUseId = d.tool_use_id ?? d.toolUseId;
    return {
      ok: true,
      hook: {
        event: post ? 'post' : 'pre',
        sessionId: d.session_id ?? d.sessionId ?? `copilot:${d.cwd}`,
        toolName,
        toolInput: input,
        cwd: d.cwd,
        workspaceRoots: [d.cwd],
        ...(toolUseId ? { toolUseId } : {}),
        ...(post ? { outcome: outcomeFrom(d.tool_response ?? d.toolResult) } : {}),
      },
    };
  },
  answer(v) {
    return {
      stdout: json({ permissionDecision: v.decision, permissionDecisionReason: v.reason, hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: v.decision, permissionDecisionReason: v.reason } }),
      stderr: '',
      exitCode: 0,
    };
  },
};
