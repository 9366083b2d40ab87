/**
 * Whether the gate could take a checkpoint of these targets now, without taking one (nothing is
 * written under the Airlock home or the workspace): the same root and scan checks as the store
 * (scan.ts; what git lists as ignored is skipped as the store skips it, asked of a throwaway empty
 * repository in the temp folder), checkpoints not turned off, and git present. `airlock check` and
 * the editor tools' preview use it to judge as the gate in that workspace would.
 */
import { spawnSync } from 'node:child_process';
import type { Decision } from '../../core/judge';
import { NotSnapshotable } from './model';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitArgs, gitEnvironment } from './git';
import { fileSnapshots } from './gateCheckpoints';
import { excludesConfig, ignoredArgs, parseIgnored, scanTarget, stateNow, targetsIn, type Scan } from './scan';
import { DEFAULT_CHECKPOINT_SETTINGS, type CheckpointSettings } from './settings';

export type Feasible = { ok: true; root: string; files: number; bytes: number } | { ok: false; code: 'not_snapshotable' | 'git_missing' | 'off'; reason: string };

export function checkpointFeasible(targets: readonly string[], roots: readonly string[], settings: Partial<CheckpointSettings> | false, gitBin = 'git'): Feasible {
  if (settings === false) return { ok: false, code: 'off', reason: 'checkpoints are turned off (AIRLOCK_CHECKPOINTS=off)' };
  const s = { ...DEFAULT_CHECKPOINT_SETTINGS, ...settings };
  const where = targetsIn(targets, roots);
  if ('reason' in where) return { ok: false, code: 'not_snapshotable', reason: where.reason };
  const v = spawnSync(gitBin, ['--version'], { stdio: 'ignore', timeout: 5000 });
  if (v.error || v.status !== 0) return { ok: false, code: 'git_missing', reason: 'git is not installed (or not on PATH)' };
  const dirs = where.top.filter((rel) => stateNow(where.root, rel) === 'dir');
  const ignored = dirs.length ? ignoredUnderSync(where.root, dirs, s.timeoutMs, gitBin) : undefined;
  const scan: Scan = { files: 0, bytes: 0, modes: {} };
  try {
    for (const rel of where.top) scanTarget(s, where.root, rel, scan, ignored);
  } catch (e) {
    if (e instanceof NotSnapshotable) return { ok: false, code: 'not_snapshotable', reason: e.message };
    throw e;
  }
  return { ok: true, root: where.root, files: scan.files, bytes: scan.bytes };
}

let oracle: string | undefined;
/**
 * What git leaves out under these folders, as the store asks it (ShadowRepos.ignoredUnder), from a
 * throwaway empty repository in the temp folder (this process's; nothing is written under the
 * Airlock home or the workspace). Undefined when git cannot tell: then nothing is skipped (stricter).
 */
function ignoredUnderSync(root: string, rels: readonly string[], timeoutMs: number, gitBin: string): Set<string> | undefined {
  if (!oracle) {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-ignore-'));
    const r = spawnSync(gitBin, gitArgs(['init', '-q', dir]), { env: gitEnvironment({ gitDir: join(dir, '.git'), timeoutMs }), stdio: 'ignore', timeout: timeoutMs });
    if (r.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      return undefined;
    }
    oracle = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const args = ignoredArgs(rels);
  if (!args) return undefined;
  const r = spawnSync(gitBin, gitArgs(args, excludesConfig(root)), {
    env: gitEnvironment({ gitDir: join(oracle, '.git'), workTree: root, indexFile: join(oracle, 'no-index'), timeoutMs }),
    cwd: root,
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return r.status === 0 ? parseIgnored(r.stdout) : undefined;
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
  const files = fileSnapshots(d);
  if (!files.length || d.decision === 'deny') return d;
  const f = checkpointFeasible(files, roots, settings);
  if (f.ok) return { ...d, reasons: [...d.reasons, `the gate would take a checkpoint of ${f.files} file(s) first, so Undo can put them back`], rules: [...d.rules, 'checkpoint.would-take'] };
  const again = without();
  return { ...again, reasons: again.decision === 'allow' ? again.reasons : [...again.reasons, `the gate could not take a checkpoint, so this could not be undone by Airlock: ${f.reason}`], rules: [...again.rules, `checkpoint.failed.${f.code}`] };
}
