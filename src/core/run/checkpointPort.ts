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
}

export interface CheckpointPlanView {
  stepId: string;
  checkpoint: string;
  /** One sentence: what the undo does. */
  summary: string;
  changes: CheckpointChangeView[];
  /** Files changed after the step: the undo refuses unless forced. */
  conflicts: string[];
  afterRecorded: boolean;
}

export interface CheckpointPort {
  /** The plans for undoing a step (one) or restoring its run to before it (the run's checkpointed steps from the last back to it). */
  plan(runId: string, stepId: string, scope: 'step' | 'run'): Promise<CheckpointPlanView[]>;
  /** The file as the checkpoint holds it (undefined: it did not exist before the step). */
  contentAt(checkpoint: string, rel: string): Promise<Uint8Array | undefined>;
  undo(runId: string, stepId: string, scope: 'step' | 'run', o: { force: boolean; requestedBy: string }): Promise<{ ok: boolean; message: string }>;
  stats(): Promise<{ checkpoints: number; bytes: number; text: string }>;
  clear(): Promise<{ removed: number }>;
}
