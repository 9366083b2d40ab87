/**
 * Asking the person through the MCP client (elicitation). When Airlock's MCP server runs with its
 * own gate and the client declared the `elicitation` capability, an `ask` is put to the person in
 * the client (`elicitInput`: the action, its reversibility, the reasons, an approve yes/no) instead
 * of being queued. Sessions whose client cannot elicit fall through to the inner approver
 * (headless: queued and answered at once).
 *
 * Architecture Invariants:
 * - An approval given this way is bound to the hash of the action shown (the gate checks it again
 *   before anything runs) and recorded as approved by "person via MCP client elicitation".
 * - Only an explicit accept with approve = true allows; decline, cancel, a malformed answer, an
 *   error or the deadline deny.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { ApprovalAnswer, ApprovalRequest, Approver } from '../../core/run/approver';

export const ELICITATION_APPROVER = 'person via MCP client elicitation';

type Elicit = (req: ApprovalRequest) => Promise<ApprovalAnswer>;

export class ElicitingApprover implements Approver {
  private readonly channels = new Map<string, Elicit>();
  private readonly waiting = new Map<string, (a: ApprovalAnswer) => void>();

  constructor(
    private readonly inner: Approver,
    private readonly describe: (req: ApprovalRequest) => string,
    private readonly log?: (line: string) => void,
  ) {}

  /** The MCP session `sessionId` is served by `server`; ask its person when its client can elicit. */
  attach(sessionId: string, server: Server): void {
    if (!server.getClientCapabilities()?.elicitation) return;
    if (this.channels.has(sessionId)) return;
    this.channels.set(sessionId, (req) => this.elicit(server, req));
  }

  detach(sessionId: string): void {
    this.channels.delete(sessionId);
  }

  request(req: ApprovalRequest): Promise<ApprovalAnswer> {
    const ch = req.sessionId !== undefined ? this.channels.get(req.sessionId) : undefined;
    if (!ch) return this.inner.request(req);
    return new Promise<ApprovalAnswer>((resolve) => {
      let done = false;
      const finish = (a: ApprovalAnswer): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.waiting.delete(req.stepId);
        resolve(a);
      };
      const timer = setTimeout(() => finish({ decision: 'deny', reason: 'no answer from the person in the MCP client before the deadline' }), Math.max(0, req.deadlineAt - Date.now()));
      this.waiting.set(req.stepId, finish);
      ch(req).then(finish, (e: unknown) => {
        this.log?.(`elicitation failed: ${(e as Error)?.message ?? String(e)}`);
        finish({ decision: 'deny', reason: `the MCP client could not ask its person (${(e as Error)?.message ?? String(e)})` });
      });
    });
  }

  denyAll(reason: string): void {
    for (const f of [...this.waiting.values()]) f({ decision: 'deny', reason });
    this.inner.denyAll(reason);
  }

  pending(): number {
    return this.waiting.size + this.inner.pending();
  }

  private async elicit(server: Server, req: ApprovalRequest): Promise<ApprovalAnswer> {
    const d = req.decision;
    const message = [
      `Airlock: ${req.agent} asks to run ${req.toolName}: ${this.describe(req)}`,
      `Reversibility: ${d.reversibility}.`,
      ...d.reasons.map((r) => `- ${r}`),
      `Approve this exact action (hash ${d.actionHash.slice(0, 12)})?`,
    ].join('\n');
    const r = await server.elicitInput(
      {
        message,
        requestedSchema: {
          type: 'object',
          properties: { approve: { type: 'boolean', title: 'Approve', description: `Let this ${d.reversibility} action run once` } },
          required: ['approve'],
        },
      },
      { timeout: Math.max(1, req.deadlineAt - Date.now()) },
    );
    if (r.action === 'accept' && r.content?.approve === true) return { decision: 'allow', by: ELICITATION_APPROVER, actionHash: d.actionHash };
    return { decision: 'deny', reason: r.action === 'accept' ? 'the person did not approve it in the MCP client' : `the person ${r.action === 'decline' ? 'declined' : 'dismissed'} it in the MCP client` };
  }
}
