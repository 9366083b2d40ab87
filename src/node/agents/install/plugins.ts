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
 * Usage: the plugin also listens to the agent's events and, for every finished model call (a
 * `step-finish` part: tokens, cost), posts one OpenTelemetry GenAI span (OTLP/JSON, service.name
 * `opencode` / `kilo`) to Airlock's OTLP receiver at the endpoint known at install time: the run's
 * tokens and cost arrive like Claude Code's telemetry (src/node/usage/otlp/extract.ts). A span is
 * keyed by the part's id, so a re-sent one merges. It never blocks or fails a call: no receiver, no
 * usage. Token convention: OpenCode's `tokens.input` excludes the cache reads and writes (the span's
 * gen_ai.usage.input_tokens includes them, as the semantic conventions ask); reasoning is billed as
 * output.
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

/** The usage reporter every OpenCode-family plugin shares: one OTLP/JSON GenAI span per model call. */
function usageReporter(agent: PluginAgent, otlpEndpoint: string | undefined): string {
  return `const AIRLOCK_OTLP = ${JSON.stringify(otlpEndpoint ?? null)};

/** One finished model call (a step-finish part) to Airlock's OTLP receiver. Never throws. */
async function airlockUsage(part, model) {
  if (!AIRLOCK_OTLP || !part || typeof part.sessionID !== 'string' || typeof part.id !== 'string') return;
  const n = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0);
  const t = part.tokens || {};
  const c = t.cache || {};
  const int = (key, v) => ({ key, value: { intValue: String(v) } });
  const attributes = [
    { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
    { key: 'gen_ai.conversation.id', value: { stringValue: part.sessionID } },
    int('gen_ai.usage.input_tokens', n(t.input) + n(c.read) + n(c.write)),
    int('gen_ai.usage.output_tokens', n(t.output) + n(t.reasoning)),
    int('gen_ai.usage.cache_read.input_tokens', n(c.read)),
    int('gen_ai.usage.cache_creation.input_tokens', n(c.write)),
  ];
  if (typeof model === 'string' && model) attributes.push({ key: 'gen_ai.request.model', value: { stringValue: model } });
  if (typeof part.cost === 'number' && Number.isFinite(part.cost) && part.cost >= 0) attributes.push({ key: 'gen_ai.usage.cost', value: { doubleValue: part.cost } });
  const id = createHash('sha256').update(part.sessionID + '\\0' + part.id).digest('hex');
  const now = String(BigInt(Date.now()) * 1000000n);
  const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: ${JSON.stringify(agent)} } }] }, scopeSpans: [{ scope: { name: 'airlock-plugin' }, spans: [{ traceId: id.slice(0, 32), spanId: id.slice(32, 48), name: 'chat ' + (model || ''), kind: 3, startTimeUnixNano: now, endTimeUnixNano: now, attributes }] }] }] };
  try {
    await fetch(AIRLOCK_OTLP + '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(3000) });
  } catch {}
}
`;
}

/** OpenCode / Kilo plugin (an ES module exporting one plugin function). */
export function opencodePluginSource(agent: PluginAgent, argv: readonly string[], otlpEndpoint?: string): string {
  return `${pluginMarker(agent)}
// Every tool call is judged by Airlock before it runs (and before ${agent === 'kilo' ? 'Kilo' : 'OpenCode'}'s own permission check). A
// denied call throws: the model reads the reason as the tool's error and the session goes on.
// Every finished model call's tokens and cost go to Airlock's usage receiver.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
${relay(argv)}${usageReporter(agent, otlpEndpoint)}
export const AirlockPlugin = async (ctx) => {
  const cwd = (ctx && ctx.directory) || process.cwd();
  const models = new Map();
  const reported = new Set();
  return {
    event: async ({ event }) => {
      const p = (event && event.properties) || {};
      if (event && event.type === 'message.updated' && p.info && p.info.role === 'assistant' && typeof p.info.modelID === 'string') {
        models.set(p.info.id, p.info.modelID);
        return;
      }
      if (!event || event.type !== 'message.part.updated' || !p.part || p.part.type !== 'step-finish' || reported.has(p.part.id)) return;
      reported.add(p.part.id);
      await airlockUsage(p.part, models.get(p.part.messageID));
    },
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

export function pluginSource(agent: PluginAgent, argv: readonly string[], otlpEndpoint?: string): string {
  return opencodePluginSource(agent, argv, otlpEndpoint);
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
