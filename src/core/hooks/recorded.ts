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
    agent: 'kilo',
    version: '7.7.7',
    entry: 'plugin',
    live: true,
    fill: { cwd: '', command: [{ path: ['output', 'args', 'command'], as: 'text' }] },
    payload: {"input": {"tool": "bash", "sessionID": "ses_dbe3eb9e4ffe94nwtG5XIyeDdr", "callID": "call_rec"}, "output": {"args": {"command": "ls", "description": "list files"}}},
  },
  {
    agent: 'qwen',
    version: '0.24.4',
    entry: 'config',
    live: true,
    fill: { cwd: "/tmp/airlock-qwen-xX4Fnc/proj", command: [{ path: ['tool_input', 'command'], as: 'text' }] },
    payload: {"session_id": "105c0124-332c-4cda-968a-25f3cf508a43", "transcript_path": "/tmp/airlock-qwen-xX4Fnc/home/.qwen/projects/-tmp-airlock-qwen-xX4Fnc-proj/chats/105c0124-332c-4cda-968a-25f3cf508a43.jsonl", "cwd": "/tmp/airlock-qwen-xX4Fnc/proj", "hook_event_name": "PreToolUse", "timestamp": "2026-12-04T15:49:52.560Z", "permission_mode": "yolo", "tool_name": "run_shell_command", "tool_input": {"command": "rm -rf /tmp/airlock-qwen-xX4Fnc/home/victim", "description": "remove the folder"}, "tool_use_id": "toolu_1796399392559_eca2yn025"},
  },

  {
    agent: 'opencode',
    version: '1.18.33',
    entry: 'plugin',
    live: true,
    fill: { cwd: '', command: [{ path: ['output', 'args', 'command'], as: 'text' }] },
    payload: {"input": {"tool": "bash", "sessionID": "ses_dbe40811effegF2pq19dJRh7kh", "callID": "call_rec"}, "output": {"args": {"command": "ls", "description": "list files"}}},
  },
  {
    agent: 'claude',
    version: '2.1.197',
    entry: 'config',
    live: true,
    fill: { cwd: "/tmp/rec-cc-dytoqi/proj", command: [{ path: ['tool_input', 'command'], as: 'text' }] },
    payload: {"session_id": "c905a4fc-d87c-4040-aab4-48d37fa49ed2", "transcript_path": "/tmp/rec-cc-dytoqi/home/.claude/projects/-tmp-rec-cc-dytoqi-proj/c905a4fc-d87c-4040-aab4-48d37fa49ed2.jsonl", "cwd": "/tmp/rec-cc-dytoqi/proj", "prompt_id": "cac17644-9789-492b-a931-41f70beefb53", "permission_mode": "bypassPermissions", "effort": {"level": "high"}, "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls", "description": "list"}, "tool_use_id": "toolu_rec"},
  },
  {
    agent: 'codex',
    version: '0.169.0',
    entry: 'config',
    live: true,
    fill: { cwd: "/tmp/rec-cc-dytoqi/proj", command: [{ path: ['tool_input', 'command'], as: 'text' }] },
    payload: {"session_id": "01a241b9-9c6f-76c2-9cd0-3e83c71c7fb9", "turn_id": "01a241b9-9f36-7891-b84e-db78a11325b7", "transcript_path": "/tmp/rec-cc-dytoqi/chome/.codex/sessions/2026/12/04/rollout-2026-12-04T15-43-33-01a241b9-9c6f-76c2-9cd0-3e83c71c7fb9.jsonl", "cwd": "/tmp/rec-cc-dytoqi/proj", "hook_event_name": "PreToolUse", "model": "gpt-mock", "permission_mode": "bypassPermissions", "tool_name": "Bash", "tool_input": {"command": "ls"}, "tool_use_id": "call_rec"},
  },
  {
    agent: 'copilot',
    version: '1.0.102',
    entry: 'config',
    live: true,
    fill: { cwd: "/tmp/airlock-copilot-h3RJVZ/proj", command: [{ path: ['toolArgs', 'command'], as: 'text' }] },
    payload: {"sessionId": "6bf83496-157c-48a8-8748-3a267386d276", "timestamp": 1796398691548, "cwd": "/tmp/airlock-copilot-h3RJVZ/proj", "toolName": "bash", "toolArgs": {"command": "rm -rf /tmp/airlock-copilot-h3RJVZ/home/victim", "description": "remove the folder"}},
  },
  {
    agent: 'gemini',
    version: '0.61.0',
    entry: 'config',
    live: true,
    fill: { cwd: "/tmp/airlock-gemini-qYeuSN/proj", command: [{ path: ['tool_input', 'command'], as: 'text' }] },
    payload: {"session_id": "e44e7294-05cd-4fe1-b1ca-0f85e16451b5", "transcript_path": "/tmp/airlock-gemini-qYeuSN/home/.gemini/tmp/proj/chats/session-2026-12-04T15-39-e44e7294.jsonl", "cwd": "/tmp/airlock-gemini-qYeuSN/proj", "hook_event_name": "BeforeTool", "timestamp": "2026-12-04T15:39:26.272Z", "tool_name": "run_shell_command", "tool_input": {"command": "rm -rf /tmp/airlock-gemini-qYeuSN/home/victim", "description": "remove the folder"}},
  },

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
