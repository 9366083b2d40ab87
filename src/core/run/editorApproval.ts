/**
 * Approvals given in the editor, and how each was given (threat T68: other extensions call our
 * commands).
 *
 * VS Code cannot tell who ran a command: any installed extension can call
 * `vscode.commands.executeCommand('airlock.approveProposed', stepId)` with no person involved, and
 * anything a command takes as an argument (a step id, a URI, even a nonce put in a URI or a CodeLens)
 * can be read by another extension from the open tabs or `vscode.executeCodeLensProvider`. So:
 *
 * - the notification's buttons and the run log webview (its own nonce, strict schema) approve
 *   directly: no other extension can press them or post to the webview's host;
 * - an editor command (the Approve button in a proposed change's title bar, the command palette, or
 *   another extension) never approves by itself. It opens Airlock's own confirmation, which only a
 *   person can answer: a modal naming the effect, or the typed word for irreversible and
 *   security-config asks. Not confirmed = refused, with the reason written to the step (it reaches the
 *   ledger with the step's outcome) and to the log;
 * - every approval records the way it was given (`approvedBy`), so the ledger says whether a
 *   notification button, Airlock's confirmation dialog, the typed word or the run log approved it.
 *
 * Pure: the dialogs and the queue come in as ports (src/vscode/approvals.ts wires them).
 */
import type { ApprovalQueue, DecideResult } from './approver';

/** The ways a person approves in the editor. */
export type ApprovalWay = 'notification' | 'confirm-dialog' | 'typed-word' | 'trust' | 'allow-for-run';

const WAY_TEXT: Record<ApprovalWay, string> = {
  notification: 'Approve in Airlock\'s notification',
  'confirm-dialog': 'an approve command, confirmed in Airlock\'s dialog',
  'typed-word': 'typed the confirmation word in Airlock\'s box',
  trust: 'Trust in Airlock\'s notification',
  'allow-for-run': 'Allow for This Run in Airlock\'s notification',
};

/** The `by` of an approval: who, and the way it was given (recorded in the ledger with the step). */
export function approvedBy(way: ApprovalWay, who = 'a person in VS Code'): string {
  return `${who} (${WAY_TEXT[way]})`;
}

/** What the editor showed for a pending step: the approval is bound to `shownHash`. */
export interface ShownStep {
  shownHash: string;
  /** Irreversible or security-config: approving needs the typed word. */
  critical: boolean;
}

export interface CommandApprovalPorts {
  queue: Pick<ApprovalQueue, 'decide'> & Partial<Pick<ApprovalQueue, 'note'>>;
  /** The step as the editor showed it, or undefined when it is not pending here. */
  shown(stepId: string): ShownStep | undefined;
  /**
   * Airlock's own confirmation, answered only by a person: a modal for routine asks, the typed word
   * for critical ones. Resolves with the way the person confirmed, or undefined (dismissed, Escape,
   * a wrong word).
   */
  confirm(stepId: string, step: ShownStep): Promise<Extract<ApprovalWay, 'confirm-dialog' | 'typed-word'> | undefined>;
  log(line: string): void;
  who?: string;
}

export type CommandApprovalResult = { outcome: 'approved'; result: DecideResult; by: string } | { outcome: 'refused'; reason: string };

/** Why an approve command that nobody confirmed approves nothing (said to the log and the step). */
export const UNCONFIRMED_COMMAND =
  'an approve command was refused: it was not confirmed by a person in Airlock\'s own dialog (any installed extension can run editor commands; only Airlock\'s dialogs, notifications and run log approve)';

/**
 * The handler behind `airlock.approveProposed` (and any command that would approve): whoever ran
 * the command, the approval happens only when a person confirms it in Airlock's dialog.
 */
export async function approveByCommand(stepId: string | undefined, ports: CommandApprovalPorts): Promise<CommandApprovalResult> {
  if (!stepId) {
    const reason = 'an approve command named no pending request';
    ports.log(reason);
    return { outcome: 'refused', reason };
  }
  const step = ports.shown(stepId);
  if (!step) {
    const reason = `an approve command named ${stepId.slice(0, 80)}, which is not pending in this window`;
    ports.log(reason);
    return { outcome: 'refused', reason };
  }
  let way: Awaited<ReturnType<CommandApprovalPorts['confirm']>>;
  try {
    way = await ports.confirm(stepId, step);
  } catch (e) {
    way = undefined;
    ports.log(`${stepId}: the confirmation dialog failed: ${(e as Error)?.message ?? String(e)}`);
  }
  if (!way) {
    ports.log(`${stepId}: ${UNCONFIRMED_COMMAND}`);
    ports.queue.note?.(stepId, UNCONFIRMED_COMMAND);
    return { outcome: 'refused', reason: UNCONFIRMED_COMMAND };
  }
  const by = approvedBy(way, ports.who);
  const result = ports.queue.decide(stepId, { decision: 'allow', by, actionHash: step.shownHash });
  ports.log(`${stepId}: approve (${way}) -> ${result}`);
  return { outcome: 'approved', result, by };
}
