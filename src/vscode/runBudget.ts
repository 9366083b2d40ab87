/**
 * A person acts on the current run (the run with the most recent step): raise its budget past the
 * policy's limit, or resume it after a loop signal paused it. Both go to the gate's RunLimits
 * through GateControl; the status bar shows the result (cost, budget, paused).
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { personConfirms } from './gesture';
import type { GateControl } from '../core/gateControl';
import { formatUsd } from '../core/status';

export const RAISE_BUDGET_COMMAND = 'airlock.raiseRunBudget';
export const RESUME_RUN_COMMAND = 'airlock.resumeRun';

/** Largest single raise accepted from the input box (a typo guard, not a policy). */
const MAX_RAISE_USD = 10_000;

/** The input box's check: a positive amount of dollars; undefined when valid. */
export function checkRaise(text: string): string | undefined {
  const v = Number(text.trim().replace(/^\$/, ''));
  if (!text.trim() || !Number.isFinite(v) || v <= 0) return 'Enter a positive amount of US dollars, e.g. 2 or 0.50';
  if (v > MAX_RAISE_USD) return `At most $${MAX_RAISE_USD} at once`;
  return undefined;
}

function person(): string {
  try {
    return `${os.userInfo().username} (VS Code)`;
  } catch {
    return 'a person in VS Code';
  }
}

export function registerRunCommands(context: vscode.ExtensionContext, gate: GateControl, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(RAISE_BUDGET_COMMAND, async () => {
      const s = gate.status();
      if (!s.run) {
        void vscode.window.showInformationMessage('Airlock: no run has been recorded yet; there is no budget to raise.');
        return;
      }
      const b = s.budget;
      const text = await vscode.window.showInputBox({
        title: `Raise the budget of the current ${s.run.agent} run`,
        prompt: b ? `${b.exhausted ? 'Budget reached' : `${Math.floor(b.fraction * 100)} % spent`}: ${b.detail}. How many US dollars more may this run spend?` : 'The policy sets no budget for this run. How many US dollars more may it spend once one is set?',
        placeHolder: '2.00',
        ignoreFocusOut: true,
        validateInput: checkRaise,
      });
      if (text === undefined) return;
      const extra = Number(text.trim().replace(/^\$/, ''));
      const r = gate.raiseRunBudget(extra, person());
      if (!r.ok) {
        log.warn(`budget raise refused: ${r.error}`);
        void vscode.window.showErrorMessage(`Airlock: the budget was not raised: ${r.error}`);
        return;
      }
      log.info(`budget of run ${r.runId} raised by ${formatUsd(extra)}${r.budget ? ` (${r.budget.detail})` : ''}`);
      void vscode.window.showInformationMessage(`Airlock: the run may spend ${formatUsd(extra)} more${r.budget ? ` (${r.budget.detail})` : ''}.`);
    }),
    vscode.commands.registerCommand(RESUME_RUN_COMMAND, async () => {
      if (!(await personConfirms('Airlock: resume the paused run?', 'The run was paused after repeated denials or its budget. Its next actions are judged again.', 'Resume Run', log))) return;
      const r = gate.resumeRun();
      if (!r.ok) {
        void vscode.window.showInformationMessage(`Airlock: nothing to resume: ${r.error}.`);
        return;
      }
      log.info(`run ${r.runId} resumed in the editor`);
      void vscode.window.showInformationMessage('Airlock: the run was resumed; its next actions are judged again.');
    }),
  );
}
