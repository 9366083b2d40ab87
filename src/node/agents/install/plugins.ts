/**
 * The plugin files Airlock installs into agents that gate tools through in-process JS plugins
 * rather than hook commands: OpenCode (`~/.config/opencode/plugins/airlock.js`) and Kilo Code CLI
 * (an OpenCode fork, `~/.config/kilo/plugins/airlock.js`), whose `tool.execute.before` throws to
 * stop a call. (Cline 3.x has plugins too, but loads them in a sandbox that it gives up on after
 * 4 s, continuing WITHOUT them: Airlock gates Cline through its hook script instead.)
 *
 * Every plugin is a thin relay: it runs Airlock's shim (absolute node + absolute dist/hook.js, no
 * shell) with one JSON payload on stdin and turns the shim's answer into the agent's own verdict.
 * The judging stays in the shim and the gate. Anything but a clear allow (no answer in time, a
 * crash, output that is not JSON) stops the call: the plugin fails closed.
 *
 * Text in, text out (kept out of src/core: the text it makes is node code). The installer writes
 * these files; a marker line identifies Airlock's.
 */

export type PluginAgent = 'opencode' | 'kilo';

export const PLUGIN_MARKER_PREFIX = '// airlock-plugin: managed by `airlock hooks install';
export const pluginMarker = (agent: PluginAgent): string => `${PLUGIN_MARKER_PREFIX} ${agent}\`; remove with \`airlock hooks uninstall ${agent}\``;

/** How long a plugin waits for the shim (the shim answers before its own --timeout-ms). */
export const PLUGIN_TIMEOUT_MS = 120_000;

/** The relay every plugin shares (CommonJS-free: only `spawn` comes from outside). */
function relay(argv: readonly string[]): string {
  return `const AIRLOCK_HOOK = ${JSON.stringify(argv)};
const AIRLOCK_TIMEOUT_MS = ${PLUGIN_TIMEOUT_MS + 5_000};

/** Runs Airlock's shim with one payload; resolves {code, json} (json undefined when not JSON). */
function airlockAsk(payload) {
  return new Promise((resolve) => {
    let out = '';
    let done = false;
    const finish = (code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      let parsed;
      try {
        const line = out.trim().split('\\n').reverse().find((l) => l.trim().startsWith('{'));
        parsed = line ? JSON.parse(line) : undefined;
      } catch {
        parsed = undefined;
      }
      resolve({ code, json: parsed });
    };
    let child;
    try {
      child = spawn(AIRLOCK_HOOK[0], AIRLOCK_HOOK.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
    } catch (e) {
      resolve({ code: null, json: undefined, error: String(e) });
      return;
    }
    const timer = setTimeout(() => {
      try { child.kill('SIGKILL'); } catch {}
      finish(null);
    }, AIRLOCK_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', () => finish(null));
    child.on('close', (code) => finish(code));
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(payload));
  });
}
`;
}

/** OpenCode / Kilo plugin (an ES module exporting one plugin function). */
export function opencodePluginSource(agent: PluginAgent, argv: readonly string[]): string {
  return `${pluginMarker(agent)}
// Every tool call is judged by Airlock before it runs (and before ${agent === 'kilo' ? 'Kilo' : 'OpenCode'}'s own permission check). A
// denied call throws: the model reads the reason as the tool's error and the session goes on.
import { spawn } from 'node:child_process';
${relay(argv)}
export const AirlockPlugin = async (ctx) => {
  const cwd = (ctx && ctx.directory) || process.cwd();
  return {
    'tool.execute.before': async (input, output) => {
      const a = await airlockAsk({
        hook_event_name: 'tool.execute.before', session_id: input.sessionID, call_id: input.callID,
        tool_name: input.tool, tool_input: (output && output.args) || {}, cwd,
      });
      const j = a.json;
      if (a.code === 0 && j && j.decision === 'allow') return;
      throw new Error((j && j.reason) || 'Airlock: the hook gave no answer (denied)');
    },
    'tool.execute.after': async (input, output) => {
      await airlockAsk({
        hook_event_name: 'tool.execute.after', session_id: input.sessionID, call_id: input.callID,
        tool_name: input.tool, tool_input: {}, cwd, tool_response: (output && output.metadata) || {},
      });
    },
  };
};
`;
}

export function pluginSource(agent: PluginAgent, argv: readonly string[]): string {
  return opencodePluginSource(agent, argv);
}

/** The shim argv inside a plugin written by Airlock, or undefined when the file is not Airlock's. */
export function pluginArgv(text: string, agent: PluginAgent): string[] | undefined {
  if (!text.startsWith(pluginMarker(agent))) return undefined;
  const m = /^const AIRLOCK_HOOK = (\[.*\]);$/m.exec(text);
  if (!m) return undefined;
  try {
    const v = JSON.parse(m[1]!) as unknown;
    return Array.isArray(v) && v.length >= 3 && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}
