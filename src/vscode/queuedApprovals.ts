/**
 * Steps queued while no person was connected (src/node/gate/approvalQueue.ts): when this window's
 * gate starts and some are waiting, the person is told and can answer each one. An approval is
 * bound to the hash of the action shown and serves the agent's next call of that exact action once.
 */
import * as vscode from 'vscode';
import type { QueuedApproval } from '../core/run/queue';

export interface QueuedApprovalPorts {
  list(): QueuedApproval[];
  decide(id: number, answer: { decision: 'allow'; by: string; actionHash: string } | { decision: 'deny'; by: string }): 'decided' | 'gone' | 'changed';
}

const BY = 'person in VS Code';

export async function offerQueuedApprovals(ports: QueuedApprovalPorts, log: { info(l: string): void }): Promise<void> {
  const waiting = ports.list();
  if (waiting.length === 0) return;
  const pick = await vscode.window.showWarningMessage(`Airlock: ${waiting.length} step(s) asked for your approval while no editor was connected.`, 'Review', 'Later');
  if (pick !== 'Review') return;
  for (const q of waiting) {
    const detail = [`${q.agent} · ${q.tool} · ${q.reversibility} · queued ${q.createdAt}`, q.summary, ...q.reasons.map((r) => `• ${r}`), `action ${q.actionHash.slice(0, 12)}`].join('\n');
    const answer = await vscode.window.showWarningMessage(`Airlock approval #${q.id}: ${q.summary}`, { modal: true, detail }, 'Approve once', 'Deny');
    if (answer === undefined) break;
    const r = ports.decide(q.id, answer === 'Approve once' ? { decision: 'allow', by: BY, actionHash: q.actionHash } : { decision: 'deny', by: BY });
    log.info(`queued approval #${q.id}: ${answer} (${r})`);
    if (r === 'decided' && answer === 'Approve once') void vscode.window.showInformationMessage(`Airlock: #${q.id} approved; it runs when the agent makes the same call again.`);
  }
}
