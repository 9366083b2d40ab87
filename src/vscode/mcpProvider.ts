/**
 * Registers `airlock mcp` with VS Code (contributes.mcpServerDefinitionProviders, id "airlock"), so
 * Copilot and other MCP clients in the editor get Airlock's gated tools. The server forwards every
 * call to this window's gate (its discovery file), so approvals show here.
 *
 * Guarded: a VS Code without the API logs it and skips.
 */
import * as vscode from 'vscode';

export const MCP_PROVIDER_ID = 'airlock';

type McpLaunchDef = { label: string; command: string; args: string[]; env: Record<string, string>; cwd?: string; version: string };

export interface McpLaunchPort {
  /** How to start the server (node/mcpDefinition.ts). */
  launch(): McpLaunchDef | Promise<McpLaunchDef>;
  /** Is the window's gate armed (so the server can forward to it)? */
  gateArmed(): boolean;
  /** Fires when the gate's state changes (killed, re-armed). */
  onGateChange(listener: () => void): () => void;
  /** Fires when the launch changes otherwise (database connections added or removed). */
  onLaunchChange?(listener: () => void): () => void;
}

export function registerMcpServer(context: vscode.ExtensionContext, port: McpLaunchPort, log: vscode.LogOutputChannel): void {
  const lm = (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
  const Def = (vscode as { McpStdioServerDefinition?: typeof vscode.McpStdioServerDefinition }).McpStdioServerDefinition;
  if (typeof lm?.registerMcpServerDefinitionProvider !== 'function' || typeof Def !== 'function') {
    log.warn('MCP: this VS Code has no vscode.lm.registerMcpServerDefinitionProvider; `airlock mcp` is not registered (add it to your MCP config by hand, see docs/mcp.md)');
    return;
  }
  const changed = new vscode.EventEmitter<void>();
  context.subscriptions.push(changed);
  let armed = port.gateArmed();
  const off = port.onGateChange(() => {
    const now = port.gateArmed();
    if (now !== armed) {
      armed = now;
      changed.fire();
    }
  });
  context.subscriptions.push({ dispose: off });
  const offLaunch = port.onLaunchChange?.(() => changed.fire());
  if (offLaunch) context.subscriptions.push({ dispose: offLaunch });
  const provider: vscode.McpServerDefinitionProvider<vscode.McpStdioServerDefinition> = {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: async () => {
      const l = await port.launch();
      const def = new Def(l.label, l.command, l.args, l.env, l.version);
      if (l.cwd) def.cwd = vscode.Uri.file(l.cwd);
      return [def];
    },
    resolveMcpServerDefinition: (server) => {
      if (!port.gateArmed()) {
        // Fail closed and say why: the server would refuse to start without the window's gate.
        void vscode.window.showWarningMessage('Airlock: the MCP server starts only while this window\'s gate is armed (it is killed, stopped or not started yet).');
        return undefined;
      }
      return server;
    },
  };
  try {
    context.subscriptions.push(lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider));
    log.info('MCP: `airlock mcp` registered with the editor (forwards to this window\'s gate)');
  } catch (e) {
    log.error(`MCP: could not register the server definition provider: ${(e as Error).message}`);
  }
}
