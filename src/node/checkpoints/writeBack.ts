/**
 * Writing a checkpoint's files back into the workspace: exact bytes and permission bits, each file
 * through a temporary file and a rename (never half-written), symlinks as symlinks; files the step
 * created under the targets are removed, and the folders that leaves empty.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, rmdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { CheckpointInfo, FileChange } from './model';
import { inside, lstatOrUndefined, toPosix } from './scan';

/**
 * Apply the plan's changes; returns what was restored and deleted (relative paths). `overrides`:
 * content and mode to write instead of the checkpoint's (a three-way merge's result, merge.ts).
 */
export function writeBack(info: CheckpointInfo, changes: readonly FileChange[], blobs: ReadonlyMap<string, Buffer>, overrides?: ReadonlyMap<string, { data: Buffer; mode: number }>): { restored: string[]; deleted: string[] } {
  const deleted: string[] = [];
  const restored: string[] = [];
  for (const c of changes.filter((x) => x.action === 'delete')) {
    const abs = join(info.root, c.path);
    rmSync(abs, { force: true });
    deleted.push(c.path);
    pruneEmptyParents(info.root, dirname(abs), info.targets);
  }
  for (const c of changes.filter((x) => x.action !== 'delete')) {
    const abs = join(info.root, c.path);
    const over = overrides?.get(c.path);
    const data = over?.data ?? blobs.get(c.beforeSha!);
    if (!data) throw new Error(`the content of ${c.path} is missing from the checkpoint`);
    makeParents(info.root, dirname(abs));
    const cur = lstatOrUndefined(abs);
    if (cur?.isDirectory()) rmSync(abs, { recursive: true, force: true });
    if (c.beforeMode === '120000' && !over) {
      if (cur && !cur.isDirectory()) unlinkSync(abs);
      symlinkSync(data.toString('utf8'), abs);
    } else {
      const tmp = join(dirname(abs), `.airlock-restore-${randomBytes(4).toString('hex')}`);
      writeFileSync(tmp, data, { mode: 0o600 });
      chmodSync(tmp, over?.mode ?? info.modes[c.path] ?? (c.beforeMode === '100755' ? 0o755 : 0o644));
      renameSync(tmp, abs);
    }
    restored.push(c.path);
  }
  return { restored, deleted };
}

function makeParents(root: string, dir: string): void {
  // A file where a folder must be (the step replaced a folder by a file): the checkpoint wins.
  const rel = relative(root, dir);
  if (!rel) return;
  let cur = root;
  for (const part of rel.split(sep)) {
    cur = join(cur, part);
    const st = lstatOrUndefined(cur);
    if (st && !st.isDirectory()) unlinkSync(cur);
    if (!st || !st.isDirectory()) mkdirSync(cur);
  }
}

function pruneEmptyParents(root: string, dir: string, targets: CheckpointInfo['targets']): void {
  for (let d = dir; inside(root, d) && d !== root; d = dirname(d)) {
    const rel = toPosix(relative(root, d));
    if (!targets.some((t) => t.rel === '' || rel.startsWith(`${t.rel}/`) || rel === t.rel)) return;
    try {
      rmdirSync(d);
    } catch {
      return;
    }
  }
}
