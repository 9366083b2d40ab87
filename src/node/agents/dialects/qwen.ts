/**
 * Qwen Code (npm `@qwen-code/qwen-code`, a Gemini CLI fork whose hooks follow Claude Code's scheme):
 * `PreToolUse` / `PostToolUse` in `~/.qwen/settings.json`, payload `{session_id, transcript_path,
 * cwd, hook_event_name, timestamp, permission_mode, tool_name, tool_input, tool_use_id}` with Gemini's
 * tool names (`run_shell_command`, `read_file`, `write_file`, `edit`, `glob`, `grep_search`, …).
 *
 * Answer: Claude's `hookSpecificOutput.permissionDecision` plus a top-level `decision`; a deny also
 * exits 2 with the reason on stderr (each of the three blocks). Qwen Code lets a call through when
 * a hook crashes or times out, so the shim answers before the configured timeout. No ask.
 */
import { check, def, obj, oneOf, str, unknown } from '../../../core/check';
import { Loose, formatIssues, json, optStr, snakeHook, type Dialect, type ParseResult } from './dialect';

const QwenInput = obj({
  session_id: str(1, 256),
  cwd: str(1, 4096),
  hook_event_name: oneOf(['PreToolUse', 'PostToolUse', 'PostToolUseFailure']),
  tool_name: str(1, 256),
  tool_input: def(Loose, () => ({})),
  tool_use_id: optStr,
  tool_response: unknown,
  error: unknown,
});

export const qwen: Dialect = {
  agent: 'qwen',
  defaultTimeoutMs: 60_000,
  hasAsk: false,
  parse(raw): ParseResult {
    const p = check(QwenInput, raw);
    if (!p.ok) return { ok: false, error: `not a Qwen Code hook payload: ${formatIssues(p.issues)}` };
    const d = p.value;
    const post = d.hook_event_name !== 'PreToolUse';
    return snakeHook(d, post, { toolUseId: d.tool_use_id, error: d.hook_event_name === 'PostToolUseFailure' ? (d.error ?? 'tool failed') : undefined });
  },
  answer(v) {
    const decision = v.decision === 'allow' ? 'allow' : 'deny';
    const body = { decision, reason: v.reason, hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: v.reason } };
    return { stdout: json(body), stderr: decision === 'deny' ? `${v.reason}\n` : '', exitCode: decision === 'deny' ? 2 : 0 };
  },
};
