/**
 * The editor's checkpoint port (src/core/run/checkpointPort.ts) over the checkpoint store, the
 * ledger's steps (read through the run log queries) and the window's gate. A step whose database
 * writes have before-images is undone through the same Undo (plan, modal, gate, ledger step):
 * dbUndoRows.ts.
 */
import { join } from 'node:path';
import { checkpointStatusText, type CheckpointPlanView, type CheckpointPort, type CheckpointStats } from '../../core/run/checkpointPort';
import type { RunLogQueries } from '../../core/run/runLogQueries';
import type { GateLike } from '../mcp/tools';
import { checkpointOfStep } from './gateCheckpoints';
import { dbPlanView, pendingImages, type PanelDbUndo } from './dbUndoRows';
import type { CheckpointStore } from './store';
import { describePlan, undoCheckpointStep, undoRunTo, type CheckpointStep } from './undo';

export class PanelCheckpoints implements CheckpointPort {
  constructor(
    private readonly store: CheckpointStore,
    private readonly queries: () => RunLogQueries,
    private readonly gate: () => GateLike | undefined,
    private readonly sessionId: string,
    private readonly db?: () => PanelDbUndo | undefined,
  ) {}

  /** The step's database undo, when it is one (before-images not undone yet, and no file checkpoint). */
  private dbStep(runId: string, stepId: string): { seq: number; images: ReturnType<typeof pendingImages> } | undefined {
    const images = pendingImages(this.db?.(), stepId);
    if (!images.length) return undefined;
    const row = this.queries().stepDetail(stepId)?.row;
    if (!row || row.decision !== 'allow' || row.checkpoint) return undefined;
    return { seq: row.seq, images };
  }

  /** The checkpointed steps of the step's run, and the step itself. */
  private steps(runId: string, stepId: string): { step: CheckpointStep; run: CheckpointStep[] } {
    const q = this.queries();
    const run: CheckpointStep[] = [];
    const total = q.pageSteps(runId, {}, 0, 1).total;
    for (let off = 0; off < total; off += 200) {
      for (const r of q.pageSteps(runId, {}, off, 200).rows) {
        const cp = checkpointOfStep(r);
        if (cp) run.push({ stepId: r.id, runId, seq: r.seq, tool: r.tool, checkpoint: cp, summary: r.summary });
      }
    }
    const step = run.find((s) => s.stepId === stepId);
    if (!step) throw new Error(`step ${stepId} of run ${runId} has no checkpoint (it changed no workspace files, was not allowed, or ran before checkpoints)`);
    return { step, run };
  }

  async plan(runId: string, stepId: string, scope: 'step' | 'run'): Promise<CheckpointPlanView[]> {
    const db = this.dbStep(runId, stepId);
    if (db) {
      if (scope === 'run') throw new Error(`step #${db.seq} changed database rows: undo it on its own (restoring a run to before a step covers workspace files)`);
      return [dbPlanView(stepId, db.seq, db.images)];
    }
    const { step, run } = this.steps(runId, stepId);
    const todo = scope === 'step' ? [step] : run.filter((s) => s.seq >= step.seq).sort((a, b) => b.seq - a.seq);
    const out: CheckpointPlanView[] = [];
    for (const s of todo) {
      const p = await this.store.plan(s.checkpoint);
      if (!p) throw new Error(`the checkpoint of step #${s.seq} is gone (pruned or cleared)`);
      const view: CheckpointPlanView = { stepId: s.stepId, checkpoint: s.checkpoint, summary: describePlan(`#${s.seq}`, p), changes: p.changes.map((c) => ({ path: join(p.root, c.path), rel: c.path, action: c.action })), conflicts: p.conflicts, afterRecorded: p.afterRecorded };
      if (p.conflicts.length) {
        const m = await this.store.mergePlan(s.checkpoint);
        if (m) view.merge = { files: m.merge.merged.map((f) => ({ path: join(p.root, f.path), rel: f.path, conflicts: f.conflicts })), refused: m.merge.refused.map((r) => ({ rel: r.path, reason: r.reason })) };
      }
      out.push(view);
    }
    return out;
  }

  async contentAt(checkpoint: string, rel: string): Promise<Uint8Array | undefined> {
    return this.store.contentAt(checkpoint, rel);
  }

  async mergedAt(checkpoint: string, rel: string): Promise<Uint8Array | undefined> {
    return (await this.store.mergePlan(checkpoint))?.merge.merged.find((m) => m.path === rel)?.content;
  }

  async undo(runId: string, stepId: string, scope: 'step' | 'run', o: { force: boolean; merge?: boolean; requestedBy: string }): Promise<{ ok: boolean; message: string }> {
    const gate = this.gate();
    if (!gate) return { ok: false, message: 'the gate of this window is not running (killed, stopped or starting); nothing is undone until it is armed' };
    const db = this.dbStep(runId, stepId);
    if (db) {
      if (scope === 'run') return { ok: false, message: `step #${db.seq} changed database rows: undo it on its own` };
      const r = await this.db!()!.undo(stepId, o.requestedBy);
      return r.ok ? { ok: true, message: `step #${db.seq} undone: ${r.rowsRestored} row(s) put back in ${r.tables.join(', ')}` } : { ok: false, message: r.message };
    }
    const { step, run } = this.steps(runId, stepId);
    const opts = { store: this.store, gate, sessionId: this.sessionId, requestedBy: o.requestedBy, force: o.force, ...(o.merge ? { merge: true } : {}) };
    if (scope === 'run') return undoRunTo(run, step.stepId, opts);
    const r = await undoCheckpointStep(step, opts);
    if (!r.ok) return { ok: false, message: r.message };
    const marked = (r.merged ?? []).filter((m) => m.conflicts > 0);
    const merged = r.merged?.length ? `, ${r.merged.length} merged keeping your changes${marked.length ? ` (conflict markers to resolve in ${marked.map((m) => m.path).join(', ')})` : ''}` : '';
    return { ok: true, message: `step #${step.seq} undone: ${r.restored.length - (r.merged?.length ?? 0)} file(s) restored, ${r.deleted.length} removed${merged}${r.verified ? '' : ' (the result differs from the checkpoint: look at the files)'}` };
  }

  async stats(): Promise<CheckpointStats> {
    const s = await this.store.stats();
    const out = { checkpoints: s.checkpoints, bytes: s.bytes, ...(s.last ? { last: { createdAt: s.last.createdAt, files: s.last.files, bytes: s.last.bytes } } : {}) };
    return { ...out, text: checkpointStatusText(out) };
  }

  clear(): Promise<{ removed: number }> {
    return this.store.clear();
  }
}
