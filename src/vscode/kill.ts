/**
 * The kill switch and pause in the editor. Kill needs no confirmation (it is the emergency brake and
 * undoing it is one deliberate command); un-latching asks for confirmation in a modal.
 */
import * as vscode from 'vscode';
import { personConfirms } from './gesture';
import type { GateControl, KillReport } from '../core/gateControl';

async function terminalShellPids(): Promise<number[]> {
  const pids = await Promise.all(vscode.window.terminals.map((t) => Promise.resolve(t.processId).catch(() => undefined)));
  return pids.filter((p): p is number => typeof p === 'number' && p > 1);
}

export function describeKill(r: KillReport): string {
  const ended = r.trees.filter((t) => !t.skipped && t.killed.length);
  // An agent that had already exited is not "left running": it is not worth a line.
  const left = r.trees.filter((t) => t.skipped && t.skipped !== 'no longer running');
  return [
    `Airlock KILLED: ${r.deniedPending} pending approval(s) denied`,
    ended.length ? `ended ${ended.map((t) => `${t.label} (${t.killed.length} process${t.killed.length === 1 ? '' : 'es'})`).join('; ')}` : 'no agent process known to end',
    ...(left.length ? [`left running (the flag denies their actions): ${left.map((t) => `${t.label}: ${t.skipped}`).join('; ')}`] : []),
    ...(r.stoppedOtherGate ? [r.stoppedOtherGate] : []),
    'Nothing runs until you un-latch it (Airlock: Un-latch Kill Switch).',
  ].join('. ');
}

export function registerKillSwitch(context: vscode.ExtensionContext, gate: GateControl, log: vscode.LogOutputChannel, endProcesses: () => boolean): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('airlock.kill', async () => {
      const report = await gate.kill('pulled in VS Code', endProcesses() ? await terminalShellPids() : []);
      const text = describeKill(report);
      log.warn(text);
      void vscode.window.showErrorMessage(text, 'Un-latch…').then((p) => p && vscode.commands.executeCommand('airlock.unkill'));
    }),
    vscode.commands.registerCommand('airlock.unkill', async () => {
      if (gate.status().gate !== 'killed') {
        void vscode.window.showInformationMessage('Airlock: the kill switch is not latched.');
        return;
      }
      const ok = await vscode.window.showWarningMessage(
        'Airlock: un-latch the kill switch?',
        { modal: true, detail: `It was pulled: ${gate.status().reason ?? 'no reason recorded'}.\nAfter un-latching, the gate starts again with a new token and agents can act again (destructive actions still wait for you). Agents that were ended stay ended.` },
        'Un-latch',
      );
      if (ok !== 'Un-latch') return;
      await gate.unkill();
      log.info('kill switch un-latched in the editor');
      void vscode.window.showInformationMessage(`Airlock: kill switch un-latched; the gate is ${gate.status().gate}.`);
    }),
    vscode.commands.registerCommand('airlock.pause', () => {
      gate.pause('paused in VS Code');
      void vscode.window.showWarningMessage('Airlock: all agents paused; their actions are denied until you resume.', 'Resume').then((p) => p && gate.resume());
    }),
    vscode.commands.registerCommand('airlock.resume', async () => {
      if (gate.status().gate !== 'paused') return;
      if (!(await personConfirms('Airlock: resume all agents?', `Paused: ${gate.status().reason ?? 'no reason recorded'}. After resuming, agents act again (destructive actions still wait for you).`, 'Resume', log))) return;
      gate.resume();
      log.info('resumed in the editor (confirmed by a person)');
      void vscode.window.showInformationMessage('Airlock: resumed.');
    }),
  );
}
