/**
 * What every tool family hands the runner (src/node/mcp/tools.ts): the action the gate judges, and
 * how to carry it out once allowed; and the failure a tool itself recognises.
 */
import type { Action } from '../../core/action';
import type { ErrorCode } from '../../core/tools/contract';

/** A failure the tool itself recognises. `acted` = something may have changed (the result is stored). */
export class ToolFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly opts: { retryable?: boolean; details?: Record<string, unknown>; acted?: boolean } = {},
  ) {
    super(message);
  }
}

export interface Prepared {
  action: Action;
  /** Shown to the approving person next to the action (dry-run report). Airlock's own text. */
  description?: string;
  details?: Record<string, unknown>;
  /** `link`: the ledger step that allowed the call and its effect-store key (before-images are tied to them). */
  run(link?: { stepId?: string; effectKey?: string }): Promise<{ data: unknown; exitCode?: number }>;
}

/** What a tool family needs from the runner to build its actions. */
export interface PrepareContext {
  resolvePath(p: string): string;
  fileAction(op: 'read' | 'create' | 'write' | 'edit' | 'delete', path: string, extra?: { content?: string; oldString?: string; newString?: string }): Action;
  /** Compare-and-swap before the gate (see ToolRunner.precheck). */
  precheck(path: string, expected: string | null | undefined): void;
}
