/**
 * Workspace checkpoints in a shadow git repository (issue 14).
 *
 * Before an effect the judge marks `snapshotable` runs, the gate records the affected paths of the
 * workspace root in a git repository kept under the Airlock home (one per root:
 * `<home>/checkpoints/<key>/git`), with GIT_DIR + GIT_WORK_TREE and a private index file. The
 * person's own `.git` is never written (nor read as a repository: only the work tree's files are).
 *
 * - Only the affected paths are added (`git add -A -- <paths>` into a copy of the shadow repo's own
 *   index, which keeps the stat cache: a later checkpoint of an unchanged file does not hash it
 *   again), then `write-tree`, `commit-tree`, and last `update-ref refs/airlock/<id>`. A kill -9
 *   before the ref update leaves only unreachable objects; older checkpoints are never touched.
 * - Untracked files are included; `.gitignore`d ones are not, unless a target itself is ignored
 *   (then everything under it is added, within the size caps).
 * - Not snapshotable (the judge then asks, saying why): a path outside the root, the root's `.git`
 *   itself, a nested repository or submodule, a symlink pointing outside the root, a file over
 *   `maxFileBytes`, more than `maxCheckpointBytes` / `maxFiles` in one checkpoint, git missing, a
 *   timeout, any git failure.
 * - The commit message carries the checkpoint's metadata (targets, exact modes git does not keep).
 *   After the step ran, `recordAfter` stores the same paths again (`refs/airlock/<id>-after`), so an
 *   undo can tell whether the person changed them since.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync, rmdirSync, statSync, symlinkSync, unlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { sha256 } from '../../core/hash';
import { GitError, readBlobs, runGit, type GitEnv } from './git';

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

/**
 * Settings from the environment: AIRLOCK_CHECKPOINTS=off turns checkpoints off;
 * AIRLOCK_CHECKPOINT_MAX_FILE_MB, AIRLOCK_CHECKPOINT_MAX_MB, AIRLOCK_CHECKPOINT_MAX_AGE_DAYS,
 * AIRLOCK_CHECKPOINT_STORE_MB set the caps (the editor passes its settings the same way).
 */
export function checkpointSettingsFromEnv(env: NodeJS.ProcessEnv): Partial<CheckpointSettings> | false {
  if (/^(off|0|false|no)$/i.test(env.AIRLOCK_CHECKPOINTS ?? '')) return false;
  const num = (k: string, scale: number): number | undefined => {
    const v = Number(env[k]);
    return env[k] !== undefined && Number.isFinite(v) && v > 0 ? v * scale : undefined;
  };
  const out: Partial<CheckpointSettings> = {};
  const mb = 1024 * 1024;
  const f = num('AIRLOCK_CHECKPOINT_MAX_FILE_MB', mb);
  const c = num('AIRLOCK_CHECKPOINT_MAX_MB', mb);
  const a = num('AIRLOCK_CHECKPOINT_MAX_AGE_DAYS', 1);
  const t = num('AIRLOCK_CHECKPOINT_STORE_MB', mb);
  if (f) out.maxFileBytes = f;
  if (c) out.maxCheckpointBytes = c;
  if (a) out.maxAgeDays = a;
  if (t) out.maxTotalBytes = t;
  return out;
}

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
  | { ok: true; id: string; root: string; restored: string[]; deleted: string[]; verified: boolean }
  | { ok: false; code: 'not_found' | 'conflict' | 'no_after_state' | 'failed'; message: string; conflicts?: string[] };

export class NotSnapshotable extends Error {}

const ID = /^([0-9a-f]{12})-([0-9a-z]{6,12})-([0-9a-f]{8})$/;
const REF = 'refs/airlock/';

export function isCheckpointId(id: string): boolean {
  return ID.test(id);
}

function inside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

const toPosix = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

interface Scan {
  files: number;
  bytes: number;
  modes: Record<string, number>;
}

export class CheckpointStore {
  readonly settings: CheckpointSettings;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    readonly home: string,
    settings: Partial<CheckpointSettings> = {},
    private readonly gitBin?: string,
  ) {
    this.settings = { ...DEFAULT_CHECKPOINT_SETTINGS, ...settings };
  }

  get dir(): string {
    return join(this.home, 'checkpoints');
  }

  private keyOf(root: string): string {
    return sha256(root).slice(0, 12);
  }

  private repoDir(key: string): string {
    return join(this.dir, key);
  }

  /** `until`: an absolute deadline (ms since the epoch) for the whole operation; each git call gets what is left. */
  private env(key: string, root?: string, indexFile?: string, until?: number): GitEnv {
    const timeoutMs = until === undefined ? this.settings.timeoutMs : Math.max(1, Math.min(this.settings.timeoutMs, until - Date.now()));
    return { gitDir: join(this.repoDir(key), 'git'), timeoutMs, ...(root ? { workTree: root } : {}), ...(indexFile ? { indexFile } : {}), ...(this.gitBin ? { gitBin: this.gitBin } : {}) };
  }

  /** One operation at a time per root in this process (other processes are safe: private indexes, atomic refs). */
  private serial<T>(key: string, f: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const next = prev.then(f, f);
    const tail = next.catch(() => undefined);
    this.locks.set(key, tail);
    void tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    });
    return next;
  }

  private async ensureRepo(key: string, root: string): Promise<void> {
    const d = this.repoDir(key);
    if (existsSync(join(d, 'git', 'HEAD'))) return;
    mkdirSync(d, { recursive: true, mode: 0o700 });
    await runGit(this.env(key), ['init', '-q'], { cwd: d });
    writeFileSync(join(d, 'root'), `${root}\n`, { mode: 0o600 });
  }

  /** The workspace root that contains `target` (the longest), canonical. */
  rootFor(target: string, roots: readonly string[]): string | undefined {
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

  /** Check one target and count what it holds; throws NotSnapshotable with the reason. */
  private scanTarget(root: string, rel: string, s: Scan): TargetState {
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
          visit(join(p, ent.name), r ? `${r}/${ent.name}` : ent.name, false);
        }
        return;
      }
      if (!l.isFile()) return; // sockets, fifos: git does not keep them either
      if (l.size > this.settings.maxFileBytes) throw new NotSnapshotable(`${p} is larger than the checkpoint size cap (${l.size} > ${this.settings.maxFileBytes} bytes)`);
      s.files++;
      s.bytes += l.size;
      if (s.bytes > this.settings.maxCheckpointBytes) throw new NotSnapshotable(`the affected files are larger than the checkpoint cap (${this.settings.maxCheckpointBytes} bytes)`);
      if (s.files > this.settings.maxFiles) throw new NotSnapshotable(`more than ${this.settings.maxFiles} affected files`);
      const perm = l.mode & 0o7777;
      if (perm !== 0o644 && perm !== 0o755) s.modes[r] = perm;
    };
    visit(abs, rel, rel === '');
    return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'file';
  }

  private excludes(root: string): string[] {
    const f = join(root, '.git', 'info', 'exclude');
    return existsSync(f) ? [`core.excludesFile=${f}`] : [];
  }

  /**
   * Stage the targets into `index` (a private copy) and write the tree. A target that is itself
   * .gitignored is refused by the plain `git add` (which names it); it is then added with -f, and
   * `force` is set on it. Untracked files are added; ignored files inside a plain target are not.
   */
  private async treeOf(key: string, root: string, targets: CheckpointTarget[], index: string, until?: number): Promise<string> {
    const env = (): GitEnv => this.env(key, root, index, until);
    const spec = (ts: CheckpointTarget[]): string => ts.map((t) => `${t.rel === '' ? '.' : t.rel}\0`).join('');
    const cfg = this.excludes(root);
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
  private privateIndex(key: string, targets: readonly CheckpointTarget[]): { path: string; commit: () => void; drop: () => void } {
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

  /**
   * Take a checkpoint of `targets` (absolute, canonical paths) inside one of `roots`.
   * Never throws: a failure is a result with the reason (the caller then asks: fail closed).
   */
  async take(targets: readonly string[], roots: readonly string[], o: { label?: string; timeoutMs?: number } = {}): Promise<TakeResult> {
    const t0 = Date.now();
    if (!targets.length) return { ok: false, code: 'not_snapshotable', reason: 'nothing to checkpoint' };
    let root: string | undefined;
    for (const t of targets) {
      const r = this.rootFor(t, roots);
      if (!r) return { ok: false, code: 'not_snapshotable', reason: `${t} is not inside a workspace root` };
      if (root && r !== root) return { ok: false, code: 'not_snapshotable', reason: 'the affected paths span several workspace roots' };
      root = r;
    }
    const realRoot = root!;
    const key = this.keyOf(realRoot);
    return this.serial(key, async () => {
      try {
        const scan: Scan = { files: 0, bytes: 0, modes: {} };
        const rels = [...new Set(targets.map((t) => toPosix(relative(realRoot, t))))].sort();
        // A target inside another target is covered by it.
        const top = rels.filter((r) => !rels.some((o) => o !== r && (o === '' || r.startsWith(`${o}/`))));
        const states = top.map((rel) => ({ rel, state: this.scanTarget(realRoot, rel, scan) }));
        await this.ensureRepo(key, realRoot);
        const list: CheckpointTarget[] = states.map((s) => ({ ...s, force: false }));
        const id = `${key}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
        const meta: CheckpointMeta = { v: 1, id, root: realRoot, createdAt: new Date().toISOString(), targets: list, modes: scan.modes, files: scan.files, bytes: scan.bytes, ...(o.label ? { label: o.label.slice(0, 300) } : {}) };
        await this.commit(key, realRoot, list, meta, `${REF}${id}`, Date.now() + (o.timeoutMs ?? this.settings.timeoutMs));
        return { ok: true, id, root: realRoot, files: scan.files, bytes: scan.bytes, ms: Date.now() - t0 };
      } catch (e) {
        if (e instanceof NotSnapshotable) return { ok: false, code: 'not_snapshotable', reason: e.message };
        if (e instanceof GitError) return { ok: false, code: e.code, reason: e.message };
        return { ok: false, code: 'failed', reason: (e as Error)?.message ?? String(e) };
      }
    });
  }

  private async commit(key: string, root: string, targets: CheckpointTarget[], meta: CheckpointMeta, ref: string, until?: number): Promise<string> {
    const idx = this.privateIndex(key, targets);
    try {
      const tree = await this.treeOf(key, root, targets, idx.path, until);
      const commit = (await runGit(this.env(key, undefined, undefined, until), ['commit-tree', tree, '-F', '-'], { input: `airlock checkpoint ${meta.id}${meta.after ? ' (after the step)' : ''}\n\n${JSON.stringify(meta)}\n` })).toString('utf8').trim();
      // Objects are written; only now does the checkpoint become visible (atomic ref update).
      await runGit(this.env(key, undefined, undefined, until), ['update-ref', ref, commit]);
      idx.commit();
      return commit;
    } finally {
      idx.drop();
    }
  }

  /** Record the state of the checkpoint's paths after the step ran (for the "changed since" check of an undo). */
  async recordAfter(id: string): Promise<boolean> {
    const info = await this.get(id);
    if (!info) return false;
    const key = id.slice(0, 12);
    return this.serial(key, async () => {
      try {
        const targets = info.targets.map((t) => ({ ...t, state: stateNow(info.root, t.rel) }));
        await this.commit(key, info.root, targets, { ...info, targets, after: id, createdAt: new Date().toISOString() }, `${REF}${id}-after`);
        return true;
      } catch {
        return false;
      }
    });
  }

  private async metaOf(key: string, ref: string): Promise<CheckpointMeta | undefined> {
    if (!existsSync(join(this.repoDir(key), 'git', 'HEAD'))) return undefined;
    let raw: string;
    try {
      raw = (await runGit(this.env(key), ['cat-file', 'commit', ref])).toString('utf8');
    } catch {
      return undefined;
    }
    return parseMeta(raw);
  }

  async get(id: string): Promise<CheckpointInfo | undefined> {
    if (!isCheckpointId(id)) return undefined;
    const key = id.slice(0, 12);
    const meta = await this.metaOf(key, `${REF}${id}`);
    if (!meta || meta.id !== id) return undefined;
    const after = await this.metaOf(key, `${REF}${id}-after`);
    return { ...meta, afterRecorded: after !== undefined };
  }

  /** What an undo of checkpoint `id` would change now, and what changed since the step. */
  async plan(id: string): Promise<UndoPlan | undefined> {
    const info = await this.get(id);
    if (!info) return undefined;
    const key = id.slice(0, 12);
    return this.serial(key, () => this.planLocked(key, info));
  }

  private async planLocked(key: string, info: CheckpointInfo): Promise<UndoPlan> {
    const targets = info.targets.map((t) => ({ ...t, state: stateNow(info.root, t.rel) }));
    const idx = this.privateIndex(key, targets);
    let current: string;
    try {
      current = await this.treeOf(key, info.root, targets, idx.path);
      idx.commit();
    } finally {
      idx.drop();
    }
    const g = this.env(key);
    const paths = info.targets.map((t) => (t.rel === '' ? '.' : t.rel));
    const raw = await runGit(g, ['--literal-pathspecs', 'diff-tree', '-r', '-z', '--no-renames', current, `${REF}${info.id}`, '--', ...paths]);
    const changes = parseDiffTree(raw).map((d): FileChange => {
      if (d.status === 'A') return { path: d.path, action: 'recreate', beforeSha: d.dstSha, beforeMode: d.dstMode };
      if (d.status === 'D') return { path: d.path, action: 'delete', currentSha: d.srcSha };
      return { path: d.path, action: 'restore', beforeSha: d.dstSha, beforeMode: d.dstMode, currentSha: d.srcSha };
    });
    // Exact modes git does not keep (0600, 0700…): a file whose bits differ is restored too.
    for (const [rel, mode] of Object.entries(info.modes)) {
      if (changes.some((c) => c.path === rel)) continue;
      try {
        if ((lstatSync(join(info.root, rel)).mode & 0o7777) !== mode) {
          const sha = (await runGit(g, ['rev-parse', `${REF}${info.id}:${rel}`])).toString('utf8').trim();
          changes.push({ path: rel, action: 'restore', beforeSha: sha, currentSha: sha, beforeMode: '100644' });
        }
      } catch {
        /* gone: the diff already lists it */
      }
    }
    let conflicts: string[] = [];
    if (info.afterRecorded) {
      const c = await runGit(g, ['--literal-pathspecs', 'diff-tree', '-r', '-z', '--no-renames', '--name-only', `${REF}${info.id}-after`, current, '--', ...paths]);
      conflicts = c.toString('utf8').split('\0').filter(Boolean);
    }
    return { id: info.id, root: info.root, createdAt: info.createdAt, changes: changes.sort((a, b) => a.path.localeCompare(b.path)), conflicts, afterRecorded: info.afterRecorded };
  }

  /** The content of one file in the checkpoint (for a diff view); undefined when it did not exist there. */
  async contentAt(id: string, rel: string): Promise<Buffer | undefined> {
    if (!isCheckpointId(id)) return undefined;
    try {
      return await runGit(this.env(id.slice(0, 12)), ['cat-file', 'blob', `${REF}${id}:${rel}`]);
    } catch {
      return undefined;
    }
  }

  /**
   * Put the checkpoint's paths back as they were before the step: exact bytes and permission bits;
   * files the step created under them are removed. Refuses when the person changed those files
   * since the step (unless `force`), and when the after-state was never recorded (unless `force`).
   */
  async restore(id: string, o: { force?: boolean } = {}): Promise<RestoreResult> {
    const info = await this.get(id);
    if (!info) return { ok: false, code: 'not_found', message: `no checkpoint ${id}` };
    const key = id.slice(0, 12);
    return this.serial(key, async () => {
      try {
        const plan = await this.planLocked(key, info);
        if (!o.force && plan.conflicts.length) return { ok: false, code: 'conflict', message: `these files changed after the step, so undoing it would lose those changes: ${plan.conflicts.slice(0, 10).join(', ')}${plan.conflicts.length > 10 ? ` and ${plan.conflicts.length - 10} more` : ''}; nothing was restored`, conflicts: plan.conflicts };
        if (!o.force && !plan.afterRecorded) return { ok: false, code: 'no_after_state', message: 'the state after the step was not recorded, so changes made since cannot be detected; nothing was restored (undo with force to restore anyway)' };
        const g = this.env(key);
        const blobs = await readBlobs(g, plan.changes.filter((c) => c.beforeSha).map((c) => c.beforeSha!));
        const deleted: string[] = [];
        const restored: string[] = [];
        for (const c of plan.changes.filter((x) => x.action === 'delete')) {
          const abs = join(info.root, c.path);
          rmSync(abs, { force: true });
          deleted.push(c.path);
          pruneEmptyParents(info.root, dirname(abs), info.targets);
        }
        for (const c of plan.changes.filter((x) => x.action !== 'delete')) {
          const abs = join(info.root, c.path);
          const data = blobs.get(c.beforeSha!)!;
          makeParents(info.root, dirname(abs));
          const cur = lstatOrUndefined(abs);
          if (cur?.isDirectory()) rmSync(abs, { recursive: true, force: true });
          if (c.beforeMode === '120000') {
            if (cur && !cur.isDirectory()) unlinkSync(abs);
            symlinkSync(data.toString('utf8'), abs);
          } else {
            const tmp = join(dirname(abs), `.airlock-restore-${randomBytes(4).toString('hex')}`);
            writeFileSync(tmp, data, { mode: 0o600 });
            chmodSync(tmp, info.modes[c.path] ?? (c.beforeMode === '100755' ? 0o755 : 0o644));
            renameSync(tmp, abs);
          }
          restored.push(c.path);
        }
        const after = await this.planLocked(key, info);
        return { ok: true, id, root: info.root, restored, deleted, verified: after.changes.length === 0 };
      } catch (e) {
        return { ok: false, code: 'failed', message: `the restore failed: ${(e as Error)?.message ?? String(e)}` };
      }
    });
  }

  /** Every checkpoint (newest first), optionally of one root. */
  async list(root?: string): Promise<CheckpointInfo[]> {
    const out: CheckpointInfo[] = [];
    for (const key of this.keys()) {
      if (root && key !== this.keyOf(root)) continue;
      let raw: string;
      try {
        raw = (await runGit(this.env(key), ['for-each-ref', '--format=%(refname)%00%(contents)%00%00', REF])).toString('utf8');
      } catch {
        continue;
      }
      const metas = new Map<string, CheckpointMeta>();
      const afters = new Set<string>();
      for (const rec of raw.split('\0\0\n').filter((x) => x.trim())) {
        const [ref, body] = rec.split('\0');
        const name = (ref ?? '').trim().slice(REF.length);
        if (name.endsWith('-after')) afters.add(name.slice(0, -6));
        else {
          const m = parseMeta(`\n\n${body ?? ''}`);
          if (m) metas.set(name, m);
        }
      }
      for (const [name, m] of metas) out.push({ ...m, afterRecorded: afters.has(name) });
    }
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  private keys(): string[] {
    try {
      return readdirSync(this.dir).filter((k) => /^[0-9a-f]{12}$/.test(k));
    } catch {
      return [];
    }
  }

  /** Count and bytes on disk ("12 checkpoints, 4 MB"). */
  async stats(): Promise<{ checkpoints: number; bytes: number; workspaces: number }> {
    const list = await this.list();
    return { checkpoints: list.length, bytes: diskBytes(this.dir), workspaces: this.keys().length };
  }

  async delete(id: string): Promise<void> {
    if (!isCheckpointId(id)) return;
    const key = id.slice(0, 12);
    await this.serial(key, async () => {
      for (const r of [`${REF}${id}`, `${REF}${id}-after`]) await runGit(this.env(key), ['update-ref', '-d', r]).catch(() => undefined);
    });
  }

  /** Remove checkpoints older than maxAgeDays, then the oldest until the store is under maxTotalBytes. */
  async prune(now = Date.now()): Promise<{ removed: number }> {
    const all = (await this.list()).reverse(); // oldest first
    let removed = 0;
    const cutoff = now - this.settings.maxAgeDays * 86_400_000;
    for (const c of all) {
      if (Date.parse(c.createdAt) < cutoff) {
        await this.delete(c.id);
        removed++;
      }
    }
    await this.gc();
    const rest = all.filter((c) => Date.parse(c.createdAt) >= cutoff);
    while (rest.length && diskBytes(this.dir) > this.settings.maxTotalBytes) {
      await this.delete(rest.shift()!.id);
      removed++;
      await this.gc();
    }
    return { removed };
  }

  /** Drop unreachable objects (checkpoints whose refs were deleted) and stale private indexes. */
  private async gc(): Promise<void> {
    for (const key of this.keys()) {
      await this.serial(key, async () => {
        await runGit(this.env(key), ['prune', '--expire=now']).catch(() => undefined);
        // The shared index is only a stat cache, but it names objects: after a prune it may name gone ones.
        rmSync(join(this.repoDir(key), 'index'), { force: true });
        const tmp = join(this.repoDir(key), 'tmp');
        for (const f of existsSync(tmp) ? readdirSync(tmp) : []) {
          try {
            if (Date.now() - statSync(join(tmp, f)).mtimeMs > 3_600_000) rmSync(join(tmp, f), { force: true });
          } catch {
            /* gone */
          }
        }
      });
    }
  }

  /** Remove every checkpoint of every workspace. */
  async clear(): Promise<{ removed: number }> {
    const n = (await this.list()).length;
    for (const key of this.keys()) await this.serial(key, async () => rmSync(this.repoDir(key), { recursive: true, force: true }));
    return { removed: n };
  }
}

function parseMeta(raw: string): CheckpointMeta | undefined {
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

function stateNow(root: string, rel: string): TargetState {
  const st = lstatOrUndefined(rel ? join(root, rel) : root);
  return !st ? 'absent' : st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'file';
}

function lstatOrUndefined(p: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
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

function pruneEmptyParents(root: string, dir: string, targets: CheckpointTarget[]): void {
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

interface DiffRow {
  srcMode: string;
  dstMode: string;
  srcSha: string;
  dstSha: string;
  status: string;
  path: string;
}

function parseDiffTree(raw: Buffer): DiffRow[] {
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

function diskBytes(dir: string): number {
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

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GB`;
}
