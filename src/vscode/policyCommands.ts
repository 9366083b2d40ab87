/** Editor commands about the policy: validate the workspace's `.airlock/policy.json`. */
import * as vscode from 'vscode';
import { loosenings, parsePolicyText, type EffectivePolicy } from '../core/policy/layers';

export interface PolicyPorts {
  /** The user's effective policy (without the workspace layer), for the loosening comparison. */
  userPolicy(): EffectivePolicy;
  log: vscode.LogOutputChannel;
}

export function registerPolicyCommands(context: vscode.ExtensionContext, ports: PolicyPorts): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('airlock.validatePolicy', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        void vscode.window.showWarningMessage('Airlock: open a folder to validate its .airlock/policy.json.');
        return;
      }
      const uri = vscode.Uri.joinPath(folder.uri, '.airlock', 'policy.json');
      let text: string;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch {
        void vscode.window.showInformationMessage('Airlock: this workspace has no .airlock/policy.json; the baseline and your user policy apply.');
        return;
      }
      const r = parsePolicyText(text);
      if (!r.ok) {
        ports.log.warn(`policy ${uri.fsPath} invalid: ${r.error}`);
        void vscode.window.showErrorMessage(`Airlock: policy is invalid (${r.error}). The last known good policy plus the baseline apply.`);
        return;
      }
      const loose = loosenings(r.policy, ports.userPolicy());
      const msg = loose.length
        ? `Airlock: policy is valid. It would loosen your policy (${loose.map((l) => l.what).join('; ')}); those parts wait for your acknowledgement.`
        : `Airlock: policy is valid (${r.policy.rules.length} rules). It only tightens your policy.`;
      void vscode.window.showInformationMessage(msg);
    }),
  );
}
