/**
 * The bridge protocol's constants, in a module without zod: the hook shim imports these on its
 * online path, where loading zod would cost more start-up than the rest of the shim (bridge.ts
 * re-exports them next to the zod schemas, which stay the single source of truth for the gate).
 */

export const AGENTS = ['claude', 'copilot', 'cursor', 'codex', 'gemini', 'cline', 'qwen', 'opencode', 'kilo'] as const;
export type AgentName = (typeof AGENTS)[number];

export function isAgentName(s: string): s is AgentName {
  return (AGENTS as readonly string[]).includes(s);
}

/** Largest request body the bridge reads (1 MiB); larger requests get 413 before parsing. */
export const MAX_BRIDGE_BODY = 1024 * 1024;

/**
 * The discovery file's `socket`: an absolute path ending in .sock, short enough for every platform's
 * socket address (sun_path holds 104 bytes on macOS, 108 on Linux, with its terminating NUL).
 */
export const MAX_SOCKET_PATH = 103;
export const SOCKET_PATH_RE = /^\/.*\.sock$/;

/** How long the gate may hold a request: bounded so no caller waits forever. */
export const MAX_DEADLINE_MS = 10 * 60 * 1000;

/** The reason an ask gets when nobody approved it before the caller's deadline. */
export const PENDING_REASON = 'approval pending in VS Code, retry';
/** How the answer to an ask begins when no person is connected (the step is queued for the editor). */
export const QUEUED_PREFIX = "Airlock needs a person's approval for this";
/** Is this deny one a person may still turn around (pending or queued for approval)? */
export const awaitsPerson = (reasons: readonly string[]): boolean => reasons.some((r) => r === PENDING_REASON || r.startsWith(QUEUED_PREFIX));
/** What agents without an `ask` answer (Codex, Cline, Gemini, Qwen Code, OpenCode, Kilo) tell the person. */
export const HOW_TO_APPROVE = 'approve it in VS Code (Airlock panel) and retry';
