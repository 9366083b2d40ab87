/**
 * The canary: a known-destructive probe (`rm -rf ~`) in each agent's own hook payload format, and
 * the test of the hook's answer in that agent's dialect. An installed hook that does not come back
 * denied is BROKEN: the agent would let the real thing through.
 */
import type { Agent } from './installEntries';
import { fillRecorded, recordedFor, type Recorded } from './recorded';

export const CANARY_COMMAND = 'rm -rf ~';
/**
 * The control probe: a read-only command that must NOT come back denied (unless the kill switch is
 * latched). A hook that blocks everything (a crashing shim exiting 2, a wrong command) passes the
 * destructive probe for the wrong reason; the control exposes it.
 */
export const READ_PROBE_COMMAND = 'ls';

/** Where a canary payload came from: a recording of the agent (with its version) or its documentation. */
export interface CanarySource {
  payload: unknown;
  /** e.g. "cline 3.0.65 (recorded)" or "cursor (documentation)". */
  checkedAgainst: string;
}

/**
 * The payload the agent itself sends for a shell call running `command`: the recorded one when
 * Airlock has a recording of this agent's entry (hook command or plugin), else the documented shape.
 * `override` replaces the recording (tests feed a payload from another version this way).
 */
export function canarySource(agent: Agent, entry: Recorded['entry'], cwd: string, command: string = CANARY_COMMAND, override?: Recorded): CanarySource {
  const r = override ?? recordedFor(agent, entry);
  if (r) return { payload: fillRecorded(r, cwd, command), checkedAgainst: `${r.agent} ${r.version} (${r.live ? 'recorded from the real agent' : 'from documentation'})` };
  return { payload: canaryPayload(agent, cwd, command), checkedAgainst: `${agent} (documented payload: no recording)` };
}

/** The documented stdin payload for a shell call running CANARY_COMMAND (used when nothing was recorded). */
export function canaryPayload(agent: Agent, cwd: string, command: string = CANARY_COMMAND): Record<string, unknown> {
  const session = 'airlock-canary';
  switch (agent) {
    case 'qwen':
      return { session_id: session, transcript_path: '', cwd, hook_event_name: 'PreToolUse', timestamp: new Date(0).toISOString(), permission_mode: 'yolo', tool_name: 'run_shell_command', tool_input: { command, description: 'canary' }, tool_use_id: 'call_airlock_canary' };
    case 'opencode':
    case 'kilo':
      return { input: { tool: 'bash', sessionID: session, callID: 'call_airlock_canary' }, output: { args: { command, description: 'canary' } } };
    case 'claude':
    case 'codex':
      return {
        session_id: session,
        transcript_path: '',
        cwd,
        hook_event_name: 'PreToolUse',
        permission_mode: 'default',
        tool_name: 'Bash',
        tool_input: { command: command },
        tool_use_id: 'toolu_airlock_canary',
      };
    case 'copilot':
      // Copilot CLI format: {timestamp, cwd, toolName, toolArgs} (toolArgs is a JSON string).
      return { timestamp: 0, cwd, toolName: 'bash', toolArgs: JSON.stringify({ command: command }) };
    case 'cursor':
      return { conversation_id: session, generation_id: session, hook_event_name: 'beforeShellExecution', command, cwd, workspace_roots: [cwd] };
    case 'gemini':
      return { session_id: session, transcript_path: '', cwd, hook_event_name: 'BeforeTool', timestamp: new Date(0).toISOString(), tool_name: 'run_shell_command', tool_input: { command: command } };
    case 'cline':
      return { clineVersion: '0', hookName: 'PreToolUse', timestamp: '0', taskId: session, workspaceRoots: [cwd], userId: '', preToolUse: { toolName: 'execute_command', parameters: { command: command } } };
  }
}

export interface HookAnswer {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface CanaryVerdict {
  denied: boolean;
  detail: string;
}

function parseLastJson(stdout: string): Record<string, unknown> | undefined {
  const t = stdout.trim();
  if (!t) return undefined;
  for (const candidate of [t, t.split('\n').reverse().find((l) => l.trim().startsWith('{')) ?? '']) {
    try {
      const v = JSON.parse(candidate) as unknown;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* try the next candidate */
    }
  }
  return undefined;
}

/** Did the hook block the probe, in the way this agent understands blocking? */
export function judgeCanary(agent: Agent, a: HookAnswer): CanaryVerdict {
  if (a.timedOut) return { denied: false, detail: 'the hook timed out (the agent would let the call through)' };
  const out = parseLastJson(a.stdout);
  const reason = (s: unknown) => (typeof s === 'string' && s.length > 0 ? `: ${s}` : '');
  // A plugin run by the canary runner reports whether the plugin stopped the call.
  if (out && out.airlockPluginRun === true) {
    if (out.error) return { denied: false, detail: `the plugin did not run: ${String(out.error)}` };
    return out.blocked === true ? { denied: true, detail: `blocked${reason(out.reason)}` } : { denied: false, detail: 'the plugin let the call run' };
  }
  // Exit 2 blocks for every agent except Cline (which reads only its JSON).
  if (a.exitCode === 2 && agent !== 'cline' && agent !== 'opencode' && agent !== 'kilo') {
    if (agent === 'codex' && a.stderr.trim() === '') return { denied: false, detail: 'exit 2 without a reason on stderr (Codex ignores it)' };
    return { denied: true, detail: `exit 2${reason(a.stderr.trim().split('\n')[0])}` };
  }
  if (a.exitCode !== 0) return { denied: false, detail: `exit code ${a.exitCode} (not a blocking answer)` };
  if (!out) return { denied: false, detail: 'no JSON answer on stdout' };
  switch (agent) {
    case 'claude':
    case 'codex': {
      const h = out.hookSpecificOutput as Record<string, unknown> | undefined;
      const d = h?.permissionDecision;
      if (d === 'deny' && (agent !== 'codex' || (typeof h?.permissionDecisionReason === 'string' && h.permissionDecisionReason !== ''))) {
        return { denied: true, detail: `deny${reason(h?.permissionDecisionReason)}` };
      }
      if (agent === 'claude' && (out.decision === 'block' || out.continue === false)) return { denied: true, detail: `block${reason(out.reason)}` };
      return { denied: false, detail: `answered ${JSON.stringify(d ?? out)}` };
    }
    case 'copilot': {
      const d = out.permissionDecision ?? (out.hookSpecificOutput as Record<string, unknown> | undefined)?.permissionDecision;
      return d === 'deny' ? { denied: true, detail: `deny${reason(out.permissionDecisionReason)}` } : { denied: false, detail: `answered ${JSON.stringify(d ?? out)}` };
    }
    case 'cursor':
      return out.permission === 'deny' ? { denied: true, detail: `deny${reason(out.agent_message ?? out.user_message)}` } : { denied: false, detail: `answered ${JSON.stringify(out.permission ?? out)}` };
    case 'gemini':
      return out.decision === 'deny' || out.decision === 'block' ? { denied: true, detail: `deny${reason(out.reason)}` } : { denied: false, detail: `answered ${JSON.stringify(out.decision ?? out)}` };
    case 'cline': {
      // cancel (ends the task), or overrideInput replacing the call with one that cannot run.
      if (out.cancel === true) return { denied: true, detail: `cancel${reason(out.errorMessage)}` };
      const o = out.overrideInput as Record<string, unknown> | undefined;
      if (o && typeof o === 'object' && typeof o.airlock_denied === 'string') return { denied: true, detail: `overrideInput${reason(o.airlock_denied)}` };
      return { denied: false, detail: `answered ${JSON.stringify(out)}` };
    }
    case 'qwen':
      return out.decision === 'deny' || (out.hookSpecificOutput as Record<string, unknown> | undefined)?.permissionDecision === 'deny' ? { denied: true, detail: `deny${reason(out.reason)}` } : { denied: false, detail: `answered ${JSON.stringify(out.decision ?? out)}` };
    case 'opencode':
    case 'kilo':
      return { denied: false, detail: `not run through its plugin: ${JSON.stringify(out)}` };
  }
}
