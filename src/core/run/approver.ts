/**
 * The pending-approval port. The gate hands every `ask` to an Approver and waits for its answer.
 *
 * Architecture Invariants:
 * - An Approver answers allow only on a person's gesture in the editor; the headless default
 *   (node/approvals.ts) never allows: it holds the request until its deadline, then denies.
 * - The answer always arrives before `deadlineAt`; there is no "approve on timeout".
 */
import type { Action } from '../action';
import type { Decision } from '../judge';

export interface ApprovalRequest {
  runId: string;
  stepId: string;
  agent: string;
  toolName: string;
  action?: Action;
  decision: Decision;
  /** The agent's own description: an unverified claim. */
  description?: string;
  /** Epoch ms by which the answer must be given. */
  deadlineAt: number;
}

export type ApprovalAnswer = { decision: 'allow'; by: string } | { decision: 'deny'; reason: string };

export interface Approver {
  /** Resolve with a person's decision, or deny at `deadlineAt`. Never rejects. */
  request(req: ApprovalRequest): Promise<ApprovalAnswer>;
  /** Deny everything pending (kill switch, shutdown). */
  denyAll(reason: string): void;
  /** How many approvals are waiting (the status bar's count). */
  pending(): number;
}
