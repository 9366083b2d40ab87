/** The Airlock menu (status bar click): a QuickPick of what makes sense in the current state. */
import * as vscode from 'vscode';
import type { AirlockStatus } from '../core/gateControl';
import { renderStatus } from '../core/status';

interface MenuItem extends vscode.QuickPickItem {
  command: string;
}

export function menuItems(s: AirlockStatus): MenuItem[] {
  const items: MenuItem[] = [];
  if (s.pending > 0) items.push({ label: `$(bell-dot) Review ${s.pending} pending approval${s.pending === 1 ? '' : 's'}`, command: 'airlock.reviewPending' });
  if (s.run?.status === 'paused') items.push({ label: `$(debug-continue) Resume Run`, description: `the ${s.run.agent} run was paused${s.run.statusReason ? `: ${s.run.statusReason}` : ''}`, command: 'airlock.resumeRun' });
  if (s.run && s.budget) items.push({ label: `$(credit-card) Raise Budget for This Run…`, description: s.budget.exhausted ? `budget reached (${s.budget.detail})` : s.budget.detail, command: 'airlock.raiseRunBudget' });
  items.push({ label: '$(list-tree) Open Run Log', command: 'airlock.openRunLog' });
  if (s.gate === 'armed') items.push({ label: '$(debug-pause) Pause All Agents', description: 'deny every action until you resume', command: 'airlock.pause' });
  if (s.gate === 'paused') items.push({ label: '$(debug-continue) Resume', command: 'airlock.resume' });
  if (s.gate !== 'killed') items.push({ label: '$(circle-slash) Kill Switch', description: 'latch, deny everything, end agent processes', command: 'airlock.kill' });
  if (s.gate === 'killed') items.push({ label: '$(unlock) Un-latch Kill Switch…', command: 'airlock.unkill' });
  items.push({ label: '$(plug) Connect an Agent…', command: 'airlock.connectAgent' });
  items.push({ label: '$(debug-disconnect) Disconnect an Agent…', command: 'airlock.disconnectAgent' });
  items.push({ label: '$(pulse) Agent Hook Status', command: 'airlock.hooksStatus' });
  items.push({ label: '$(law) Open Policy', command: 'airlock.openPolicy' });
  items.push({ label: '$(info) Show Status', command: 'airlock.showStatus' });
  return items;
}

/** The checkpoints line of the menu: how many, how much, the last one; picking it offers to clear them. */
export async function checkpointMenuItem(stats: () => Promise<{ checkpoints: number; text: string }>): Promise<MenuItem[]> {
  try {
    const s = await stats();
    return [{ label: '$(history) Checkpoints', description: s.text, detail: s.checkpoints ? 'Undo is in the run log; pick this to clear them' : 'none kept yet', command: 'airlock.clearCheckpoints' }];
  } catch (e) {
    return [{ label: '$(history) Checkpoints', description: `cannot read the checkpoint store: ${(e as Error).message}`, command: 'airlock.clearCheckpoints' }];
  }
}

export function registerMenu(context: vscode.ExtensionContext, status: () => AirlockStatus, extra?: () => Promise<MenuItem[]>): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('airlock.menu', async () => {
      const s = status();
      const items = menuItems(s);
      if (extra) items.splice(items.findIndex((i) => i.command === 'airlock.openRunLog') + 1, 0, ...(await extra()));
      const pick = await vscode.window.showQuickPick(items, { title: `Airlock — ${renderStatus(s).label}`, placeHolder: 'Choose an action' });
      if (!pick) return;
      try {
        await vscode.commands.executeCommand(pick.command);
      } catch (e) {
        void vscode.window.showErrorMessage(`Airlock: ${pick.command} failed: ${(e as Error).message}`);
      }
    }),
  );
}
