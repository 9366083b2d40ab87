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
  /** The agent's session (an MCP client that can ask its person is found by it). */
  sessionId?: string;
}

/**
 * A person's answer. An allow names the hash of the action the person was shown: the gate allows
 * only if it equals the hash of the action it is about to let run (a stale or swapped approval is a deny).
 */
export type ApprovalAnswer = ({ decision: 'allow'; by: string; actionHash: string } | { decision: 'deny'; reason: string }) & {
  /** What happened to the request while it was pending (a refused approve command): recorded with the step. */
  notes?: string[];
};

export interface Approver {
  /** Resolve with a person's decision, or deny at `deadlineAt`. Never rejects. */
  request(req: ApprovalRequest): Promise<ApprovalAnswer>;
  /** Deny everything pending (kill switch, shutdown). */
  denyAll(reason: string): void;
  /** How many approvals are waiting (the status bar's count). */
  pending(): number;
}

/** What deciding on a pending approval did. `changed`: the shown hash is not the pending action's (ask again). */
export type DecideResult = 'decided' | 'gone' | 'changed' | 'not-grantable';

export interface ApprovalListener {
  /** A request started waiting for a person. */
  pending?(req: ApprovalRequest): void;
  /** A request was answered (a person, a grant, the deadline, the kill switch). */
  settled?(stepId: string, answer: ApprovalAnswer): void;
}

/**
 * The editor's side of the pending approvals (implemented in node/approvals.ts, used by the
 * notification, the diff editor and the panel). Decisions come only from a person's gesture.
 */
export interface ApprovalQueue {
  list(): ApprovalRequest[];
  get(stepId: string): ApprovalRequest | undefined;
  /** Answer one request. An allow must carry the hash of the action that was shown. */
  decide(stepId: string, answer: ApprovalAnswer): DecideResult;
  /** Allow this request and grant "allow for this run" for its pattern (reversible classes only). */
  allowForRun(stepId: string, shownActionHash: string, by: string): DecideResult;
  /** Listen; returns the unsubscribe function. */
  subscribe(l: ApprovalListener): () => void;
  /**
   * Record something that happened to a pending request before its answer (an approve command
   * nobody confirmed): it is added to the answer's text, so the ledger keeps it with the step.
   */
  note?(stepId: string, text: string): void;
}
