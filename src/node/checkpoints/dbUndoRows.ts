/**
 * Database undo in the run log: which steps have before-images of the rows they changed (kept in the
 * effect store, not the ledger), the rows an undo would put back, and the run log rows marked so
 * the panel shows Undo on them (the same button, modal and gate path as a file checkpoint Undo).
 */
import type { RunLogQueries } from '../../core/run/runLogQueries';
import type { CheckpointPlanView } from '../../core/run/checkpointPort';
import type { StoredBeforeImage } from '../ledger/idempotency';

/** What the panel needs of database undo (wired in extension.ts over the effect store and db/undo.ts). */
export interface PanelDbUndo {
  /** Before-images of the step's database writes (the ledger step id), in restore order. */
  images(stepId: string): StoredBeforeImage[];
  /** Undo them through the gate (judged and recorded as its own `db_undo` step). */
  undo(stepId: string, requestedBy: string): Promise<{ ok: true; rowsRestored: number; tables: string[] } | { ok: false; message: string }>;
}

/** Images not undone yet. */
export function pendingImages(db: PanelDbUndo | undefined, stepId: string): StoredBeforeImage[] {
  if (!db) return [];
  try {
    return db.images(stepId).filter((i) => i.undoneAt === null);
  } catch {
    return [];
  }
}

/** The plan view of a database undo: one row entry per table image. */
export function dbPlanView(stepId: string, seq: number, images: readonly StoredBeforeImage[]): CheckpointPlanView {
  const truncated = images.filter((i) => i.truncated);
  const changes = images.map((i) => {
    const n = i.rowsAffected ?? i.rows.length;
    const what = i.operation === 'update' ? `put back the old values of ${n} updated row(s)` : `insert again ${n} deleted row(s)`;
    return { path: `${i.connection}/${i.schema ? `${i.schema}.` : ''}${i.table}`, rel: `${i.connection} · ${i.table}: ${what}`, action: i.operation === 'update' ? ('restore' as const) : ('recreate' as const), kind: 'rows' as const };
  });
  const summary = `Airlock undo of step #${seq} on database connection ${images[0]?.connection ?? '?'} from the before-images saved ${images[0]?.createdAt ?? '?'}: the rows are put back in one transaction, refused if any of them changed since.${truncated.length ? ` The image of ${truncated.map((i) => i.table).join(', ')} was not saved in full: the undo will refuse.` : ''}`;
  return { stepId, kind: 'db', checkpoint: '', summary, changes, conflicts: [], afterRecorded: true };
}

/** The run log queries with `dbUndo` set on allowed steps that have before-images not undone yet. */
export function withDbUndo(q: RunLogQueries, db: () => PanelDbUndo | undefined): RunLogQueries {
  const mark = <R extends { id: string; decision: string; kind: string | null; dbUndo: boolean }>(r: R): R => (r.decision === 'allow' && (r.kind === 'sql' || r.kind === 'mcp') && pendingImages(db(), r.id).length > 0 ? { ...r, dbUndo: true } : r);
  return {
    listRuns: (o) => q.listRuns(o),
    agents: () => q.agents(),
    run: (id) => q.run(id),
    pageSteps: (runId, f, offset, limit) => {
      const p = q.pageSteps(runId, f, offset, limit);
      return { ...p, rows: p.rows.map(mark) };
    },
    stepDetail: (id) => {
      const d = q.stepDetail(id);
      return d ? { ...d, row: mark(d.row) } : d;
    },
    lastSeq: (id) => q.lastSeq(id),
    exportRun: (id) => q.exportRun(id),
  };
}
