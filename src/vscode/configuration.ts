/** The only place that reads Airlock's settings: parsed with safe defaults (core/config.ts). */
import * as vscode from 'vscode';
import { CONFIG_KEYS, parseEditorConfig, type EditorConfig } from '../core/config';

export function readConfig(): EditorConfig {
  const c = vscode.workspace.getConfiguration('airlock');
  const raw: Partial<Record<keyof EditorConfig, unknown>> = {};
  for (const [k, key] of Object.entries(CONFIG_KEYS) as [keyof EditorConfig, string][]) raw[k] = c.get(key);
  return parseEditorConfig(raw);
}

/** Calls `listener` with the new settings whenever an Airlock setting changes. */
export function onConfigChange(context: vscode.ExtensionContext, listener: (c: EditorConfig) => void): void {
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('airlock') && listener(readConfig())));
}
