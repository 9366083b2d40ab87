/**
 * The agents' session-end hook events, through the same installed command as the tool hooks
 * (`airlock hook <agent>`): Claude Code and Gemini CLI `SessionEnd`, Copilot `sessionEnd`, Cline 3.x
 * `agent_end` (its `TaskComplete` hook script: the task finished; a later call in the same task
 * reopens the run, and the gate reads the task's session file for the final model call). The shim
 * tells the gate (`POST /v1/session-end`), which ends the run with the reason; it answers the agent
 * with exit 0 and no output (these events decide nothing). No gate running: nothing to end (the gate
 * ends runs it finds idle when it next runs). Codex has no session-end event here: its runs end by
 * the idle timeout.
 */
import type { AgentName } from '../../core/protocol/bridge';
import { discoveryPath, readDiscovery } from '../bridge/discovery';
import { clineSessionFile } from './dialects/cline';

export interface SessionEndEvent {
  sessionId: string;
  reason: string;
  transcriptPath?: string;
}

const EVENTS: Partial<Record<AgentName, string[]>> = { claude: ['SessionEnd'], gemini: ['SessionEnd'], copilot: ['sessionEnd', 'SessionEnd'], cline: ['agent_end'] };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= 256 ? v : undefined);

/** The session end in a hook payload, or undefined for any other event. Never throws. */
export function sessionEndOf(agent: AgentName, text: string, env: NodeJS.ProcessEnv = {}): SessionEndEvent | undefined {
  const names = EVENTS[agent];
  if (!names) return undefined;
  let d: Record<string, unknown>;
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    d = v as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const ev = agent === 'cline' ? str(d.hookName) : (str(d.hook_event_name) ?? str(d.hookEventName));
  if (!ev || !names.includes(ev)) return undefined;
  const cwd = str(d.cwd);
  const sessionId = agent === 'cline' ? str(d.taskId) : (str(d.session_id) ?? str(d.sessionId) ?? (agent === 'copilot' && cwd ? `copilot:${cwd}` : undefined));
  if (!sessionId) return undefined;
  const why = str(d.reason) ?? str(d.exit_reason) ?? (agent === 'cline' && d.turn && typeof d.turn === 'object' ? str((d.turn as Record<string, unknown>).status) : undefined);
  const tp =
    agent === 'cline' ? clineSessionFile(d, env) : typeof d.transcript_path === 'string' && d.transcript_path.length <= 4096 && d.transcript_path.endsWith('.jsonl') ? d.transcript_path : undefined;
  return { sessionId, reason: `the agent's session ended (${ev}${why ? `: ${why}` : ''})`, ...(tp ? { transcriptPath: tp } : {}) };
}

/** Tell the running gate; never throws, never blocks the agent for long. */
export async function reportSessionEnd(agent: AgentName, e: SessionEndEvent, env: NodeJS.ProcessEnv, timeoutMs = 3000): Promise<{ sent: boolean; why?: string }> {
  const d = readDiscovery(discoveryPath(env));
  if (!d.ok) return { sent: false, why: 'no gate running' };
  const { postJson } = await import('../bridge/client');
  const r = await postJson(d.discovery, '/v1/session-end', { agent, sessionId: e.sessionId, reason: e.reason, ...(e.transcriptPath ? { transcriptPath: e.transcriptPath } : {}) }, timeoutMs);
  return 'error' in r ? { sent: false, why: r.reason } : r.status === 200 ? { sent: true } : { sent: false, why: `HTTP ${r.status}` };
}
