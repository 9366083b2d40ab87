/**
 * The hook bridge protocol: what the hook shim (or any other gateway process) sends to the gate over
 * the authenticated loopback bridge, what comes back, and the two small files Airlock keeps outside
 * any workspace (the discovery file and the kill flag).
 *
 * Both ends import these schemas; receivers `safeParse` on arrival and never cast parsed JSON.
 * Architecture Invariant: the bridge has no message that approves anything. Approvals come only
 * from a person in the editor.
 */
import { z } from 'zod';
import { Action } from '../action';
import { REVERSIBILITIES } from '../effects';
import { DecisionKind } from '../policy/schema';
import { AGENTS, MAX_DEADLINE_MS, MAX_SOCKET_PATH, SOCKET_PATH_RE } from './bridgeConsts';

// The constants live in a zod-free module (the hook shim's hot path imports them); re-exported here.
export { AGENTS, HOW_TO_APPROVE, MAX_BRIDGE_BODY, MAX_DEADLINE_MS, PENDING_REASON, QUEUED_PREFIX, awaitsPerson, isAgentName } from './bridgeConsts';

export const AgentName = z.enum(AGENTS);
export type AgentName = z.infer<typeof AgentName>;
/** Who may send hook requests: the agents' shims, and Airlock's own MCP server/proxy (`airlock mcp`). */
export const GATE_CALLERS = [...AGENTS, 'airlock-mcp'] as const;
export const GateCaller = z.enum(GATE_CALLERS);

const id = z.string().min(1).max(256);

export const Outcome = z.strictObject({
  exitCode: z.number().int().optional(),
  error: z.string().max(16 * 1024).optional(),
  durationMs: z.number().nonnegative().optional(),
});
export type Outcome = z.infer<typeof Outcome>;

/**
 * One hook event. `pre` asks for a decision; `post` records what happened to an earlier step.
 * `action` is absent when the shim found no normalized form (an agent-internal tool, or an unknown
 * tool the gate classifies from `rawToolInput`). `deadlineMs` is how long the caller will wait:
 * the gate answers before it (deny when nobody decided in time, never allow).
 */
export const HookRequest = z.strictObject({
  agent: GateCaller,
  event: z.enum(['pre', 'post']),
  sessionId: id,
  subagentId: id.optional(),
  /** The sub-agent's type (Claude Code's agent_type, e.g. Explore): selects the sub-agent's role. */
  subagentType: z.string().min(1).max(128).optional(),
  /** The MCP client's own name (clientInfo.name) when the caller is Airlock's MCP server: its role is `mcp:<name>`. */
  client: z.string().min(1).max(128).optional(),
  toolName: z.string().min(1).max(256),
  toolUseId: id.optional(),
  action: Action.optional(),
  rawToolInput: z.unknown().optional(),
  outcome: Outcome.optional(),
  /** The agent's own description: shown as an unverified claim, never classified. */
  description: z.string().max(4096).optional(),
  deadlineMs: z.number().int().min(1).max(MAX_DEADLINE_MS),
  /**
   * The shim's parent process (the agent, or a shell the agent ran the hook through). The editor
   * keeps it per session so the kill switch can end the agent's process tree. A claim like any
   * other: the gate never trusts it for a decision, and the kill switch re-checks it.
   */
  agentPid: z.number().int().min(2).max(2 ** 31 - 1).optional(),
  /**
   * Where the agent keeps this session's transcript (Claude Code's `transcript_path`), for its usage
   * when the gate's own look-up (CLAUDE_CONFIG_DIR or ~/.claude) is not where the agent writes. Read
   * only when its file name is `<sessionId>.jsonl`; like the transcript itself, the agent's claim.
   */
  transcriptPath: z.string().min(1).max(4096).optional(),
});
export type HookRequest = z.infer<typeof HookRequest>;

/** `POST /v1/session-end`: the agent's session ended (its SessionEnd hook); the gate ends the run. */
export const SessionEnd = z.strictObject({
  agent: GateCaller,
  sessionId: id,
  /** Why, in the agent's words (Claude Code: exit, clear, logout, prompt_input_exit, other). */
  reason: z.string().min(1).max(500),
  transcriptPath: z.string().min(1).max(4096).optional(),
});
export type SessionEnd = z.infer<typeof SessionEnd>;

export const HookResponse = z.strictObject({
  decision: DecisionKind,
  reasons: z.array(z.string()),
  rules: z.array(z.string()),
  reversibility: z.enum(REVERSIBILITIES),
  runId: z.string(),
  stepId: z.string(),
  actionHash: z.string(),
});
export type HookResponse = z.infer<typeof HookResponse>;

/** `<airlockHome>/bridge.json`, mode 0600 in a 0700 directory. The token is 32 random bytes (hex). */
export const DiscoveryFile = z.strictObject({
  version: z.literal(1),
  url: z.string().regex(/^http:\/\/127\.0\.0\.1:\d{1,5}$/, 'the bridge listens on 127.0.0.1 only'),
  token: z.string().regex(/^[0-9a-f]{64}$/),
  pid: z.number().int().positive(),
  startedAt: z.string(),
  /**
   * The same bridge on a Unix domain socket in the gate's private home (POSIX only; absent on
   * Windows and when the path would be too long). Callers prefer it and fall back to `url`.
   */
  socket: z.string().max(MAX_SOCKET_PATH).regex(SOCKET_PATH_RE, 'an absolute path ending in .sock').optional(),
});
export type DiscoveryFile = z.infer<typeof DiscoveryFile>;

/** `<airlockHome>/killed`: present = the kill switch is latched. */
export const KillFlag = z.object({ at: z.string(), reason: z.string().max(2000) });
export type KillFlag = z.infer<typeof KillFlag>;

/** The body of every refusal the bridge itself produces (401, 403, 400 …): a deny. */
export function bridgeDeny(reason: string, rule: string): HookResponse {
  return { decision: 'deny', reasons: [reason], rules: [rule], reversibility: 'unknown', runId: '', stepId: '', actionHash: '' };
}

/** The one thing a caller needs from the gate (the in-process Gate, or the bridge to a running one). */
export interface GateLike {
  hook(req: HookRequest): Promise<HookResponse>;
}
