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
import { json, type Dialect } from './dialect';
import { parseClaudeShaped, permissionOutput } from './claude';

export const qwen: Dialect = {
  agent: 'qwen',
  defaultTimeoutMs: 60_000,
  hasAsk: false,
  // Claude Code's payload (Qwen Code sends no sub-agent ids).
  parse: (raw) => parseClaudeShaped(raw, 'Qwen Code', false),
  answer(v) {
    const decision = v.decision === 'allow' ? 'allow' : 'deny';
    const body = { decision, reason: v.reason, hookSpecificOutput: permissionOutput(decision, v.reason) };
    return { stdout: json(body), stderr: decision === 'deny' ? `${v.reason}\n` : '', exitCode: decision === 'deny' ? 2 : 0 };
  },
};
