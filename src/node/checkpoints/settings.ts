/**
 * Checkpoint settings: the caps that make an effect not snapshotable, the git timeout, and pruning.
 * From the environment (`airlock serve`, the CLI) or from the editor's settings (`airlock.checkpoints.*`,
 * read by the extension and passed to the gate).
 */

export interface CheckpointSettings {
  /** A single file larger than this makes the effect not snapshotable. */
  maxFileBytes: number;
  /** All files of one checkpoint together. */
  maxCheckpointBytes: number;
  maxFiles: number;
  /** Each git call; past it the checkpoint fails (closed). */
  timeoutMs: number;
  /** Pruning: checkpoints older than this are removed. */
  maxAgeDays: number;
  /** Pruning: the oldest checkpoints go until the store is below this (bytes on disk). */
  maxTotalBytes: number;
}

export const DEFAULT_CHECKPOINT_SETTINGS: CheckpointSettings = {
  maxFileBytes: 20 * 1024 * 1024,
  maxCheckpointBytes: 200 * 1024 * 1024,
  maxFiles: 100_000,
  timeoutMs: 20_000,
  maxAgeDays: 14,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
};

const MB = 1024 * 1024;

/**
 * Settings from the environment: AIRLOCK_CHECKPOINTS=off turns checkpoints off;
 * AIRLOCK_CHECKPOINT_MAX_FILE_MB, AIRLOCK_CHECKPOINT_MAX_MB, AIRLOCK_CHECKPOINT_MAX_AGE_DAYS,
 * AIRLOCK_CHECKPOINT_STORE_MB set the caps.
 */
export function checkpointSettingsFromEnv(env: NodeJS.ProcessEnv): Partial<CheckpointSettings> | false {
  if (/^(off|0|false|no)$/i.test(env.AIRLOCK_CHECKPOINTS ?? '')) return false;
  const num = (k: string): number | undefined => {
    const v = Number(env[k]);
    return env[k] !== undefined && Number.isFinite(v) && v > 0 ? v : undefined;
  };
  return checkpointSettingsFrom({ maxFileMB: num('AIRLOCK_CHECKPOINT_MAX_FILE_MB'), maxCheckpointMB: num('AIRLOCK_CHECKPOINT_MAX_MB'), maxAgeDays: num('AIRLOCK_CHECKPOINT_MAX_AGE_DAYS'), maxStoreMB: num('AIRLOCK_CHECKPOINT_STORE_MB') });
}

/** The editor's settings, in the units a person sets them in (MB, days). */
export interface CheckpointUserSettings {
  maxFileMB?: number;
  maxCheckpointMB?: number;
  maxAgeDays?: number;
  maxStoreMB?: number;
}

/** Positive finite numbers only; anything else keeps the default. */
export function checkpointSettingsFrom(u: CheckpointUserSettings): Partial<CheckpointSettings> {
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const out: Partial<CheckpointSettings> = {};
  if (ok(u.maxFileMB)) out.maxFileBytes = Math.round(u.maxFileMB * MB);
  if (ok(u.maxCheckpointMB)) out.maxCheckpointBytes = Math.round(u.maxCheckpointMB * MB);
  if (ok(u.maxAgeDays)) out.maxAgeDays = u.maxAgeDays;
  if (ok(u.maxStoreMB)) out.maxTotalBytes = Math.round(u.maxStoreMB * MB);
  return out;
}

/**
 * The editor's checkpoint settings (`airlock.checkpoints.*`), with the environment on top:
 * AIRLOCK_CHECKPOINTS=off turns them off whatever the settings say, and an AIRLOCK_CHECKPOINT_* cap
 * set in the editor's environment wins over the setting. False: no checkpoints.
 */
export function editorCheckpointSettings(c: { checkpointsEnabled: boolean; checkpointMaxFileMB: number; checkpointMaxCheckpointMB: number; checkpointRetentionDays: number; checkpointMaxStoreMB: number }, env: NodeJS.ProcessEnv): Partial<CheckpointSettings> | false {
  const fromEnv = checkpointSettingsFromEnv(env);
  if (fromEnv === false || !c.checkpointsEnabled) return false;
  return { ...checkpointSettingsFrom({ maxFileMB: c.checkpointMaxFileMB, maxCheckpointMB: c.checkpointMaxCheckpointMB, maxAgeDays: c.checkpointRetentionDays, maxStoreMB: c.checkpointMaxStoreMB }), ...fromEnv };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GB`;
}
