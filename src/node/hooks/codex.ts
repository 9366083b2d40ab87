/**
 * OpenAI Codex CLI (observed 0.169.0: exit 2 with a reason on stderr blocks). Claude-like input.
 * Strict output: `ask` is unsupported (the call would PROCEED), `allow` is only valid with
 * updatedInput, so allow = exit 0 and no output; deny = exit 2 + non-empty stderr.
 */
import { z } from 'zod';
import { Loose, formatZod, optStr, snakeHook, type Dialect, type ParseResult } from './dialect';

const CodexInput = z.object({
  session_id: z.string().min(1).max(256),
  cwd: z.string().min(1).max(4096),
  hook_event_name: z.enum(['PreToolUse', 'PostToolUse']),
  tool_name: z.string().min(1).max(256),
  tool_input: Loose.default({}),
  tool_use_id: optStr,
  call_id: optStr,
  tool_response: z.unknown().optional(),
});

export const codex: Dialect = {
  agent: 'codex',
  defaultTimeoutMs: 60_000,
  hasAsk: false,
  parse(raw): ParseResult {
    const p = CodexInput.safeParse(raw);
    if (!p.success) return { ok: false, error: `not a Codex hook payload: ${formatZod(p.error)}` };
    const d = p.data;
    return snakeHook(d, d.hook_event_name === 'PostToolUse', { toolUseId: d.tool_use_id ?? d.call_id });
  },
  answer(v) {
    if (v.decision === 'allow') return { stdout: '', stderr: '', exitCode: 0 };
    return { stdout: '', stderr: `${v.reason || 'denied by Airlock'}\n`, exitCode: 2 };
  },
};
