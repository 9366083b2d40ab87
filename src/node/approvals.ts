/**
 * The pending-approval registry behind the Approver port. Headless (no editor attached) it never
 * allows: each ask is held until its deadline, then denied with "approval pending in VS Code,
 * retry". The editor issue attaches a person: `decide(stepId, …)` resolves a pending ask from a
 * gesture in VS Code (never from the bridge, which has no approve call).
 */
import type { ApprovalAnswer, ApprovalRequest, Approver } from '../core/run/approver';
import { PENDING_REASON } from '../core/protocol/bridge';

interface Pending {
  req: ApprovalRequest;
  resolve: (a: ApprovalAnswer) => void;
  timer: NodeJS.Timeout;
}

export class PendingApprovals implements Approver {
  private readonly waiting = new Map<string, Pending>();

  /** Called when a request starts waiting (the editor shows it); undefined headless. */
  onPending?: (req: ApprovalRequest) => void;

  request(req: ApprovalRequest): Promise<ApprovalAnswer> {
    return new Promise((resolve) => {
      const wait = Math.max(0, req.deadlineAt - Date.now());
      const timer = setTimeout(() => this.finish(req.stepId, { decision: 'deny', reason: PENDING_REASON }), wait);
      this.waiting.set(req.stepId, { req, resolve, timer });
      this.onPending?.(req);
    });
  }

  /** A person's decision from the editor. Returns false when nothing is pending under that id. */
  decide(stepId: string, answer: ApprovalAnswer): boolean {
    return this.finish(stepId, answer);
  }

  denyAll(reason: string): void {
    for (const id of [...this.waiting.keys()]) this.finish(id, { decision: 'deny', reason });
  }

  pending(): number {
    return this.waiting.size;
  }

  private finish(stepId: string, answer: ApprovalAnswer): boolean {
    const p = this.waiting.get(stepId);
    if (!p) return false;
    this.waiting.delete(stepId);
    clearTimeout(p.timer);
    p.resolve(answer);
    return true;
  }
}
