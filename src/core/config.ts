/**
 * Airlock's editor settings, parsed at the edge with safe defaults: an enforcement setting that is
 * missing or malformed falls back to enforcing. Settings that could loosen the gate are
 * application- or machine-scoped in package.json (a repository's .vscode/settings.json cannot set
 * them) and listed under restricted configurations for untrusted workspaces.
 */
import { z } from 'zod';

export const EditorConfig = z.object({
  /** Offer "Allow for this run" on reversible asks (loosens: machine scope). */
  allowForRunEnabled: z.boolean().catch(true),
  /** How long such a grant lasts, minutes (loosens when raised: machine scope). */
  allowForRunMinutes: z.number().int().min(1).max(24 * 60).catch(60),
  /** The kill switch ends the agents' process trees (turning it off loosens: machine scope). */
  killEndsProcesses: z.boolean().catch(true),
  /** Open a diff editor for each pending file write or edit (display only). */
  openDiff: z.boolean().catch(true),
  /**
   * Workspace checkpoints before snapshotable effects, so they run without a prompt (turning them on
   * or raising the caps lets more run unasked: machine scope). Missing or malformed: the defaults.
   */
  checkpointsEnabled: z.boolean().catch(true),
  /** A single file larger than this (MB) makes the effect not snapshotable (it asks). */
  checkpointMaxFileMB: z.number().positive().max(100_000).catch(20),
  /** All files of one checkpoint together (MB). */
  checkpointMaxCheckpointMB: z.number().positive().max(1_000_000).catch(200),
  /** Retention: checkpoints older than this (days) are pruned. */
  checkpointRetentionDays: z.number().positive().max(3650).catch(14),
  /** Retention: the oldest checkpoints are pruned until the store is below this (MB). */
  checkpointMaxStoreMB: z.number().positive().max(10_000_000).catch(2048),
});
export type EditorConfig = z.infer<typeof EditorConfig>;

export const CONFIG_KEYS = {
  allowForRunEnabled: 'approvals.allowForRun',
  allowForRunMinutes: 'approvals.allowForRunMinutes',
  killEndsProcesses: 'kill.endAgentProcesses',
  openDiff: 'approvals.openDiff',
  checkpointsEnabled: 'checkpoints.enabled',
  checkpointMaxFileMB: 'checkpoints.maxFileMB',
  checkpointMaxCheckpointMB: 'checkpoints.maxCheckpointMB',
  checkpointRetentionDays: 'checkpoints.retentionDays',
  checkpointMaxStoreMB: 'checkpoints.maxStoreMB',
} as const satisfies Record<keyof EditorConfig, string>;

export function parseEditorConfig(raw: Partial<Record<keyof EditorConfig, unknown>>): EditorConfig {
  return EditorConfig.parse(raw);
}
