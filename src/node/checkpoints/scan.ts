/**
 * The workspace side of a checkpoint: which files a target holds, and whether they can be kept
 * (one readdir pass per folder, lstat per entry). Throws NotSnapshotable with the reason when not:
 * the root's own `.git`, a nested repository or submodule, a symlink pointing outside the root, a
 * file over the size cap, too many bytes or files in one checkpoint.
 */
import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { NotSnapshotable, type TargetState } from './model';
import type { CheckpointSettings } from './settings';

export function inside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

export const toPosix = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

export interface Scan {
  files: number;
  bytes: number;
  modes: Record<string, number>;
}

/**
 * Check one target and count what it holds into `s`. `ignored`: the untracked .gitignored paths
 * under the target as git lists them (ignoredUnder), which `git add -A` leaves out, so the scan does
 * not walk them either (a node_modules of 50,000 files, symlinks into a package store); unless the
 * target itself is ignored, or inside an ignored folder: then all of it is added (force) and scanned.
 */
export function scanTarget(settings: Pick<CheckpointSettings, 'maxFileBytes' | 'maxCheckpointBytes' | 'maxFiles'>, root: string, rel: string, s: Scan, ignored?: ReadonlySet<string>): TargetState {
  const skip = ignored && !ignoredItself(rel, ignored) ? ignored : undefined;
  const abs = rel ? join(root, rel) : root;
  if (rel === '.git' || rel.startsWith('.git/')) throw new NotSnapshotable(`${abs} is inside the repository's own .git`);
  let st;
  try {
    st = lstatSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return 'absent';
    throw new NotSnapshotable(`cannot read ${abs}: ${(e as Error).message}`);
  }
  const visit = (p: string, r: string, isRoot: boolean): void => {
    const l = lstatSync(p);
    if (l.isSymbolicLink()) {
      const to = resolve(dirname(p), readlinkSync(p));
      let real = to;
      try {
        real = realpathSync(to);
      } catch {
        /* dangling: judge by where it points */
      }
      if (!inside(root, real)) throw new NotSnapshotable(`${p} is a symlink pointing outside the workspace (${real})`);
      s.files++;
      return;
    }
    if (l.isDirectory()) {
      for (const ent of readdirSync(p, { withFileTypes: true })) {
        if (ent.name === '.git') {
          if (isRoot && p === root) continue; // the person's own repository: never part of a checkpoint
          throw new NotSnapshotable(`${join(p, '.git')} is a nested repository or submodule`);
        }
        const child = r ? `${r}/${ent.name}` : ent.name;
        if (skip?.has(child)) continue;
        visit(join(p, ent.name), child, false);
      }
      return;
    }
    if (!l.isFile()) return; // sockets, fifos: git does not keep them either
    if (l.size > settings.maxFileBytes) throw new NotSnapshotable(`${p} is larger than the checkpoint size cap (${l.size} > ${settings.maxFileBytes} bytes)`);
    s.files++;
    s.bytes += l.size;
    if (s.bytes > settings.maxCheckpointBytes) throw new NotSnapshotable(`the affected files are larger than the checkpoint cap (${settings.maxCheckpointBytes} bytes)`);
    if (s.files > settings.maxFiles) throw new NotSnapshotable(`more than ${settings.maxFiles} affected files`);
    const perm = l.mode & 0o7777;
    if (perm !== 0o644 && perm !== 0o755) s.modes[r] = perm;
  };
  visit(abs, rel, rel === '');
  return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'file';
}

/** The target, or a folder it is in, is itself ignored (so git adds it with force). */
export function ignoredItself(rel: string, ignored: ReadonlySet<string>): boolean {
  if (rel === '') return false;
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) if (ignored.has(parts.slice(0, i).join('/'))) return true;
  return false;
}

/** `git ls-files -z -o -i --directory` output: the paths, folders without their trailing '/'. */
export function parseIgnored(raw: Buffer | string): Set<string> {
  return new Set(raw.toString().split('\0').filter(Boolean).map((p) => (p.endsWith('/') ? p.slice(0, -1) : p)));
}

/**
 * The ls-files call that lists the untracked ignored paths under `rels` (one entry per ignored
 * folder); undefined for more folders than one command line takes (then nothing is skipped).
 */
export function ignoredArgs(rels: readonly string[]): string[] | undefined {
  if (rels.length > 500 || rels.reduce((n, r) => n + r.length + 1, 0) > 100_000) return undefined;
  return ['--literal-pathspecs', 'ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory', '--', ...rels.map((r) => (r === '' ? '.' : r))];
}

/** The person's own excludes (`.git/info/exclude`, read as a file, never as a repository) for the shadow git. */
export function excludesConfig(root: string): string[] {
  const f = join(root, '.git', 'info', 'exclude');
  return existsSync(f) ? [`core.excludesFile=${f}`] : [];
}

/** The workspace root that contains `target` (the longest), canonical. */
export function rootFor(target: string, roots: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const r of roots) {
    let real: string;
    try {
      real = realpathSync(r);
    } catch {
      continue;
    }
    if (inside(real, target) && (!best || real.length > best.length)) best = real;
  }
  return best;
}

/**
 * The one root all targets are in, and the targets relative to it (a target inside another is
 * covered by it); or why there is none.
 */
export function targetsIn(targets: readonly string[], roots: readonly string[]): { root: string; top: string[] } | { reason: string } {
  if (!targets.length) return { reason: 'nothing to checkpoint' };
  let root: string | undefined;
  for (const t of targets) {
    const r = rootFor(t, roots);
    if (!r) return { reason: `${t} is not inside a workspace root` };
    if (root && r !== root) return { reason: 'the affected paths span several workspace roots' };
    root = r;
  }
  const rels = [...new Set(targets.map((t) => toPosix(relative(root!, t))))].sort();
  return { root: root!, top: rels.filter((r) => !rels.some((o) => o !== r && (o === '' || r.startsWith(`${o}/`)))) };
}

export function lstatOrUndefined(p: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

export function stateNow(root: string, rel: string): TargetState {
  const st = lstatOrUndefined(rel ? join(root, rel) : root);
  return !st ? 'absent' : st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'file';
}

/** Bytes on disk under `dir` (the store's size, for pruning and the status line). */
export function diskBytes(dir: string): number {
  let n = 0;
  const walk = (d: string): void => {
    let ents;
    try {
      ents = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        try {
          n += lstatSync(p).size;
        } catch {
          /* gone */
        }
      }
    }
  };
  walk(dir);
  return n;
}
