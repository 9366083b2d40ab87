/**
 * Whether the gate could take a checkpoint of these targets now, without taking one (nothing is
 * written): the same root and scan checks as the store (scan.ts), checkpoints not turned off, and
 * git present. `airlock check` uses it to judge as the gate in that workspace would.
 */
import { spawnSync } from 'node:child_process';
import type { Decision } from '../../core/judge';
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

/**
 * The gate's judgement without taking the checkpoint (src/node/checkpoints/gateCheckpoints.ts does
 * the same and takes it): `withSnapshot` when the decision names snapshots and a checkpoint could be
 * taken now, else `without` with the reason. `settings` false: the gate has no checkpoints.
 * `airlock check` and the editor's tool preview (Copilot's confirmation) judge this way, so they
 * show what the gate will decide.
 */
export function judgeAsGate(withSnapshot: () => Decision, without: () => Decision, roots: readonly string[], settings: Partial<CheckpointSettings> | false): Decision {
  const d = withSnapshot();
  if (!d.snapshots.length || d.decision === 'deny') return d;
  const f = checkpointFeasible(d.snapshots, roots, settings);
  if (f.ok) return { ...d, reasons: [...d.reasons, `the gate would take a checkpoint of ${f.files} file(s) first, so Undo can put them back`], rules: [...d.rules, 'checkpoint.would-take'] };
  const again = without();
  return { ...again, reasons: again.decision === 'allow' ? again.reasons : [...again.reasons, `the gate could not take a checkpoint, so this could not be undone by Airlock: ${f.reason}`], rules: [...again.rules, `checkpoint.failed.${f.code}`] };
}
