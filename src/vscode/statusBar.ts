/**
 * One status bar item (id `airlock.status`) rendering one state value (core/status.ts renderStatus).
 * A click opens the Airlock menu (command `airlock.menu`). The entry (src/vscode/entry.ts) creates the
 * item and shows "starting" at activation; the full start (src/extension.ts) binds it to the gate.
 */
import * as vscode from 'vscode';
import type { AirlockStatus } from '../core/gateControl';
import { renderStatus } from '../core/status';

export interface StatusSource {
  status(): AirlockStatus;
  onStatus(listener: (s: AirlockStatus) => void): () => void;
}

/** The item, not shown yet (same id, place and priority whoever creates it). */
export function createStatusItem(): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('airlock.status', vscode.StatusBarAlignment.Left, 1000);
  item.name = 'Airlock';
  item.command = 'airlock.menu';
  return item;
}

/** Copies one state onto the item (and the `airlock.state` / `airlock.pending` context keys the menus use). */
export function renderStatusItem(item: vscode.StatusBarItem, s: AirlockStatus): void {
  const v = renderStatus(s);
  item.text = v.text;
  item.tooltip = v.tooltip;
  item.accessibilityInformation = { label: v.label, role: 'button' };
  item.backgroundColor = v.tone === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : v.tone === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  void vscode.commands.executeCommand('setContext', 'airlock.state', s.gate);
  void vscode.commands.executeCommand('setContext', 'airlock.pending', s.pending);
}

/** Binds the item (a new one, or the entry's) to the gate's status for the rest of the session. */
export function registerStatusBar(context: vscode.ExtensionContext, source: StatusSource, item: vscode.StatusBarItem = createStatusItem()): void {
  renderStatusItem(item, source.status());
  item.show();
  const off = source.onStatus((s) => renderStatusItem(item, s));
  context.subscriptions.push(item, { dispose: off });
}
