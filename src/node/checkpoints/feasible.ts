/**
 * Whether the gate could take a checkpoint of these targets now, without taking one (nothing is
 * written): the same root and scan checks as the store (scan.ts), checkpoints not turned off, and
 * git present. `airlock check` uses it to judge as the gate in that workspace would.
 */
import { spawnSync } from 'node:child_process';
import { NotSnapshotable } from './model';
import { scanTarget, targetsIn, type Scan } from './scan';
import { DEFAULT_CHECKPOINT_SETTINGS, type CheckpointSettings } from './settings';

export type Feasible = { ok: true; root: string; files: number; bytes: number } | { ok: false; code: 'not_snapshotable' | 'git_missing' | 'off'; reason: string };

export function checkpointFeasible(targets: readonly string[], roots: readonly string[], settings: Partial<CheckpointSettings> | false, gitBin = 'git'): Feasible {
  if (settings === false) return { ok: false, code: 'off', reason: 'checkpoints are turned off (AIRLOCK_CHECKPOINTS=off)' };
  const s = { ...DEFAULT_CHECKPOINT_SETTINGS, ...settings };
  const where = targetsIn(targets, roots);
  if ('reason' in where) return { ok: false, code: 'not_snapshotable', reason: where.reason };
  const scan: Scan = { files: 0, bytes: 0, modes: {} };
  try {
    for (const rel of where.top) scanTarget(s, where.root, rel, scan);
  } catch (e) {
    if (e instanceof NotSnapshotable) return { ok: false, code: 'not_snapshotable', reason: e.message };
    throw e;
  }
  const v = spawnSync(gitBin, ['--version'], { stdio: 'ignore', timeout: 5000 });
  if (v.error || v.status !== 0) return { ok: false, code: 'git_missing', reason: 'git is not installed (or not on PATH)' };
  return { ok: true, root: where.root, files: scan.files, bytes: scan.bytes };
}
