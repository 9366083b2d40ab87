/**
 * Composition root: builds the adapters and registers each feature. Reads like a table of contents.
 */
import * as vscode from 'vscode';
import { loadEffectivePolicy } from './node/policyStore';
import { registerPolicyCommands } from './vscode/policyCommands';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Airlock', { log: true });
  context.subscriptions.push(log);
  try {
    registerPolicyCommands(context, { userPolicy: () => loadEffectivePolicy({ workspaceRoots: [] }).policy, log });
    log.info('Airlock activated');
  } catch (e) {
    void vscode.window.showErrorMessage(`Airlock failed to activate: ${(e as Error).message}`);
    throw e;
  }
}

export function deactivate(): void {
  // Every registration is owned by context.subscriptions and disposed by VS Code.
}
