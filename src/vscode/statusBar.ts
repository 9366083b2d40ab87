/**
 * One status bar item (id `airlock.status`) rendering one state value (core/status.ts renderStatus).
 * A click opens the Airlock menu (command `airlock.menu`).
 */
import * as vscode from 'vscode';
import type { AirlockStatus } from '../core/gateControl';
import { renderStatus } from '../core/status';

export interface StatusSource {
  status(): AirlockStatus;
  onStatus(listener: (s: AirlockStatus) => void): () => void;
}

export function registerStatusBar(context: vscode.ExtensionContext, source: StatusSource): void {
  const item = vscode.window.createStatusBarItem('airlock.status', vscode.StatusBarAlignment.Left, 1000);
  item.name = 'Airlock';
  item.command = 'airlock.menu';
  const render = (s: AirlockStatus): void => {
    const v = renderStatus(s);
    item.text = v.text;
    item.tooltip = v.tooltip;
    item.accessibilityInformation = { label: v.label, role: 'button' };
    item.backgroundColor = v.tone === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : v.tone === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    void vscode.commands.executeCommand('setContext', 'airlock.state', s.gate);
    void vscode.commands.executeCommand('setContext', 'airlock.pending', s.pending);
  };
  render(source.status());
  item.show();
  const off = source.onStatus(render);
  context.subscriptions.push(item, { dispose: off });
}
