/**
 * Undo over changes made since the step, as a three-way merge (`git merge-file`), per file:
 *
 *   base   = the file after the step (the recorded after-state: what the step produced)
 *   ours   = the file now (the step's result plus the person's changes since)
 *   theirs = the file before the step (the checkpoint)
 *
 * git applies base→theirs (taking the step back) onto ours, so the person's changes stay. Where both
 * touched the same lines the result has conflict markers (labelled "now", "after the step", "before
 * the step") for the person to resolve. Only text files both sides changed are merged: a binary
 * file, a symlink, a file the step created (an undo would remove it) or deleted, or one deleted since,
 * is refused with the reason. Nothing here writes to the workspace; the store writes the results.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBlobs, runGit, runGitCode, type GitEnv } from './git';
import type { FileChange } from './model';

export interface MergedFile {
  /** Relative to the root. */
  path: string;
  /** The merged content to write. */
  content: Buffer;
  /** Conflict regions left in it (0: a clean merge). */
  conflicts: number;
  /** The blob the merge was computed from (the file now): written only while the file is still that. */
  currentSha: string;
}

export interface MergeRefusal {
  path: string;
  reason: string;
}

export interface MergeResult {
  merged: MergedFile[];
  refused: MergeRefusal[];
}

/** Labels of the conflict markers. */
export const MERGE_LABELS = ['now (your changes)', 'after the step', 'before the step'] as const;

/** git's own test: a NUL byte in the first 8000 bytes. */
export function isBinary(b: Buffer): boolean {
  return b.subarray(0, 8000).includes(0);
}

interface TreeEntry {
  mode: string;
  sha: string;
}

/** `git ls-tree -r -z <ref> -- paths`: path -> mode and blob. */
async function entries(g: GitEnv, ref: string, paths: readonly string[]): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  if (!paths.length) return out;
  const raw = (await runGit(g, ['--literal-pathspecs', 'ls-tree', '-r', '-z', '--full-tree', ref, '--', ...paths])).toString('utf8');
  for (const rec of raw.split('\0').filter(Boolean)) {
    const m = /^(\d{6}) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(rec);
    if (m) out.set(m[4]!, { mode: m[1]!, sha: m[3]! });
  }
  return out;
}

/**
 * Merge every conflicting path of a plan. `changes`: the plan's changes (what the undo would do
 * now); `conflicts`: the paths changed since the step; `beforeRef` / `afterRef`: the checkpoint and
 * its after-state; `tmp`: a private folder for git merge-file's input files.
 */
export async function mergeConflicts(g: GitEnv, o: { changes: readonly FileChange[]; conflicts: readonly string[]; beforeRef: string; afterRef: string; tmp: string }): Promise<MergeResult> {
  const merged: MergedFile[] = [];
  const refused: MergeRefusal[] = [];
  const todo: { path: string; before: TreeEntry; after: TreeEntry; current: string }[] = [];
  const afters = await entries(g, o.afterRef, o.conflicts);
  for (const path of o.conflicts) {
    const c = o.changes.find((x) => x.path === path);
    if (!c) continue; // changed back to what it was before the step: nothing to undo there
    const after = afters.get(path);
    if (c.action === 'delete') refused.push({ path, reason: after ? 'the step created it and it changed since: undoing would remove your changes with it' : 'created after the step: undoing would remove it' });
    else if (c.action === 'recreate') refused.push({ path, reason: 'deleted after the step' });
    else if (!after) refused.push({ path, reason: 'the step deleted it and it was created again since' });
    else if (c.beforeMode === '120000' || after.mode === '120000' || c.currentMode === '120000') refused.push({ path, reason: 'a symlink (only text files are merged)' });
    else todo.push({ path, before: { mode: c.beforeMode ?? '100644', sha: c.beforeSha! }, after, current: c.currentSha! });
  }
  if (!todo.length) return { merged, refused };
  const blobs = await readBlobs(g, todo.flatMap((t) => [t.before.sha, t.after.sha, t.current]));
  mkdirSync(o.tmp, { recursive: true, mode: 0o700 });
  for (const t of todo) {
    const [theirs, base, ours] = [blobs.get(t.before.sha)!, blobs.get(t.after.sha)!, blobs.get(t.current)!];
    if ([theirs, base, ours].some(isBinary)) {
      refused.push({ path: t.path, reason: 'a binary file (only text files are merged)' });
      continue;
    }
    const stem = join(o.tmp, `merge-${process.pid}-${randomBytes(4).toString('hex')}`);
    const files = [`${stem}.ours`, `${stem}.base`, `${stem}.theirs`];
    try {
      writeFileSync(files[0]!, ours, { mode: 0o600 });
      writeFileSync(files[1]!, base, { mode: 0o600 });
      writeFileSync(files[2]!, theirs, { mode: 0o600 });
      // Exit code: the number of conflicts (0 clean); negative (255 here) is an error.
      const out = await runGitCode(g, ['merge-file', '-p', '-L', MERGE_LABELS[0], '-L', MERGE_LABELS[1], '-L', MERGE_LABELS[2], ...files], { okCodes: Array.from({ length: 127 }, (_, i) => i + 1) });
      merged.push({ path: t.path, content: out.stdout, conflicts: out.code, currentSha: t.current });
    } finally {
      for (const f of files) rmSync(f, { force: true });
    }
  }
  return { merged: merged.sort((a, b) => a.path.localeCompare(b.path)), refused: refused.sort((a, b) => a.path.localeCompare(b.path)) };
}
