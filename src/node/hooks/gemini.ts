/**
 * Gemini CLI: BeforeTool / AfterTool events, tools run_shell_command, write_file, replace,
 * read_file, mcp_<server>_<tool>. Answer {"decision":"allow|deny","reason"}; a deny also exits 2
 * with the reason on stderr (blocks either way). No ask. The hook timeout is a setting in ms.
 */
import { z } from 'zod';
import { Loose, formatZod, json, optStr, snakeHook, type Dialect, type ParseResult } from './dialect';

const GeminiInput = z.object({
  session_id: z.string().min(1).max(256),
  cwd: z.string().min(1).max(4096),
  hook_event_name: z.enum(['BeforeTool', 'AfterTool']),
  tool_name: z.string().min(1).max(256),
  tool_input: Loose.default({}),
  tool_response: z.unknown().optional(),
  tool_call_id: optStr,
});

export const gemini: Dialect = {
  agent: 'gemini',
  defaultTimeoutMs: 60_000,
  hasAsk: false,
  parse(raw): ParseResult {
    const p = GeminiInput.safeParse(raw);
    if (!p.success) return { ok: false, error: `not a Gemini CLI hook payload: ${formatZod(p.error)}` };
    const d = p.data;
    return snakeHook(d, d.hook_event_name === 'AfterTool', { toolUseId: d.tool_call_id });
  },
  answer(v) {
    const decision = v.decision === 'allow' ? 'allow' : 'deny';
    return { stdout: json({ decision, reason: v.reason }), stderr: decision === 'deny' ? `${v.reason}\n` : '', exitCode: decision === 'deny' ? 2 : 0 };
  },
};
