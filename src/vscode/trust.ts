/**
 * "Airlock: Manage Trusted Programs": the person's learned trust for this workspace, listed in a
 * quick pick; choosing an entry offers to revoke it. Trust is added from an approval notification
 * ("Trust X in This Workspace") or with `airlock policy trust add`.
 */
import * as vscode from 'vscode';
import type { TrustStore } from '../core/trust';

export function registerTrustCommands(context: vscode.ExtensionContext, store: TrustStore | undefined, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('airlock.manageTrust', async () => {
      if (!store) {
        void vscode.window.showInformationMessage('Airlock: open a folder to manage the programs trusted in it.');
        return;
      }
      const entries = store.list();
      if (entries.length === 0) {
        void vscode.window.showInformationMessage(`Airlock: no program is trusted in ${store.workspace}. Trust one from an approval ("Trust … in This Workspace") or with \`airlock policy trust add\`.`);
        return;
      }
      const pick = await vscode.window.showQuickPick(
        entries.map((e) => ({
          label: e.program,
          description: `${e.class} · ${e.kind === 'file' ? `content ${e.sha256?.slice(0, 12)}` : e.path}`,
          detail: `trusted ${e.addedAt} by ${e.by} · id ${e.id}`,
          id: e.id,
        })),
        { title: `Airlock: programs trusted in ${store.workspace}`, placeHolder: 'Choose one to revoke' },
      );
      if (!pick) return;
      const ok = await vscode.window.showWarningMessage(`Revoke the trust for ${pick.label}? Airlock will ask again the next time it runs.`, { modal: true }, 'Revoke');
      if (ok !== 'Revoke') return;
      const done = store.revoke(pick.id);
      log.info(`trust ${pick.id} (${pick.label}) ${done ? 'revoked' : 'not found'}`);
      void vscode.window.showInformationMessage(done ? `Airlock: ${pick.label} is no longer trusted in this workspace.` : `Airlock: that trust entry was already gone.`);
    }),
  );
}
