/**
 * Gemini CLI: BeforeTool / AfterTool events, tools run_shell_command, write_file, replace,
 * read_file, mcp_<server>_<tool>. Answer {"decision":"allow|deny","reason"}; a deny also exits 2
 * with the reason on stderr (blocks either way). No ask. The hook timeout is a setting in ms.
 */
import { check, def, obj, oneOf, str, unknown } from '../../../core/check';
import { Loose, decisionAnswer, formatIssues, optStr, snakeHook, type Dialect, type ParseResult } from './dialect';

const GeminiInput = obj({
  session_id: str(1, 256),
  cwd: str(1, 4096),
  hook_event_name: oneOf(['BeforeTool', 'AfterTool']),
  tool_name: str(1, 256),
  tool_input: def(Loose, () => ({})),
  tool_response: unknown,
  tool_call_id: optStr,
});

export const gemini: Dialect = {
  agent: 'gemini',
  defaultTimeoutMs: 60_000,
  hasAsk: false,
  parse(raw): ParseResult {
    const p = check(GeminiInput, raw);
    if (!p.ok) return { ok: false, error: `not a Gemini CLI hook payload: ${formatIssues(p.issues)}` };
    const d = p.value;
    return snakeHook(d, d.hook_event_name === 'AfterTool', { toolUseId: d.tool_call_id });
  },
  answer: (v) => decisionAnswer(v),
};
