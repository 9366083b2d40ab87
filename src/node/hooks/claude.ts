/**
 * Claude Code (observed with 2.1.197): PreToolUse / PostToolUse / PostToolUseFailure on stdin,
 * answer exit 0 + hookSpecificOutput.permissionDecision (allow | deny | ask). Copilot in VS Code
 * reads the same output (copilot.ts). Sub-agents add agent_id.
 */
import { z } from 'zod';
import { Loose, formatZod, json, optStr, snakeHook, type Answer, type Dialect, type ParseResult, type Verdict } from './dialect';

export const ClaudeInput = z.object({
  session_id: z.string().min(1).max(256),
  cwd: z.string().min(1).max(4096),
  hook_event_name: z.enum(['PreToolUse', 'PostToolUse', 'PostToolUseFailure']),
  tool_name: z.string().min(1).max(256),
  tool_input: Loose.default({}),
  tool_use_id: optStr,
  agent_id: optStr,
  tool_response: z.unknown().optional(),
  error: z.unknown().optional(),
});

export function permissionAnswer(v: Verdict): Answer {
  return {
    stdout: json({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: v.decision, permissionDecisionReason: v.reason } }),
    stderr: '',
    exitCode: 0,
  };
}

export const claude: Dialect = {
  agent: 'claude',
  defaultTimeoutMs: 60_000,
  hasAsk: true,
  parse(raw): ParseResult {
    const p = ClaudeInput.safeParse(raw);
    if (!p.success) return { ok: false, error: `not a Claude Code hook payload: ${formatZod(p.error)}` };
    const d = p.data;
    const post = d.hook_event_name !== 'PreToolUse';
    const error = d.hook_event_name === 'PostToolUseFailure' ? (d.error ?? 'tool failed') : undefined;
    return snakeHook(d, post, { toolUseId: d.tool_use_id, subagentId: d.agent_id, error });
  },
  answer: permissionAnswer,
};
