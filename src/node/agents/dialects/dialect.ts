/**
 * What every agent dialect module provides: a validated reading of the agent's hook input, and
 * the agent's own way of saying allow / ask / deny (stdout JSON and exit code).
 *
 * Architecture Invariants:
 * - An agent without `ask` (Codex, Cline, Gemini) never receives one: ask becomes deny with a reason
 *   telling the person how to approve.
 * - `fail()` is the answer for every internal error, malformed payload and hard timeout: the agent's
 *   blocking exit code (2) with the reason on stderr, plus the dialect's deny JSON where it has one.
 */
import type { AgentName, Outcome } from '../../../core/protocol/bridge';
import { HOW_TO_APPROVE } from '../../../core/protocol/bridgeConsts';
import { opt, record, str, type Issue } from '../../../core/check';
import type { DecisionKind } from '../../../core/policy/schema';

export interface ParsedHook {
  event: 'pre' | 'post';
  sessionId: string;
  subagentId?: string;
  subagentType?: string;
  toolName: string;
  toolUseId?: string;
  toolInput: Record<string, unknown>;
  cwd: string;
  workspaceRoots: string[];
  mcpServer?: string;
  outcome?: Outcome;
  description?: string;
  /** The agent's own name for the payload generation it sent (Cline: `PreToolUse` or `tool_call`). */
  generation?: string;
}

export type ParseResult = { ok: true; hook: ParsedHook } | { ok: false; error: string };

/** The fields Claude-shaped payloads (Claude Code, Codex, Gemini CLI) share, in snake_case. */
export interface SnakePayload {
  session_id: string;
  tool_name: string;
  tool_input: Record<string, unknown>;
  cwd: string;
  tool_response?: unknown;
}

/** A ParsedHook from a Claude-shaped payload; `extra` carries the ids each agent names its own way. */
export function snakeHook(d: SnakePayload, post: boolean, extra: { toolUseId?: string | undefined; subagentId?: string | undefined; subagentType?: string | undefined; error?: unknown } = {}): ParseResult {
  return {
    ok: true,
    hook: {
      event: post ? 'post' : 'pre',
      sessionId: d.session_id,
      toolName: d.tool_name,
      toolInput: d.tool_input,
      cwd: d.cwd,
      workspaceRoots: [d.cwd],
      ...(extra.subagentId ? { subagentId: extra.subagentId } : {}),
      ...(extra.subagentType ? { subagentType: extra.subagentType } : {}),
      ...(extra.toolUseId ? { toolUseId: extra.toolUseId } : {}),
      ...(post ? { outcome: outcomeFrom(d.tool_response, extra.error) } : {}),
    },
  };
}

export interface Verdict {
  decision: DecisionKind;
  reason: string;
  /**
   * The person asked for the whole task to end, not just this call (the kill switch). Agents whose
   * hooks can end a task (Cline's `cancel`) do; the others deny the call.
   */
  stop?: boolean;
}

export interface Answer {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface Dialect {
  agent: AgentName;
  /** The agent's own hook timeout when none is configured (the shim answers by ~80% of it). */
  defaultTimeoutMs: number;
  hasAsk: boolean;
  /** `home`: the agent's HOME (Cline checks for Airlock's user-level plugin there). */
  parse(raw: unknown, env: { cwd: string; home?: string }): ParseResult;
  /** The answer to a pre event (post events get `recorded()`); `hook` is the call, when it was read. */
  answer(v: Verdict, hook?: ParsedHook): Answer;
}

/** Any JSON object (tool inputs are classified later, key by key). */
export const Loose = record;

export { formatIssues } from '../../../core/check';
export type { Issue };

/** ask -> deny for agents that have no ask (its call would otherwise proceed). */
export function forAgent(d: Dialect, v: Verdict): Verdict {
  if (v.decision !== 'ask' || d.hasAsk) return v;
  return { decision: 'deny', reason: `Airlock: this needs a person's approval (${v.reason}): ${HOW_TO_APPROVE}` };
}

export function render(d: Dialect, v: Verdict, hook?: ParsedHook): Answer {
  return d.answer(forAgent(d, v), hook);
}

export function fail(d: Dialect, reason: string, hook?: ParsedHook): Answer {
  const a = d.answer({ decision: 'deny', reason }, hook);
  return { stdout: a.stdout, stderr: `${reason}\n`, exitCode: 2 };
}

export const recorded: Answer = { stdout: '', stderr: '', exitCode: 0 };

/**
 * The `{"decision": "allow|deny", "reason"}` answer (Gemini CLI, the OpenCode / Kilo plugin): anything
 * but allow is a deny, which also exits 2 with the reason on stderr. `emptyReason` stands in for a
 * deny that came without one.
 */
export function decisionAnswer(v: Verdict, emptyReason = ''): Answer {
  if (v.decision === 'allow') return { stdout: json({ decision: 'allow', reason: v.reason }), stderr: '', exitCode: 0 };
  const reason = v.reason || emptyReason;
  return { stdout: json({ decision: 'deny', reason }), stderr: `${reason}\n`, exitCode: 2 };
}

export const json = (v: unknown): string => `${JSON.stringify(v)}\n`;

/** Outcome of a finished tool from whatever the agent reports (explicit exit code, error, success flag). */
export function outcomeFrom(response: unknown, error?: unknown, success?: unknown, durationMs?: unknown): Outcome {
  const r = response && typeof response === 'object' ? (response as Record<string, unknown>) : {};
  const code = [r.exit_code, r.exitCode, r.returncode, r.code].find((x): x is number => typeof x === 'number' && Number.isInteger(x));
  const err = typeof error === 'string' && error ? error : typeof r.error === 'string' && r.error ? r.error : r.is_error === true || r.isError === true ? 'tool reported an error' : undefined;
  const failed = success === false || success === 'false' || r.success === false;
  const out: Outcome = {};
  out.exitCode = code ?? (err !== undefined || failed ? 1 : 0);
  if (err !== undefined) out.error = err.slice(0, 16 * 1024);
  if (typeof durationMs === 'number' && durationMs >= 0) out.durationMs = durationMs;
  return out;
}

/** Sub-process input helpers: strings or absent. */
export const optStr = opt(str(1, 4096));
