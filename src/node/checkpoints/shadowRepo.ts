/**
 * The shadow git repositories of the checkpoint store: one per workspace root, under
 * `<home>/checkpoints/<key>/git` (GIT_DIR) with the root as GIT_WORK_TREE and a private index file
 * per operation. The person's own `.git` is never written, nor read as a repository.
 *
 * Speed (BENCHMARKS.md §14): a checkpoint of many files is added with bulk check-in
 * (`core.bigFileThreshold=1`: every blob streams into one pack file, instead of one compressed loose
 * file per blob), and git runs with malloc tunables that keep its memory (git.ts). A later checkpoint
 * starts from a copy of the repository's index (the stat cache), so unchanged files are not hashed
 * again. Packs from many checkpoints are merged geometrically once there are more than
 * PACK_LIMIT of them.
 *
 * Crash safety: objects first, the ref last (an atomic `update-ref`). A kill -9 at any point leaves
 * at most unreachable objects and temporary files, never a ref to a half checkpoint; `recover` (at
 * the first use of a repository in a process) removes the leftovers of dead writers, and `gc` the
 * unreachable objects.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../core/hash';
import { GitError, runGit, type GitEnv } from './git';
import { parseMeta, type CheckpointMeta, type CheckpointTarget } from './model';
import type { CheckpointSettings } from './settings';
import { excludesConfig, ignoredArgs, parseIgnored } from './scan';

/** Above this many files, a checkpoint is added as one pack (bulk check-in). */
export const BULK_FILES = 64;
const PACK_LIMIT = 16;

export class ShadowRepos {
  private readonly recovered = new Set<string>();

  constructor(
    readonly home: string,
    readonly settings: CheckpointSettings,
    private readonly gitBin?: string,
  ) {}

  get dir(): string {
    return join(this.home, 'checkpoints');
  }

  keyOf(root: string): string {
    return sha256(root).slice(0, 12);
  }

  repoDir(key: string): string {
    return join(this.dir, key);
  }

  exists(key: string): boolean {
    return existsSync(join(this.repoDir(key), 'git', 'HEAD'));
  }

  keys(): string[] {
    try {
      return readdirSync(this.dir).filter((k) => /^[0-9a-f]{12}$/.test(k));
    } catch {
      return [];
    }
  }

  /** `until`: an absolute deadline (ms since the epoch) for the whole operation; each git call gets what is left. */
  env(key: string, root?: string, indexFile?: string, until?: number): GitEnv {
    const timeoutMs = until === undefined ? this.settings.timeoutMs : Math.max(1, Math.min(this.settings.timeoutMs, until - Date.now()));
    return { gitDir: join(this.repoDir(key), 'git'), timeoutMs, ...(root ? { workTree: root } : {}), ...(indexFile ? { indexFile } : {}), ...(this.gitBin ? { gitBin: this.gitBin } : {}) };
  }

  async ensure(key: string, root: string): Promise<void> {
    const d = this.repoDir(key);
    if (this.exists(key)) {
      if (!this.recovered.has(key)) this.recover(key);
      return;
    }
    mkdirSync(d, { recursive: true, mode: 0o700 });
    await runGit(this.env(key), ['init', '-q'], { cwd: d });
    writeFileSync(join(d, 'root'), `${root}\n`, { mode: 0o600 });
    this.recovered.add(key);
  }

  /**
   * Remove what writers killed mid-checkpoint left behind: private indexes of processes that are
   * gone, and temporary packs, loose objects and ref locks not touched for longer than a git call
   * may take (a live writer's git is killed at its timeout). Returns the paths removed.
   */
  recover(key: string, now = Date.now()): string[] {
    this.recovered.add(key);
    const d = this.repoDir(key);
    const g = join(d, 'git');
    const removed: string[] = [];
    const stale = (p: string): boolean => {
      try {
        return now - statSync(p).mtimeMs > Math.max(1000, this.settings.timeoutMs);
      } catch {
        return false;
      }
    };
    const drop = (p: string): void => {
      rmSync(p, { force: true });
      removed.push(p);
    };
    for (const f of list(join(d, 'tmp'))) {
      const pid = /^(?:index|busy)-(\d+)-/.exec(f)?.[1];
      if ((pid && !alive(Number(pid))) || stale(join(d, 'tmp', f))) drop(join(d, 'tmp', f));
    }
    for (const f of list(join(g, 'objects', 'pack'))) if (f.startsWith('tmp_') && stale(join(g, 'objects', 'pack', f))) drop(join(g, 'objects', 'pack', f));
    for (const sub of list(join(g, 'objects'))) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const f of list(join(g, 'objects', sub))) if (f.startsWith('tmp_obj_') && stale(join(g, 'objects', sub, f))) drop(join(g, 'objects', sub, f));
    }
    for (const f of list(join(g, 'refs', 'airlock'))) if (f.endsWith('.lock') && stale(join(g, 'refs', 'airlock', f))) drop(join(g, 'refs', 'airlock', f));
    for (const f of ['packed-refs.lock', 'index.lock']) if (stale(join(g, f))) drop(join(g, f));
    return removed;
  }

  private excludes(root: string): string[] {
    return excludesConfig(root);
  }

  /**
   * The untracked .gitignored paths under the folders `rels`, as `git add -A` will leave them out
   * (same excludes, same stat-cache index as the checkpoint starts from); one entry per ignored folder.
   */
  async ignoredUnder(key: string, root: string, rels: readonly string[], until?: number): Promise<Set<string> | undefined> {
    const args = ignoredArgs(rels);
    if (!args) return undefined;
    return parseIgnored(await runGit(this.env(key, root, join(this.repoDir(key), 'index'), until), args, { extraConfig: this.excludes(root) }));
  }

  /**
   * Stage the targets into `index` (a private copy) and write the tree. A target that is itself
   * .gitignored is refused by the plain `git add` (which names it); it is then added with -f, and
   * `force` is set on it. Untracked files are added; ignored files inside a plain target are not.
   */
  async treeOf(key: string, root: string, targets: CheckpointTarget[], index: string, o: { until?: number; bulk?: boolean } = {}): Promise<string> {
    const env = (): GitEnv => this.env(key, root, index, o.until);
    const spec = (ts: CheckpointTarget[]): string => ts.map((t) => `${t.rel === '' ? '.' : t.rel}\0`).join('');
    const cfg = [...this.excludes(root), ...(o.bulk ? ['core.bigFileThreshold=1'] : [])];
    const pathspec = ['--pathspec-from-file=-', '--pathspec-file-nul'];
    const absent = targets.filter((t) => t.state === 'absent');
    const plain = targets.filter((t) => t.state !== 'absent' && !t.force);
    const forced = targets.filter((t) => t.state !== 'absent' && t.force);
    if (absent.length) await runGit(env(), ['--literal-pathspecs', 'rm', '-r', '-q', '--cached', '--ignore-unmatch', ...pathspec], { input: spec(absent), extraConfig: cfg });
    if (plain.length) {
      try {
        await runGit(env(), ['--literal-pathspecs', 'add', '-A', ...pathspec], { input: spec(plain), extraConfig: cfg });
      } catch (e) {
        const m = e instanceof GitError ? /following paths are ignored[^\n]*\n([\s\S]*?)(?:\nhint:|$)/.exec(e.stderr) : null;
        if (!m) throw e;
        const named = new Set(m[1]!.split('\n').map((l) => l.trim()).filter(Boolean));
        for (const t of plain) if (named.has(t.rel)) t.force = true;
        if (!plain.some((t) => t.force)) throw e;
        forced.push(...plain.filter((t) => t.force));
      }
    }
    if (forced.length) await runGit(env(), ['--literal-pathspecs', 'add', '-A', '-f', ...pathspec], { input: spec(forced), extraConfig: cfg });
    return (await runGit(env(), ['write-tree'])).toString('utf8').trim();
  }

  /** A private copy of the repo's index (the stat cache); `commit` replaces the shared one with it. */
  privateIndex(key: string, targets: readonly CheckpointTarget[]): { path: string; commit: () => void; drop: () => void } {
    const d = this.repoDir(key);
    const shared = join(d, 'index');
    mkdirSync(join(d, 'tmp'), { recursive: true, mode: 0o700 });
    const path = join(d, 'tmp', `index-${process.pid}-${randomBytes(4).toString('hex')}`);
    // Folders: start from the stat cache, so unchanged files are not hashed again. Single files: an
    // empty index is faster than copying and rewriting a large one.
    const cached = targets.some((t) => t.state === 'dir') && existsSync(shared);
    if (cached) copyFileSync(shared, path);
    return {
      path,
      commit: () => {
        if (!cached && existsSync(shared)) return;
        try {
          renameSync(path, shared);
        } catch {
          rmSync(path, { force: true });
        }
      },
      drop: () => rmSync(path, { force: true }),
    };
  }

  /** Write the targets' current state as a commit carrying `meta`, then (last, atomically) point `ref` at it. */
  async commit(key: string, root: string, targets: CheckpointTarget[], meta: CheckpointMeta, ref: string, o: { until?: number; bulk?: boolean } = {}): Promise<string> {
    const idx = this.privateIndex(key, targets);
    // While objects exist that no ref reaches yet, a gc in another process must not drop them.
    const busy = join(this.repoDir(key), 'tmp', `busy-${process.pid}-${randomBytes(4).toString('hex')}`);
    writeFileSync(busy, '', { mode: 0o600 });
    try {
      const tree = await this.treeOf(key, root, targets, idx.path, o);
      const g = this.env(key, undefined, undefined, o.until);
      const commit = (await runGit(g, ['commit-tree', tree, '-F', '-'], { input: `airlock checkpoint ${meta.id}${meta.after ? ' (after the step)' : ''}\n\n${JSON.stringify(meta)}\n` })).toString('utf8').trim();
      // Objects are written; only now does the checkpoint become visible (atomic ref update).
      await runGit(g, ['update-ref', ref, commit]);
      idx.commit();
      return commit;
    } finally {
      idx.drop();
      rmSync(busy, { force: true });
    }
  }

  /** Another live process is between writing objects and pointing a ref at them. */
  private busyElsewhere(key: string): boolean {
    return list(join(this.repoDir(key), 'tmp')).some((f) => {
      const pid = Number(/^busy-(\d+)-/.exec(f)?.[1] ?? NaN);
      return Number.isInteger(pid) && pid !== process.pid && alive(pid);
    });
  }

  /** Merge packs (geometric: cheap, keeps every object) once bulk check-ins made many. */
  async mergePacks(key: string): Promise<void> {
    const packs = list(join(this.repoDir(key), 'git', 'objects', 'pack')).filter((f) => f.endsWith('.pack') && !f.startsWith('tmp_'));
    if (packs.length > PACK_LIMIT) await runGit(this.env(key), ['repack', '-d', '-q', '--geometric=2']).catch(() => undefined);
  }

  async metaOf(key: string, ref: string): Promise<CheckpointMeta | undefined> {
    if (!this.exists(key)) return undefined;
    let raw: string;
    try {
      raw = (await runGit(this.env(key), ['cat-file', 'commit', ref])).toString('utf8');
    } catch {
      return undefined;
    }
    return parseMeta(raw);
  }

  /**
   * Drop unreachable objects (checkpoints whose refs were deleted, half-written ones) and stale
   * private indexes. False when skipped because another process is mid-checkpoint.
   */
  async gc(key: string): Promise<boolean> {
    if (this.busyElsewhere(key)) return false; // the next prune collects
    const g = this.env(key);
    await runGit(g, ['repack', '-a', '-d', '-q']).catch(() => undefined);
    await runGit(g, ['prune', '--expire=now']).catch(() => undefined);
    // The shared index is only a stat cache, but it names objects: after a prune it may name gone ones.
    rmSync(join(this.repoDir(key), 'index'), { force: true });
    const tmp = join(this.repoDir(key), 'tmp');
    for (const f of list(tmp)) {
      try {
        if (!f.startsWith('busy-') && Date.now() - statSync(join(tmp, f)).mtimeMs > 3_600_000) rmSync(join(tmp, f), { force: true });
      } catch {
        /* gone */
      }
    }
    return true;
  }
}

function list(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
