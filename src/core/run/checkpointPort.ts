/**
 * The editor's port to workspace checkpoints (implemented in src/node/checkpoints/panelUndo.ts,
 * wired in extension.ts): what an undo would change, the checkpoint's content for a diff view,
 * the undo itself (through the gate, recorded as its own step), housekeeping.
 */
export interface CheckpointChangeView {
  /** Absolute path in the workspace. */
  path: string;
  /** Relative to the workspace root. */
  rel: string;
  action: 'restore' | 'recreate' | 'delete';
  /** 'rows': a database table's rows put back from before-images (no diff editor; `rel` says what). */
  kind?: 'file' | 'rows';
}

export interface CheckpointPlanView {
  stepId: string;
  /** 'db': the step's database writes, undone from before-images (`checkpoint` is empty). */
  kind?: 'files' | 'db';
  checkpoint: string;
  /** One sentence: what the undo does. */
  summary: string;
  changes: CheckpointChangeView[];
  /** Files changed after the step: the undo refuses unless merged or forced. */
  conflicts: string[];
  afterRecorded: boolean;
  /**
   * When files changed after the step: the three-way merge an undo can do instead (each such text
   * file keeps the person's changes and loses the step's; `conflicts`: regions left with markers),
   * and the files it cannot merge, with why (then only "Undo anyway" is offered).
   */
  merge?: { files: { path: string; rel: string; conflicts: number }[]; refused: { rel: string; reason: string }[] };
}

export interface CheckpointStats {
  checkpoints: number;
  bytes: number;
  last?: { createdAt: string; files: number; bytes: number };
  text: string;
}

const size = (n: number): string => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${Math.round(n / 1024)} KB` : n < 1024 ** 3 ? `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB` : `${(n / 1024 ** 3).toFixed(1)} GB`);

function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return 'at an unknown time';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** "12 checkpoints, 4.1 MB; last 3 min ago (2 files, 1 KB)". */
export function checkpointStatusText(s: Omit<CheckpointStats, 'text'>, now = Date.now()): string {
  const head = `${s.checkpoints} checkpoint${s.checkpoints === 1 ? '' : 's'}, ${size(s.bytes)}`;
  return s.last ? `${head}; last ${ago(s.last.createdAt, now)} (${s.last.files} file${s.last.files === 1 ? '' : 's'}, ${size(s.last.bytes)})` : head;
}

export interface CheckpointPort {
  /** The plans for undoing a step (one) or restoring its run to before it (the run's checkpointed steps from the last back to it). */
  plan(runId: string, stepId: string, scope: 'step' | 'run'): Promise<CheckpointPlanView[]>;
  /** The file as the checkpoint holds it (undefined: it did not exist before the step). */
  contentAt(checkpoint: string, rel: string): Promise<Uint8Array | undefined>;
  /** The file as a merging undo would write it (undefined: it is not merged). */
  mergedAt(checkpoint: string, rel: string): Promise<Uint8Array | undefined>;
  /** `merge`: over changes made since the step, merge instead of refusing (`force`: overwrite them). */
  undo(runId: string, stepId: string, scope: 'step' | 'run', o: { force: boolean; merge?: boolean; requestedBy: string }): Promise<{ ok: boolean; message: string }>;
  /** Count, bytes on disk, the newest checkpoint, and all of it as one line (checkpointStatusText). */
  stats(): Promise<CheckpointStats>;
  clear(): Promise<{ removed: number }>;
}
