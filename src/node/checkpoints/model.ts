/**
 * What a checkpoint is: its id, its metadata (kept in the shadow commit's message), the results of
 * taking, planning and restoring one, and the parsing of git's answers about them.
 */

export type TargetState = 'file' | 'dir' | 'link' | 'absent';

export interface CheckpointTarget {
  /** Relative to the root, '/'-separated; '' is the root itself. */
  rel: string;
  state: TargetState;
  /** The target itself is .gitignored: everything under it is added (force). */
  force: boolean;
}

export interface CheckpointMeta {
  v: 1;
  id: string;
  root: string;
  createdAt: string;
  targets: CheckpointTarget[];
  /** Exact permission bits where git's 644/755 would not restore them. */
  modes: Record<string, number>;
  files: number;
  bytes: number;
  label?: string;
  /** For an after-state: the checkpoint it follows. */
  after?: string;
}

export interface CheckpointInfo extends CheckpointMeta {
  afterRecorded: boolean;
}

export type TakeResult =
  | { ok: true; id: string; root: string; files: number; bytes: number; ms: number }
  | { ok: false; code: 'not_snapshotable' | 'git_missing' | 'timeout' | 'failed'; reason: string };

export interface FileChange {
  /** Relative to the root. */
  path: string;
  /** What the undo does to it. */
  action: 'restore' | 'recreate' | 'delete';
  /** Blob of the checkpoint (before the step), absent for delete. */
  beforeSha?: string;
  beforeMode?: string;
  /** Blob now, absent for recreate. */
  currentSha?: string;
  /** Its git mode now (120000: a symlink), absent for recreate. */
  currentMode?: string;
}

export interface UndoPlan {
  id: string;
  root: string;
  createdAt: string;
  changes: FileChange[];
  /** Paths changed since the step (compared with the recorded after-state). */
  conflicts: string[];
  afterRecorded: boolean;
}

export type RestoreResult =
  | { ok: true; id: string; root: string; restored: string[]; deleted: string[]; verified: boolean; /** Files written as a three-way merge (conflicts: regions with markers). */ merged?: { path: string; conflicts: number }[] }
  | { ok: false; code: 'not_found' | 'conflict' | 'no_after_state' | 'failed'; message: string; conflicts?: string[] };

export class NotSnapshotable extends Error {}

const ID = /^([0-9a-f]{12})-([0-9a-z]{6,12})-([0-9a-f]{8})$/;
/** Where checkpoints live in the shadow repository: `refs/airlock/<id>` and `refs/airlock/<id>-after`. */
export const REF = 'refs/airlock/';

export function isCheckpointId(id: string): boolean {
  return ID.test(id);
}

/** The metadata in a shadow commit (the JSON after the subject line). */
export function parseMeta(raw: string): CheckpointMeta | undefined {
  const i = raw.indexOf('\n\n');
  if (i < 0) return undefined;
  const body = raw.slice(i + 2);
  const j = body.indexOf('{');
  if (j < 0) return undefined;
  try {
    const m = JSON.parse(body.slice(j).trim()) as CheckpointMeta;
    return m && m.v === 1 && typeof m.id === 'string' && Array.isArray(m.targets) ? m : undefined;
  } catch {
    return undefined;
  }
}

export interface DiffRow {
  srcMode: string;
  dstMode: string;
  srcSha: string;
  dstSha: string;
  status: string;
  path: string;
}

/** `git diff-tree -r -z` (raw) output. */
export function parseDiffTree(raw: Buffer): DiffRow[] {
  const parts = raw.toString('utf8').split('\0');
  const rows: DiffRow[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const head = parts[i]!;
    const m = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*$/.exec(head);
    if (!m) continue;
    rows.push({ srcMode: m[1]!, dstMode: m[2]!, srcSha: m[3]!, dstSha: m[4]!, status: m[5]!, path: parts[i + 1]! });
  }
  return rows;
}
