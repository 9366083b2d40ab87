/**
 * Claude Code (observed with 2.1.197): PreToolUse / PostToolUse / PostToolUseFailure on stdin,
 * answer exit 0 + hookSpecificOutput.permissionDecision (allow | deny | ask). Copilot in VS Code
 * reads the same output (copilot.ts). Sub-agents add agent_id and agent_type.
 */
import { check, def, obj, oneOf, str, unknown } from '../../../core/check';
import { Loose, formatIssues, json, optStr, snakeHook, type Answer, type Dialect, type ParseResult, type Verdict } from './dialect';

export const ClaudeInput = obj({
  session_id: str(1, 256),
  cwd: str(1, 4096),
  hook_event_name: oneOf(['PreToolUse', 'PostToolUse', 'PostToolUseFailure']),
  tool_name: str(1, 256),
  tool_input: def(Loose, () => ({})),
  tool_use_id: optStr,
  agent_id: optStr,
  agent_type: optStr,
  tool_response: unknown,
  error: unknown,
});

/**
 * A payload in Claude Code's scheme (also Qwen Code's, which sends no sub-agent ids): `label` names
 * the agent in the error, `subagents` reads agent_id / agent_type.
 */
export function parseClaudeShaped(raw: unknown, label: string, subagents: boolean): ParseResult {
  const p = check(ClaudeInput, raw);
  if (!p.ok) return { ok: false, error: `not a ${label} hook payload: ${formatIssues(p.issues)}` };
  const d = p.value;
  const post = d.hook_event_name !== 'PreToolUse';
  const error = d.hook_event_name === 'PostToolUseFailure' ? (d.error ?? 'tool failed') : undefined;
  const sub = subagents ? { subagentId: d.agent_id, subagentType: d.agent_id ? d.agent_type : undefined } : {};
  return snakeHook(d, post, { toolUseId: d.tool_use_id, ...sub, error });
}

/** Claude Code's `hookSpecificOutput` for a PreToolUse answer. */
export const permissionOutput = (decision: string, reason: string) => ({ hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: reason });

export function permissionAnswer(v: Verdict): Answer {
  return { stdout: json({ hookSpecificOutput: permissionOutput(v.decision, v.reason) }), stderr: '', exitCode: 0 };
}

export const claude: Dialect = {
  agent: 'claude',
  defaultTimeoutMs: 60_000,
  hasAsk: true,
  parse: (raw) => parseClaudeShaped(raw, 'Claude Code', true),
  answer: permissionAnswer,
};
