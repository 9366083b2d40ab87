/**
 * Connect / disconnect agents from the editor (the same installer as `airlock hooks`), a status
 * view with each agent's canary, Show Status, and Open Policy.
 */
import * as vscode from 'vscode';
import type { AgentHooks, GateControl } from '../core/gateControl';
import { renderStatus } from '../core/status';

const AGENT_LABELS: Record<string, string> = { claude: 'Claude Code', copilot: 'GitHub Copilot', cursor: 'Cursor', codex: 'OpenAI Codex CLI', gemini: 'Gemini CLI', cline: 'Cline' };

async function pickAgent(hooks: AgentHooks, verb: string): Promise<{ agent: string; scope: 'user' | 'project' } | undefined> {
  const a = await vscode.window.showQuickPick(hooks.agents.map((id) => ({ label: AGENT_LABELS[id] ?? id, description: id, id })), { title: `Airlock: ${verb} an agent`, placeHolder: 'Which agent?' });
  if (!a) return undefined;
  if (a.id === 'codex') return { agent: a.id, scope: 'user' };
  const s = await vscode.window.showQuickPick(
    [
      { label: 'User settings', description: 'recommended: an agent cannot edit them from the workspace', scope: 'user' as const },
      { label: 'This project', description: 'in the workspace config (the agent could edit it; Airlock asks before it does)', scope: 'project' as const },
    ],
    { title: `Airlock: ${verb} ${a.label}`, placeHolder: 'Where?' },
  );
  return s ? { agent: a.id, scope: s.scope } : undefined;
}

export function registerAgentCommands(context: vscode.ExtensionContext, hooks: AgentHooks, gate: GateControl, log: vscode.LogOutputChannel): void {
  const showRows = async (agent?: string): Promise<void> => {
    const rows = await hooks.status(agent);
    for (const r of rows) log.info(`hooks: ${r.state} ${r.agent} (${r.scope}) ${r.file}: ${r.detail}`);
    const bad = rows.filter((r) => r.state === 'BROKEN');
    const ok = rows.filter((r) => r.state === 'OK');
    const text = rows.map((r) => `${AGENT_LABELS[r.agent] ?? r.agent} (${r.scope}): ${r.state} — ${r.detail}`).join('\n');
    if (bad.length) void vscode.window.showErrorMessage(`Airlock: ${bad.length} agent hook(s) BROKEN. ${bad.map((r) => `${r.agent}: ${r.detail}`).join(' | ')}`, 'Show Log').then((p) => p && log.show());
    else void vscode.window.showInformationMessage(`Airlock: ${ok.length ? `${ok.map((r) => r.agent).join(', ')} connected, canary denied as it should be` : 'no agent connected yet'}.`, { detail: text }, 'Show Log').then((p) => p && log.show());
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('airlock.connectAgent', async () => {
      const p = await pickAgent(hooks, 'Connect');
      if (!p) return;
      try {
        const r = await hooks.install(p.agent, p.scope);
        log.info(`hooks: install ${p.agent} ${p.scope}: ${r.changed ? 'written' : 'already installed'} ${r.file}${r.backup ? ` (backup ${r.backup})` : ''}`);
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Airlock: checking ${AGENT_LABELS[p.agent] ?? p.agent} with a canary…` }, () => showRows(p.agent));
      } catch (e) {
        void vscode.window.showErrorMessage(`Airlock: could not connect ${p.agent}: ${(e as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('airlock.disconnectAgent', async () => {
      const p = await pickAgent(hooks, 'Disconnect');
      if (!p) return;
      try {
        const r = await hooks.uninstall(p.agent, p.scope);
        void vscode.window.showInformationMessage(`Airlock: ${p.agent} ${r.changed ? 'disconnected' : 'was not connected'} (${r.file}). Its actions are no longer judged by Airlock.`);
      } catch (e) {
        void vscode.window.showErrorMessage(`Airlock: could not disconnect ${p.agent}: ${(e as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('airlock.hooksStatus', () =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Airlock: checking agent hooks with canaries…' }, () => showRows()),
    ),
    vscode.commands.registerCommand('airlock.showStatus', () => {
      const s = gate.status();
      const lines = [
        renderStatus(s).label,
        s.reason ? `reason: ${s.reason}` : '',
        `ledger: ${s.ledger.ok ? s.ledger.path : `UNAVAILABLE (${s.ledger.error}) — changes are denied`}`,
        s.bridge ? `bridge: ${s.bridge.url}; this window's discovery file: ${s.bridge.discovery}; agents outside the editor: ${s.bridge.defaultDiscovery === 'other' ? `another gate (pid ${s.bridge.otherPid ?? '?'})` : s.bridge.defaultDiscovery === 'ours' ? 'this window' : 'none'}` : 'bridge: not running',
        `terminals get AIRLOCK_DISCOVERY=${gate.discoveryPath}`,
        `known agent processes: ${gate.agents().map((a) => a.label).join(', ') || 'none yet'}`,
      ].filter((l) => l);
      for (const l of lines) log.info(`status: ${l}`);
      void vscode.window.showInformationMessage(`Airlock: ${lines[0]}`, { detail: lines.slice(1).join('\n') }, 'Show Log').then((p) => p && log.show());
    }),
    vscode.commands.registerCommand('airlock.openPolicy', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const items = [
        { label: 'Your policy (all workspaces)', description: `${gate.home}/policy.json`, uri: vscode.Uri.file(`${gate.home}/policy.json`) },
        ...(folder ? [{ label: 'This workspace’s policy (shared with the team)', description: '.airlock/policy.json', uri: vscode.Uri.joinPath(folder.uri, '.airlock', 'policy.json') }] : []),
      ];
      const pick = await vscode.window.showQuickPick(items, { title: 'Airlock: open policy' });
      if (!pick) return;
      try {
        await vscode.workspace.fs.stat(pick.uri);
      } catch {
        await vscode.workspace.fs.writeFile(pick.uri, new TextEncoder().encode('{\n  "version": 1,\n  "rules": []\n}\n'));
      }
      await vscode.window.showTextDocument(pick.uri);
    }),
  );
}
