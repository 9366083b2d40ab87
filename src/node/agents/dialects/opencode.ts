/**
 * OpenCode (npm `opencode-ai`) and Kilo Code CLI (`@kilocode/cli`, an OpenCode fork): no hook
 * commands, in-process plugins. Airlock's plugin (core/hooks/plugins.ts) relays
 * `tool.execute.before({tool, sessionID, callID}, {args})` to this shim as
 * `{hook_event_name: "tool.execute.before", session_id, call_id, tool_name, tool_input, cwd}` and
 * `tool.execute.after` with `tool_response` (the tool's metadata). Tools: `bash {command,
 * description, workdir?}`, `edit {filePath, oldString, newString}`, `write {filePath, content}`,
 * `read {filePath}`, `glob`, `grep`, `list`, `webfetch`, `task`, `todowrite`, ….
 *
 * Answer `{"decision":"allow|deny","reason"}`; a deny also exits 2. The plugin throws on anything but
 * a clear allow, which stops that one call: OpenCode hands the error to the model and the session
 * goes on. No ask (OpenCode's own permission prompt comes after the plugin).
 */
import type { AgentName } from '../../../core/protocol/bridge';
import { check, def, obj, oneOf, str, unknown } from '../../../core/check';
import { Loose, decisionAnswer, formatIssues, optStr, snakeHook, type Dialect, type ParseResult } from './dialect';

const PluginInput = obj({
  hook_event_name: oneOf(['tool.execute.before', 'tool.execute.after']),
  session_id: str(1, 256),
  call_id: optStr,
  tool_name: str(1, 256),
  tool_input: def(Loose, () => ({})),
  cwd: str(1, 4096),
  tool_response: unknown,
});

function pluginDialect(agent: Extract<AgentName, 'opencode' | 'kilo'>, label: string): Dialect {
  return {
    agent,
    defaultTimeoutMs: 120_000,
    hasAsk: false,
    parse(raw): ParseResult {
      const p = check(PluginInput, raw);
      if (!p.ok) return { ok: false, error: `not a ${label} plugin payload: ${formatIssues(p.issues)}` };
      const d = p.value;
      // The plugin relays a Claude-shaped payload: the same reading, plus the plugin hook's name.
      const r = snakeHook(d, d.hook_event_name === 'tool.execute.after', { toolUseId: d.call_id });
      if (r.ok) r.hook.generation = d.hook_event_name;
      return r;
    },
    answer: (v) => decisionAnswer(v, 'denied by Airlock'),
  };
}

export const opencode = pluginDialect('opencode', 'OpenCode');
export const kilo = pluginDialect('kilo', 'Kilo Code');
