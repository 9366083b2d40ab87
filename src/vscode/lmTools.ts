/**
 * Airlock's tools as language model tools for Copilot agent mode (contributes.languageModelTools).
 * prepareInvocation shows the gate's view of the call (inline confirmation for asks); invoke runs it
 * through the window's gate again and returns the Airlock envelope as JSON text. A denial comes back
 * as the error envelope (the model reads the reason); nothing here throws it away.
 *
 * The behaviour lives in node/editorTools.ts (composed in extension.ts); this file only adapts it.
 */
import * as vscode from 'vscode';
import type { Envelope } from '../core/tools/contract';
import type { PreparedView } from '../core/tools/editorTools';

export interface LmToolsPort {
  /** The language model tool names to register (the package.json entries). */
  names: readonly string[];
  prepare(name: string, input: unknown): Promise<PreparedView>;
  invoke(name: string, input: unknown): Promise<Envelope>;
}

export function registerLanguageModelTools(context: vscode.ExtensionContext, port: LmToolsPort, log: vscode.LogOutputChannel): void {
  const lm = (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
  if (typeof lm?.registerTool !== 'function') {
    log.warn('language model tools: this VS Code has no vscode.lm.registerTool; Copilot agent mode cannot use Airlock tools here');
    return;
  }
  for (const name of port.names) {
    const tool: vscode.LanguageModelTool<unknown> = {
      prepareInvocation: async (options) => {
        try {
          const v = await port.prepare(name, options.input);
          return {
            invocationMessage: v.invocationMessage,
            ...(v.confirmation ? { confirmationMessages: { title: v.confirmation.title, message: new vscode.MarkdownString(v.confirmation.message) } } : {}),
          };
        } catch (e) {
          // The preview failed: ask the person (invoke still goes through the gate).
          log.error(`language model tool ${name}: preview failed: ${(e as Error).message}`);
          return { invocationMessage: `Airlock ${name}`, confirmationMessages: { title: `Airlock could not preview ${name}`, message: `Airlock could not judge this call in advance (${(e as Error).message}). Continue sends it to the gate, which judges it before anything runs.` } };
        }
      },
      invoke: async (options) => {
        const env = await port.invoke(name, options.input);
        if (!env.ok) log.info(`language model tool ${name}: ${env.error.code}: ${env.error.message}`);
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(JSON.stringify(env))]);
      },
    };
    try {
      context.subscriptions.push(lm.registerTool(name, tool));
    } catch (e) {
      // Not contributed in package.json, or the API refused it: said, and the rest still register.
      log.error(`language model tool ${name} could not be registered: ${(e as Error).message}`);
    }
  }
  log.info(`language model tools registered: ${port.names.join(', ')}`);
}
