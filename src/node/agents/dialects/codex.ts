/**
 * OpenAI Codex CLI (observed 0.169.0: exit 2 with a reason on stderr blocks). Claude-like input.
 * Strict output: `ask` is unsupported (the call would PROCEED), `allow` is only valid with
 * updatedInput, so allow = exit 0 and no output; deny = exit 2 + non-empty stderr.
 */
import { check, def, obj, oneOf, str, unknown } from '../../../core/check';
import { Loose, formatIssues, optStr, snakeHook, type Dialect, type ParseResult } from './dialect';

const CodexInput = obj({
  session_id: str(1, 256),
  cwd: str(1, 4096),
  hook_event_name: oneOf(['PreToolUse', 'PostToolUse']),
  tool_name: str(1, 256),
  tool_input: def(Loose, () => ({})),
  tool_use_id: optStr,
  call_id: optStr,
  tool_response: unknown,
});

export const codex: Dialect = {
  agent: 'codex',
  defaultTimeoutMs: 60_000,
  hasAsk: false,
  parse(raw): ParseResult {
    const p = check(CodexInput, raw);
    if (!p.ok) return { ok: false, error: `not a Codex hook payload: ${formatIssues(p.issues)}` };
    const d = p.value;
    return snakeHook(d, d.hook_event_name === 'PostToolUse', { toolUseId: d.tool_use_id ?? d.call_id });
  },
  answer(v) {
    if (v.decision === 'allow') return { stdout: '', stderr: '', exitCode: 0 };
    return { stdout: '', stderr: `${v.reason || 'denied by Airlock'}\n`, exitCode: 2 };
  },
};
