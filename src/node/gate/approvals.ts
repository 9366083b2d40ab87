/**
 * The pending-approval registry behind the Approver port. Headless (no person connected: `airlock
 * serve`, Airlock's MCP server without an editor) it never allows and never makes the agent wait:
 * each ask is queued (approvalQueue.ts) and answered at once "needs a person's approval, queued as
 * #N", with what to do; a desktop notification is sent where `notify-send` exists. The editor
 * attaches a person: `decide(stepId, …)` resolves a pending ask from a gesture in VS Code (never
 * from the bridge, which has no approve call), and the wait is the person's. With either, an entry
 * of the queue a person approved in the editor answers the agent's next call of that exact action.
 *
 * Architecture Invariants:
 * - An allow is bound to the action's hash: `decide` refuses an allow whose hash is not the pending
 *   action's (`changed`), and the gate checks the hash again before it lets anything run.
 * - "Allow for this run" grants (core/run/allowRules.ts) answer only asks that are grantable
 *   themselves; a grant never answers an irreversible or security-config ask.
 */
import type { ApprovalAnswer, ApprovalListener, ApprovalQueue, ApprovalRequest, Approver, DecideResult } from '../../core/run/approver';
import { AllowForRun, grantable } from '../../core/run/allowRules';
import { PENDING_REASON, QUEUED_PREFIX } from '../../core/protocol/bridge';
import { spawn } from 'node:child_process';
import type { ApprovalQueueStore, QueuedApproval } from './approvalQueue';

interface Pending {
  req: ApprovalRequest;
  resolve: (a: ApprovalAnswer) => void;
  timer: NodeJS.Timeout;
  /** What happened to it while pending (a refused approve command), kept with its answer. */
  notes?: string[];
}

const MAX_NOTES = 8;

export interface PendingApprovalsOptions {
  /** "Allow for this run" grants; absent = no grants (headless). */
  grants?: AllowForRun;
  now?: () => number;
  log?: (line: string) => void;
  /** The persisted queue (queued asks, and the answers a person gave them in the editor). */
  queue?: () => ApprovalQueueStore | undefined;
  /** No person is connected: asks are queued and answered at once instead of held. */
  headless?: boolean;
  /** Send a desktop notification for a queued ask (notify-send, where present). Default: headless. */
  notify?: boolean;
  /** A one-line description of the action for the queue. */
  summarize?: (req: ApprovalRequest) => string;
}

/** The answer an agent gets when no person is connected: what happened and what to do. */
export function queuedReason(q: Pick<QueuedApproval, 'id'> | undefined): string {
  return (
    `${QUEUED_PREFIX} and no person is connected to give it now. ` +
    `${q ? `It is queued as approval #${q.id}` : 'It could not be queued'}: open VS Code with Airlock to approve or deny it ` +
    '(`airlock approvals` lists the queue); once a person has approved it, make this exact call again, once. ' +
    'Do not retry in a loop: continue with other work, or tell the user what is waiting for their approval.'
  );
}

export class PendingApprovals implements Approver, ApprovalQueue {
  private readonly waiting = new Map<string, Pending>();
  private readonly listeners = new Set<ApprovalListener>();
  private readonly now: () => number;

  /** Called when a request starts waiting (the editor shows it); undefined headless. */
  onPending?: (req: ApprovalRequest) => void;

  constructor(private readonly o: PendingApprovalsOptions = {}) {
    this.now = o.now ?? Date.now;
  }

  request(req: ApprovalRequest): Promise<ApprovalAnswer> {
    return new Promise((resolve) => {
      if (this.waiting.has(req.stepId)) {
        // Two asks under one id would make one decision answer the other: refuse the newcomer.
        resolve({ decision: 'deny', reason: `another request is already pending under step id ${req.stepId}` });
        return;
      }
      const g = this.o.grants?.match(req.runId, req.action, req.decision, this.now());
      if (g) {
        const answer: ApprovalAnswer = { decision: 'allow', by: `allow-for-this-run grant "${g.pattern.label}" (given by ${g.by})`, actionHash: req.decision.actionHash };
        resolve(answer);
        this.emitSettled(req.stepId, answer);
        return;
      }
      const queued = this.fromQueue(req);
      if (queued) {
        resolve(queued);
        this.emitSettled(req.stepId, queued);
        return;
      }
      if (this.o.headless) {
        const answer: ApprovalAnswer = { decision: 'deny', reason: queuedReason(this.enqueue(req)) };
        resolve(answer);
        this.emitSettled(req.stepId, answer);
        return;
      }
      const wait = Math.max(0, req.deadlineAt - this.now());
      const timer = setTimeout(() => this.finish(req.stepId, { decision: 'deny', reason: PENDING_REASON }), wait);
      this.waiting.set(req.stepId, { req, resolve, timer });
      this.onPending?.(req);
      for (const l of [...this.listeners]) this.safely(() => l.pending?.(req));
    });
  }

  /** A person's answer to this exact action given earlier in the queue (an approval is used up). */
  private fromQueue(req: ApprovalRequest): ApprovalAnswer | undefined {
    try {
      const t = this.o.queue?.()?.take(req.decision.actionHash, req.agent);
      if (!t) return undefined;
      if (t.decision === 'allow') return { decision: 'allow', by: `${t.entry.decidedBy ?? 'a person'} (queued approval #${t.entry.id})`, actionHash: t.entry.actionHash };
      return { decision: 'deny', reason: `a person denied this exact call (queued approval #${t.entry.id}, by ${t.entry.decidedBy ?? 'a person'}): do not make it again` };
    } catch (e) {
      this.o.log?.(`approval queue unreadable: ${(e as Error).message}`);
      return undefined;
    }
  }

  private enqueue(req: ApprovalRequest): QueuedApproval | undefined {
    let q: QueuedApproval | undefined;
    try {
      q = this.o.queue?.()?.enqueue(req, this.o.summarize?.(req) ?? req.toolName);
    } catch (e) {
      this.o.log?.(`approval queue unavailable: ${(e as Error).message}`);
    }
    this.o.log?.(`no person connected: ${req.toolName} (${req.agent}) ${q ? `queued as approval #${q.id}` : 'not queued'}`);
    if (q && (this.o.notify ?? true)) notify(`Airlock: approval #${q.id} waiting`, `${req.agent} asks to run ${this.o.summarize?.(req) ?? req.toolName} (${req.decision.reversibility}). Open VS Code with Airlock to answer.`);
    return q;
  }

  /** A person's decision from the editor. An allow must carry the hash of what the person saw. */
  decide(stepId: string, answer: ApprovalAnswer): DecideResult {
    const p = this.waiting.get(stepId);
    if (!p) return 'gone';
    if (answer.decision === 'allow' && answer.actionHash !== p.req.decision.actionHash) {
      this.o.log?.(`approval for ${stepId} refused: it was given for action ${answer.actionHash.slice(0, 12)}, the pending action is ${p.req.decision.actionHash.slice(0, 12)}`);
      return 'changed';
    }
    this.finish(stepId, answer);
    return 'decided';
  }

  allowForRun(stepId: string, shownActionHash: string, by: string): DecideResult {
    const p = this.waiting.get(stepId);
    if (!p) return 'gone';
    if (shownActionHash !== p.req.decision.actionHash) return 'changed';
    if (!this.o.grants || !grantable(p.req.decision)) return 'not-grantable';
    const g = this.o.grants.grant(p.req.runId, p.req.action, p.req.decision, by, this.now());
    if (!g) return 'not-grantable';
    this.o.log?.(`run ${p.req.runId}: ${by} allowed "${g.pattern.label}" for this run`);
    this.finish(stepId, { decision: 'allow', by: `${by} (and allowed "${g.pattern.label}" for this run)`, actionHash: shownActionHash });
    return 'decided';
  }

  note(stepId: string, text: string): void {
    const p = this.waiting.get(stepId);
    if (!p) return;
    const t = text.replace(/\s+/g, ' ').slice(0, 500);
    p.notes = [...(p.notes ?? []), t].slice(-MAX_NOTES);
    this.o.log?.(`${stepId}: ${t}`);
  }

  denyAll(reason: string): void {
    for (const id of [...this.waiting.keys()]) this.finish(id, { decision: 'deny', reason });
  }

  /** Forget every "allow for this run" grant (kill switch). */
  clearGrants(): void {
    this.o.grants?.clear();
  }

  pending(): number {
    return this.waiting.size;
  }

  list(): ApprovalRequest[] {
    return [...this.waiting.values()].map((p) => p.req);
  }

  get(stepId: string): ApprovalRequest | undefined {
    return this.waiting.get(stepId)?.req;
  }

  subscribe(l: ApprovalListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private safely(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.o.log?.(`approval listener failed: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  private emitSettled(stepId: string, answer: ApprovalAnswer): void {
    for (const l of [...this.listeners]) this.safely(() => l.settled?.(stepId, answer));
  }

  private finish(stepId: string, answer: ApprovalAnswer): boolean {
    const p = this.waiting.get(stepId);
    if (!p) return false;
    this.waiting.delete(stepId);
    clearTimeout(p.timer);
    const final: ApprovalAnswer = p.notes?.length ? { ...answer, notes: [...(answer.notes ?? []), ...p.notes.map((n) => `while pending: ${n}`)] } : answer;
    p.resolve(final);
    this.emitSettled(stepId, final);
    return true;
  }
}

/** A desktop notification where the platform offers one (notify-send); silent otherwise. */
function notify(title: string, body: string): void {
  if (process.env.AIRLOCK_NOTIFY === '0' || process.platform !== 'linux' || !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY && !process.env.DBUS_SESSION_BUS_ADDRESS) return;
  try {
    const c = spawn('notify-send', ['--app-name=Airlock', title, body.slice(0, 300)], { stdio: 'ignore', detached: true });
    c.on('error', () => undefined);
    c.unref();
  } catch {
    /* no notifier: the queue and the agent's answer still say it */
  }
}
