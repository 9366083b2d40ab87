/**
 * `airlock hook <agent>`: the shim an agent runs before (and after) each tool call.
 *
 * stdin (capped) -> the agent's dialect -> an Airlock action -> the gate over the bridge -> the
 * answer in the agent's dialect. When no gate answers (no discovery file, connection refused, bad
 * token, timeout) it judges offline with the same core and the effective policy: reads pass,
 * everything else is denied "Airlock is not running". The kill flag denies everything, gate or not.
 *
 * Start-up stays lean (this runs once per tool call): the judge, classifiers, policy loader and zod
 * are imported only on the offline path, the HTTP client only when a discovery file names a gate. Online, the normalized action is validated by the gate
 * (the bridge parses every request with the strict zod schemas and answers a malformed one with a
 * deny); offline, it is validated with the same Action schema before it is judged.
 */
import type { Action } from '../../core/action';
import type { HookRequest } from '../../core/protocol/bridge';
import { PENDING_REASON, isAgentName } from '../../core/protocol/bridgeConsts';
import type { DiscoveryFile } from '../../core/protocol/bridge';
import type { BridgeFailure, GateConnection } from '../bridge/client';
import { discoveryPath, readDiscovery, readKillFlag } from '../bridge/discovery';
import { airlockHome } from '../environment';
import { DIALECTS } from './dialects';
import { clineSessionFile } from './dialects/cline';
import { fail, recorded, render, type Answer, type Dialect, type ParsedHook } from './dialects/dialect';
import { normalizeTool } from './dialects/tools';

/** Largest hook payload read from stdin; larger is denied as malformed. */
export const MAX_STDIN = 2 * 1024 * 1024;

export interface ShimOptions {
  /** Epoch ms by which the answer must be printed (80% of the agent's hook timeout). */
  deadlineAt: number;
  /** Loads the offline judge (dist/hook.js passes a loader of the separate dist/offline.js bundle). */
  loadOffline: OfflineLoader;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The shim's parent process id (process.ppid), sent so the kill switch can find the agent. */
  agentPid?: number;
  /** Told when the shim asks a gate (dist/hook.js keeps its code cache covering that path). */
  onAskGate?: () => void;
  /** The gate found and connected to while the payload was read (openGateEarly). */
  early?: EarlyGate;
}

/** A gate found through the discovery file, and a connection to it opened before the request is ready. */
export interface EarlyGate {
  discovery: DiscoveryFile;
  connection: GateConnection;
}

/**
 * Before the payload is read (the hook command calls it while libuv's thread pool reads stdin):
 * when the discovery file names a gate and the kill switch is not latched, load the bridge client
 * and open the connection, so node:net loads and the connection is made while the payload comes
 * in. Nothing is sent on it until the shim has read the payload and asks; a connection the shim
 * does not use (a malformed payload, a session end) is closed when the process exits.
 */
export async function openGateEarly(env: NodeJS.ProcessEnv, onAskGate?: () => void): Promise<EarlyGate | undefined> {
  try {
    if (readKillFlag(airlockHome(env)).killed) return undefined;
    const disc = readDiscovery(discoveryPath(env));
    if (!disc.ok) return undefined;
    onAskGate?.();
    const { connectGate } = await import('../bridge/client');
    return { discovery: disc.discovery, connection: connectGate(disc.discovery) };
  } catch {
    return undefined; // the shim finds the gate itself (and fails closed if it cannot load the client)
  }
}

export function dialectOf(agent: string): Dialect | undefined {
  return isAgentName(agent) ? DIALECTS[agent] : undefined;
}

/** The whole shim as a function of its input. Never rejects: every failure is the dialect's deny. */
export async function runShim(d: Dialect, stdin: string, o: ShimOptions): Promise<Answer> {
  try {
    return await shim(d, stdin, o);
  } catch (e) {
    return fail(d, `Airlock hook internal error: ${(e as Error)?.message ?? String(e)}`);
  }
}

async function shim(d: Dialect, stdin: string, o: ShimOptions): Promise<Answer> {
  if (stdin.length > MAX_STDIN) return fail(d, `Airlock: hook payload of ${stdin.length} bytes is over the ${MAX_STDIN}-byte limit`);
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch (e) {
    return fail(d, `Airlock: malformed hook payload (not JSON: ${(e as Error).message})`);
  }
  const parsed = d.parse(raw, { cwd: o.cwd, ...(o.env.HOME ? { home: o.env.HOME } : {}) });
  if (!parsed.ok) return fail(d, `Airlock: malformed hook payload (${parsed.error})`);
  const hook = parsed.hook;
  const home = airlockHome(o.env);

  const kill = readKillFlag(home);
  if (kill.killed) {
    if (hook.event === 'post') return recorded;
    return render(d, { decision: 'deny', stop: true, reason: `the Airlock kill switch is latched (${kill.flag.reason}): nothing runs until a person un-latches it in the editor` }, hook);
  }

  const norm = normalizeTool({ agent: d.agent, toolName: hook.toolName, input: hook.toolInput, cwd: hook.cwd, workspaceRoots: hook.workspaceRoots, ...(hook.mcpServer ? { mcpServer: hook.mcpServer } : {}) });
  // Not yet validated (see the header): the gate or the offline judge checks it before judging.
  const action = 'action' in norm ? (norm.action as Action) : undefined;

  const remaining = o.deadlineAt - Date.now();
  const disc: ReturnType<typeof readDiscovery> = o.early ? { ok: true, discovery: o.early.discovery } : readDiscovery(discoveryPath(o.env));
  let cause: BridgeFailure | 'no-gate' = 'no-gate';
  let why = disc.ok ? '' : disc.reason;
  if (disc.ok && remaining > 200) {
    const req: HookRequest = {
      agent: d.agent,
      event: hook.event,
      sessionId: hook.sessionId,
      toolName: hook.toolName,
      // The gate holds asks until this deadline; leave the shim time to print.
      deadlineMs: Math.max(1, remaining - 400),
      rawToolInput: hook.toolInput,
      ...(hook.subagentId ? { subagentId: hook.subagentId } : {}),
      ...(hook.subagentType ? { subagentType: hook.subagentType } : {}),
      ...(hook.toolUseId ? { toolUseId: hook.toolUseId } : {}),
      ...(action ? { action } : {}),
      ...(hook.outcome ? { outcome: hook.outcome } : {}),
      ...(hook.description ? { description: hook.description } : {}),
      ...(o.agentPid && o.agentPid > 1 ? { agentPid: o.agentPid } : {}),
    };
    const transcriptPath = transcriptPathOf(d.agent, raw, o.env);
    if (transcriptPath) req.transcriptPath = transcriptPath;
    // node:http (and net, streams) only when there is a gate to ask: offline, the shim never loads it.
    o.onAskGate?.();
    const { askGate } = await import('../bridge/client');
    const r = await askGate(disc.discovery, req, Math.max(1, remaining - 150), o.early?.connection);
    if (r.ok) {
      if (hook.event === 'post') return recorded;
      return render(d, { decision: r.response.decision, reason: r.response.reasons.join('; ') || r.response.decision }, hook);
    }
    cause = r.cause;
    why = r.reason;
  }
  if (hook.event === 'post') return recorded; // nothing to record without a gate
  return offline(d, hook, action, cause, why, o.env, o.loadOffline);
}

export type OfflineLoader = () => Promise<{ judgeOffline: typeof import('../gate/offlineJudge').judgeOffline; readAction: typeof import('../gate/offlineJudge').readAction }>;

async function offline(d: Dialect, hook: ParsedHook, action: Action | undefined, cause: BridgeFailure | 'no-gate', why: string, env: NodeJS.ProcessEnv, loadOffline: OfflineLoader): Promise<Answer> {
  if (!action) return render(d, { decision: 'allow', reason: `${hook.toolName} acts only inside the agent` }, hook);
  const { judgeOffline, readAction } = await loadOffline();
  const checked = readAction(action);
  if (!checked.ok) return fail(d, `Airlock: cannot read the ${hook.toolName} call (${checked.error})`, hook);
  action = checked.action;
  const roots = hook.workspaceRoots.length ? hook.workspaceRoots : [hook.cwd];
  const cwd = 'cwd' in action && action.cwd ? action.cwd : hook.cwd;
  const dec = judgeOffline(action, cwd, roots, env);
  const reasons = [...dec.reasons];
  if (dec.decision !== 'allow') reasons.push(cause === 'timeout' ? `Airlock did not answer in time (${PENDING_REASON})` : `(${why})`);
  return render(d, { decision: dec.decision, reason: reasons.join('; ') }, hook);
}

/**
 * The file the agent keeps this session's usage in: Claude Code's (and Codex's) `transcript_path`
 * when it is a plausible path; Cline's session document, found from its payload and environment.
 */
export function transcriptPathOf(agent: string, raw: unknown, env: NodeJS.ProcessEnv): string | undefined {
  if (agent === 'cline') return clineSessionFile(raw, env);
  const t = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).transcript_path : undefined;
  return typeof t === 'string' && t.length > 0 && t.length <= 4096 && t.endsWith('.jsonl') ? t : undefined;
}
