/**
 * A person's confirmation for commands that loosen the gate (T68). Any installed extension can run
 * Airlock's commands with `vscode.commands.executeCommand`, and VS Code does not say who called.
 * So a command that approves, accepts a looser policy or resumes agents does it only after Airlock's
 * own modal, which no extension can answer. Tightening commands (pause, kill, reject) need none.
 */
import * as vscode from 'vscode';

/** Airlock's modal: resolves true only when a person pressed `button`. */
export async function personConfirms(message: string, detail: string, button: string, log?: vscode.LogOutputChannel): Promise<boolean> {
  const pick = await vscode.window.showWarningMessage(message, { modal: true, detail: `${detail}\n\nOther extensions can run Airlock's commands; only this dialog, answered by you, does it.` }, button);
  if (pick !== button) log?.warn(`not confirmed by a person: ${message}`);
  return pick === button;
}
