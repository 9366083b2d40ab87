/**
 * Hook payloads recorded from the real agents (the exact stdin their hook got, or for plugin agents
 * the exact arguments their plugin hook got), with the version they came from. `airlock hooks
 * status` drives each installed entry with these, so a status of OK means "this agent's current
 * payload gets through the shim", not "a payload Airlock made up does".
 *
 * Each entry is the same data as test/fixtures/hooks/<agent>-<version>.json (a unit test holds
 * them equal). `fill` says where the canary puts its own folder and command: every string equal to
 * `cwd` is replaced by the canary's folder, and each `command` path gets the probe command (`list`:
 * as a one-element array, `json-list`: that array as JSON text, as Cline's string parameters).
 */

export type FillAs = 'text' | 'list' | 'json-list';
export interface Recorded {
  agent: string;
  version: string;
  /** script | config: a hook command's stdin; plugin: the arguments of the plugin's hook function. */
  entry: 'config' | 'script' | 'plugin';
  payload: unknown;
  fill: { cwd: string; command: Array<{ path: Array<string | number>; as: FillAs }> };
  /** False for payloads taken from documentation (no runnable agent here). */
  live: boolean;
}

export const RECORDED: readonly Recorded[] = [
  {
    agent: 'cline',
    version: '3.0.65',
    entry: 'script',
    live: true,
    fill: { cwd: '/tmp/clh/proj', command: [{ path: ['tool_call', 'input', 'commands'], as: 'list' }, { path: ['preToolUse', 'parameters', 'commands'], as: 'json-list' }] },
    payload: {
      clineVersion: '',
      timestamp: '2026-12-04T14:47:38.121Z',
      taskId: 'conv_1796395657423_ep1plc8',
      sessionContext: { rootSessionId: '1796395655430_awmy5' },
      workspaceRoots: ['/tmp/clh/proj'],
      workspaceInfo: { rootPath: '/tmp/clh/proj', hint: 'proj' },
      userId: 'unknown',
      agent_id: 'agent_1796395657319_xnkycg',
      parent_agent_id: null,
      hookName: 'tool_call',
      iteration: 1,
      tool_call: { id: 'call_ls', name: 'run_commands', input: { commands: ['ls'] } },
      preToolUse: { toolName: 'run_commands', parameters: { commands: '["ls"]' } },
    },
  },
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function replaceStrings(v: Json, from: string, to: string): Json {
  if (typeof v === 'string') return v === from ? to : v;
  if (Array.isArray(v)) return v.map((x) => replaceStrings(x, from, to));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceStrings(x, from, to)]));
  return v;
}

/** The recorded payload with the canary's folder and command put in. */
export function fillRecorded(r: Recorded, cwd: string, command: string): unknown {
  const out = replaceStrings(JSON.parse(JSON.stringify(r.payload)) as Json, r.fill.cwd, cwd);
  for (const f of r.fill.command) {
    let at: Json = out;
    for (const k of f.path.slice(0, -1)) at = (at as Record<string, Json>)[k as string] as Json;
    const last = f.path[f.path.length - 1]!;
    const value: Json = f.as === 'text' ? command : f.as === 'list' ? [command] : JSON.stringify([command]);
    (at as Record<string, Json>)[last as string] = value;
  }
  return out;
}

export function recordedFor(agent: string, entry?: Recorded['entry']): Recorded | undefined {
  return RECORDED.find((r) => r.agent === agent && (entry === undefined || r.entry === entry));
}
