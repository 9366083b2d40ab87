/**
 * Checkpoints in the editor: Undo from the run log (a diff per file first, then a modal that says
 * what will change). When the files changed since the step: "Merge" (a three-way merge per text
 * file that keeps those changes and takes back the step's; its result is what the diff shows, with
 * conflict markers where both touched the same lines), or "Undo anyway" (overwrite them) as a
 * second, deliberate choice; when a file cannot be merged (binary, created or deleted), only that.
 * The checkpoint content and the merge result are read-only virtual documents
 * (`airlock-checkpoint:`); `Airlock: Clear Checkpoints` says how many and how much first.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { CheckpointPlanView, CheckpointPort } from '../core/run/checkpointPort';

export const CHECKPOINT_SCHEME = 'airlock-checkpoint';
export const CLEAR_CHECKPOINTS_COMMAND = 'airlock.clearCheckpoints';
/** How many diff editors one undo opens at most (the modal lists every file). */
const MAX_DIFFS = 8;

function person(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'a person in VS Code';
  }
}

export function registerCheckpoints(context: vscode.ExtensionContext, port: CheckpointPort, log: vscode.LogOutputChannel): (runId: string, stepId: string, scope: 'step' | 'run') => Promise<{ ok: boolean; message: string }> {
  const empty = vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: '/empty' });
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(CHECKPOINT_SCHEME, {
      async provideTextDocumentContent(uri) {
        if (uri.path === '/empty') return '';
        const q = new URLSearchParams(uri.query);
        const data = q.get('merged') === '1' ? await port.mergedAt(q.get('checkpoint') ?? '', q.get('rel') ?? '') : await port.contentAt(q.get('checkpoint') ?? '', q.get('rel') ?? '');
        return data === undefined ? '' : Buffer.from(data).toString('utf8');
      },
    }),
    vscode.commands.registerCommand(CLEAR_CHECKPOINTS_COMMAND, async () => {
      const s = await port.stats();
      if (s.checkpoints === 0) {
        void vscode.window.showInformationMessage('Airlock: no checkpoints are kept.');
        return;
      }
      const pick = await vscode.window.showWarningMessage(`Clear ${s.text}?`, { modal: true, detail: 'The steps they belong to can no longer be undone from the run log.' }, 'Clear');
      if (pick !== 'Clear') return;
      const r = await port.clear();
      log.info(`checkpoints cleared (${r.removed})`);
      void vscode.window.showInformationMessage(`Airlock: ${r.removed} checkpoint(s) cleared.`);
    }),
  );

  const showDiffs = async (plans: CheckpointPlanView[], merging: boolean): Promise<void> => {
    let shown = 0;
    for (const p of plans) {
      for (const c of p.changes) {
        if (c.kind === 'rows') continue; // rows are listed in the modal
        if (shown++ >= MAX_DIFFS) return;
        const merged = merging ? p.merge?.files.find((m) => m.rel === c.rel) : undefined;
        const before = c.action === 'delete' ? empty : vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: `/${c.rel}`, query: new URLSearchParams({ checkpoint: p.checkpoint, rel: c.rel, ...(merged ? { merged: '1', at: String(Date.now()) } : {}) }).toString() });
        const now = c.action === 'recreate' ? empty : vscode.Uri.file(c.path);
        // Left: as it is now; right: what the undo puts back (merged: your changes kept, the step's taken back;
        // computed from the file now, so each opening gets its own address instead of a cached document).
        const title = merged ? `Undo by merge: ${c.rel} (now ↔ after the undo${merged.conflicts ? `, ${merged.conflicts} conflict(s) marked` : ', clean'})` : `Undo: ${c.rel} (now ↔ before the step)`;
        await vscode.commands.executeCommand('vscode.diff', now, before, title, { preview: false, preserveFocus: true });
      }
    }
  };

  return async (runId, stepId, scope) => {
    let plans: CheckpointPlanView[];
    try {
      plans = await port.plan(runId, stepId, scope);
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
    const changes = plans.flatMap((p) => p.changes);
    if (!changes.length) return { ok: false, message: 'nothing to undo: the files are already as they were before' };
    const conflicts = [...new Set(plans.flatMap((p) => p.conflicts))];
    // A merge is offered when every file changed since can be merged.
    const canMerge = conflicts.length > 0 && plans.every((p) => !p.conflicts.length || (p.merge !== undefined && p.merge.refused.length === 0));
    await showDiffs(plans, canMerge);
    const list = changes.slice(0, 30).map((c) => (c.kind === 'rows' ? c.rel : `${c.action === 'delete' ? 'remove' : c.action === 'recreate' ? 'bring back' : 'restore'} ${c.rel}`)).join('\n') + (changes.length > 30 ? `\n… and ${changes.length - 30} more` : '');
    const title = scope === 'step' ? 'Undo this step?' : `Restore the run to before this step (${plans.length} step(s))?`;
    const detail = `${plans.map((p) => p.summary).join('\n')}\n\n${list}`;
    let force = false;
    let merge = false;
    if (conflicts.length && canMerge) {
      const files = plans.flatMap((p) => p.merge?.files ?? []);
      const how = files.map((f) => `${f.rel}: ${f.conflicts ? `${f.conflicts} conflict(s) marked, resolve them after` : 'clean'}`).join('\n');
      const pick = await vscode.window.showWarningMessage(
        `${conflicts.length} file(s) changed after the step.`,
        { modal: true, detail: `Merge keeps those changes and takes back the step's (the diffs show the result):\n${how}\n\nUndo anyway puts the files back as they were before the step: those changes are lost.\n\n${detail}` },
        'Merge',
        'Undo anyway',
      );
      if (pick !== 'Merge' && pick !== 'Undo anyway') return { ok: false, message: `cancelled: ${conflicts.length} file(s) changed after the step; nothing was restored` };
      merge = pick === 'Merge';
      force = pick === 'Undo anyway';
    } else if (conflicts.length) {
      const why = plans.flatMap((p) => p.merge?.refused ?? []).map((r) => `${r.rel}: ${r.reason}`);
      const pick = await vscode.window.showWarningMessage(`${conflicts.length} file(s) changed after the step. Undoing would lose those changes.`, { modal: true, detail: `${conflicts.slice(0, 20).join('\n')}${why.length ? `\n\nThey cannot be merged:\n${why.slice(0, 20).join('\n')}` : ''}\n\n${detail}` }, 'Undo anyway');
      if (pick !== 'Undo anyway') return { ok: false, message: `refused: ${conflicts.length} file(s) changed after the step (${conflicts.slice(0, 5).join(', ')}); nothing was restored` };
      force = true;
    } else {
      const pick = await vscode.window.showWarningMessage(title, { modal: true, detail }, 'Undo');
      if (pick !== 'Undo') return { ok: false, message: 'cancelled: nothing was restored' };
    }
    const r = await port.undo(runId, stepId, scope, { force, merge, requestedBy: `${person()} (run log panel)` });
    log.info(`undo (${scope}) of ${stepId}: ${r.message}`);
    if (r.ok) void vscode.window.showInformationMessage(`Airlock: ${r.message}`);
    else void vscode.window.showErrorMessage(`Airlock: ${r.message}`);
    return r;
  };
}
