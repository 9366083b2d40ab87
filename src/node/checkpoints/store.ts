/**
 * Workspace checkpoints in a shadow git repository (issue 14).
 *
 * Before an effect the judge marks `snapshotable` runs, the gate records the affected paths of the
 * workspace root in a git repository kept under the Airlock home (one per root, shadowRepo.ts). The
 * person's own `.git` is never written (nor read as a repository: only the work tree's files are).
 *
 * - Only the affected paths are added (`git add -A -- <paths>` into a copy of the shadow repo's own
 *   index, which keeps the stat cache), then `write-tree`, `commit-tree`, and last `update-ref
 *   refs/airlock/<id>`. A kill -9 before the ref update leaves only unreachable objects; older
 *   checkpoints are never touched.
 * - Untracked files are included; `.gitignore`d ones are not, unless a target itself is ignored
 *   (then everything under it is added, within the size caps).
 * - Not snapshotable (the judge then asks, saying why): see scan.ts; also git missing, a timeout,
 *   any git failure.
 * - The commit message carries the checkpoint's metadata (targets, exact modes git does not keep).
 *   After the step ran, `recordAfter` stores the same paths again (`refs/airlock/<id>-after`), so an
 *   undo can tell whether the person changed them since.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitError, readBlobs, runGit } from './git';
import { isCheckpointId, NotSnapshotable, parseDiffTree, parseMeta, REF, type CheckpointInfo, type CheckpointMeta, type CheckpointTarget, type FileChange, type RestoreResult, type TakeResult, type UndoPlan } from './model';
import { diskBytes, rootFor, scanTarget, stateNow, targetsIn, type Scan } from './scan';
import { DEFAULT_CHECKPOINT_SETTINGS, type CheckpointSettings } from './settings';
import { BULK_FILES, ShadowRepos } from './shadowRepo';
import { writeBack } from './writeBack';
import { mergeConflicts, type MergedFile, type MergeResult } from './merge';

export * from './model';
export * from './settings';
export type { MergedFile, MergeRefusal, MergeResult } from './merge';

export class CheckpointStore {
  readonly settings: CheckpointSettings;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly repos: ShadowRepos;

  constructor(
    readonly home: string,
    settings: Partial<CheckpointSettings> = {},
    gitBin?: string,
  ) {
    this.settings = { ...DEFAULT_CHECKPOINT_SETTINGS, ...settings };
    this.repos = new ShadowRepos(home, this.settings, gitBin);
  }

  get dir(): string {
    return this.repos.dir;
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

  /** The workspace root that contains `target` (the longest), canonical. */
  rootFor(target: string, roots: readonly string[]): string | undefined {
    return rootFor(target, roots);
  }

  /**
   * Take a checkpoint of `targets` (absolute, canonical paths) inside one of `roots`.
   * Never throws: a failure is a result with the reason (the caller then asks: fail closed).
   */
  async take(targets: readonly string[], roots: readonly string[], o: { label?: string; timeoutMs?: number } = {}): Promise<TakeResult> {
    const t0 = Date.now();
    const where = targetsIn(targets, roots);
    if ('reason' in where) return { ok: false, code: 'not_snapshotable', reason: where.reason };
    const { root: realRoot, top } = where;
    const key = this.repos.keyOf(realRoot);
    return this.serial(key, async () => {
      try {
        const until = Date.now() + (o.timeoutMs ?? this.settings.timeoutMs);
        // Folders: what git will leave out (.gitignored, untracked) is not walked either (git is asked first).
        const dirs = top.filter((rel) => stateNow(realRoot, rel) === 'dir');
        if (dirs.length) await this.repos.ensure(key, realRoot);
        const ignored = dirs.length ? await this.repos.ignoredUnder(key, realRoot, dirs, until) : undefined;
        const scan: Scan = { files: 0, bytes: 0, modes: {} };
        const states = top.map((rel) => ({ rel, state: scanTarget(this.settings, realRoot, rel, scan, ignored) }));
        await this.repos.ensure(key, realRoot);
        const list: CheckpointTarget[] = states.map((s) => ({ ...s, force: false }));
        const id = `${key}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
        const meta: CheckpointMeta = { v: 1, id, root: realRoot, createdAt: new Date().toISOString(), targets: list, modes: scan.modes, files: scan.files, bytes: scan.bytes, ...(o.label ? { label: o.label.slice(0, 300) } : {}) };
        const bulk = scan.files > BULK_FILES;
        await this.repos.commit(key, realRoot, list, meta, `${REF}${id}`, { until, bulk });
        if (bulk) await this.repos.mergePacks(key);
        return { ok: true, id, root: realRoot, files: scan.files, bytes: scan.bytes, ms: Date.now() - t0 };
      } catch (e) {
        if (e instanceof NotSnapshotable) return { ok: false, code: 'not_snapshotable', reason: e.message };
        if (e instanceof GitError) return { ok: false, code: e.code, reason: e.message };
        return { ok: false, code: 'failed', reason: (e as Error)?.message ?? String(e) };
      }
    });
  }

  /** Record the state of the checkpoint's paths after the step ran (for the "changed since" check of an undo). */
  async recordAfter(id: string): Promise<boolean> {
    const info = await this.get(id);
    if (!info) return false;
    const key = id.slice(0, 12);
    return this.serial(key, async () => {
      try {
        const targets = info.targets.map((t) => ({ ...t, state: stateNow(info.root, t.rel) }));
        await this.repos.commit(key, info.root, targets, { ...info, targets, after: id, createdAt: new Date().toISOString() }, `${REF}${id}-after`, { bulk: info.files > BULK_FILES });
        return true;
      } catch {
        return false;
      }
    });
  }

  async get(id: string): Promise<CheckpointInfo | undefined> {
    if (!isCheckpointId(id)) return undefined;
    const key = id.slice(0, 12);
    const meta = await this.repos.metaOf(key, `${REF}${id}`);
    if (!meta || meta.id !== id) return undefined;
    const after = await this.repos.metaOf(key, `${REF}${id}-after`);
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
    const idx = this.repos.privateIndex(key, targets);
    let current: string;
    try {
      current = await this.repos.treeOf(key, info.root, targets, idx.path, { bulk: info.files > BULK_FILES });
      idx.commit();
    } finally {
      idx.drop();
    }
    const g = this.repos.env(key);
    const paths = info.targets.map((t) => (t.rel === '' ? '.' : t.rel));
    const raw = await runGit(g, ['--literal-pathspecs', 'diff-tree', '-r', '-z', '--no-renames', current, `${REF}${info.id}`, '--', ...paths]);
    const changes = parseDiffTree(raw).map((d): FileChange => {
      if (d.status === 'A') return { path: d.path, action: 'recreate', beforeSha: d.dstSha, beforeMode: d.dstMode };
      if (d.status === 'D') return { path: d.path, action: 'delete', currentSha: d.srcSha, currentMode: d.srcMode };
      return { path: d.path, action: 'restore', beforeSha: d.dstSha, beforeMode: d.dstMode, currentSha: d.srcSha, currentMode: d.srcMode };
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

  /**
   * What an undo over changes made since the step would write: a three-way merge per file changed
   * since (merge.ts), or why a file cannot be merged. Nothing is written to the workspace.
   */
  async mergePlan(id: string): Promise<{ plan: UndoPlan; merge: MergeResult } | undefined> {
    const info = await this.get(id);
    if (!info) return undefined;
    const key = id.slice(0, 12);
    return this.serial(key, async () => {
      const plan = await this.planLocked(key, info);
      if (!plan.afterRecorded) return { plan, merge: { merged: [], refused: plan.conflicts.map((path) => ({ path, reason: 'the state after the step was not recorded (its outcome never arrived): there is no base to merge from' })) } };
      if (!plan.conflicts.length) return { plan, merge: { merged: [], refused: [] } };
      const merge = await mergeConflicts(this.repos.env(key), { changes: plan.changes, conflicts: plan.conflicts, beforeRef: `${REF}${info.id}`, afterRef: `${REF}${info.id}-after`, tmp: join(this.repos.repoDir(key), 'tmp') });
      return { plan, merge };
    });
  }

  /** The content of one file in the checkpoint (for a diff view); undefined when it did not exist there. */
  async contentAt(id: string, rel: string): Promise<Buffer | undefined> {
    if (!isCheckpointId(id)) return undefined;
    try {
      return await runGit(this.repos.env(id.slice(0, 12)), ['cat-file', 'blob', `${REF}${id}:${rel}`]);
    } catch {
      return undefined;
    }
  }

  /**
   * Put the checkpoint's paths back as they were before the step: exact bytes and permission bits;
   * files the step created under them are removed. Refuses when the person changed those files
   * since the step (unless `force`), and when the after-state was never recorded (unless `force`).
   */
  async restore(id: string, o: { force?: boolean; merged?: readonly MergedFile[] } = {}): Promise<RestoreResult> {
    const info = await this.get(id);
    if (!info) return { ok: false, code: 'not_found', message: `no checkpoint ${id}` };
    const key = id.slice(0, 12);
    return this.serial(key, async () => {
      try {
        const plan = await this.planLocked(key, info);
        if (!o.force && plan.conflicts.length) return { ok: false, code: 'conflict', message: `these files changed after the step, so undoing it would lose those changes: ${plan.conflicts.slice(0, 10).join(', ')}${plan.conflicts.length > 10 ? ` and ${plan.conflicts.length - 10} more` : ''}; nothing was restored`, conflicts: plan.conflicts };
        if (!o.force && !plan.afterRecorded) return { ok: false, code: 'no_after_state', message: 'the state after the step was not recorded, so changes made since cannot be detected; nothing was restored (undo with force to restore anyway)' };
        // A merge is written only over the very file it was computed from.
        const overrides = new Map<string, { data: Buffer; mode: number }>();
        for (const m of o.merged ?? []) {
          const c = plan.changes.find((x) => x.path === m.path);
          if (!c || c.action !== 'restore' || c.currentSha !== m.currentSha) return { ok: false, code: 'conflict', message: `${m.path} changed again after the merge was made; nothing was restored (undo again to merge the new state)`, conflicts: [m.path] };
          overrides.set(m.path, { data: m.content, mode: lstatSync(join(info.root, m.path)).mode & 0o7777 });
        }
        const blobs = await readBlobs(this.repos.env(key), plan.changes.filter((c) => c.beforeSha && !overrides.has(c.path)).map((c) => c.beforeSha!));
        const { restored, deleted } = writeBack(info, plan.changes, blobs, overrides);
        const after = await this.planLocked(key, info);
        const verified = after.changes.every((c) => overrides.has(c.path)) && [...overrides].every(([p, v]) => readFileSync(join(info.root, p)).equals(v.data));
        return { ok: true, id, root: info.root, restored, deleted, verified, ...(o.merged?.length ? { merged: o.merged.map((m) => ({ path: m.path, conflicts: m.conflicts })) } : {}) };
      } catch (e) {
        return { ok: false, code: 'failed', message: `the restore failed: ${(e as Error)?.message ?? String(e)}` };
      }
    });
  }

  /** Every checkpoint (newest first), optionally of one root. */
  async list(root?: string): Promise<CheckpointInfo[]> {
    const out: CheckpointInfo[] = [];
    for (const key of this.repos.keys()) {
      if (root && key !== this.repos.keyOf(root)) continue;
      let raw: string;
      try {
        raw = (await runGit(this.repos.env(key), ['for-each-ref', '--format=%(refname)%00%(contents)%00%00', REF])).toString('utf8');
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

  /** Count and bytes on disk ("12 checkpoints, 4 MB"), and the newest checkpoint. */
  async stats(): Promise<{ checkpoints: number; bytes: number; workspaces: number; last?: { id: string; createdAt: string; files: number; bytes: number } }> {
    const list = await this.list();
    const l = list[0];
    return { checkpoints: list.length, bytes: diskBytes(this.dir), workspaces: this.repos.keys().length, ...(l ? { last: { id: l.id, createdAt: l.createdAt, files: l.files, bytes: l.bytes } } : {}) };
  }

  async delete(id: string): Promise<void> {
    if (!isCheckpointId(id)) return;
    const key = id.slice(0, 12);
    await this.serial(key, async () => {
      for (const r of [`${REF}${id}`, `${REF}${id}-after`]) await runGit(this.repos.env(key), ['update-ref', '-d', r]).catch(() => undefined);
    });
  }

  /**
   * prune() unless one ran within `intervalMs` (a stamp file in the store's folder): for processes
   * that start often, such as `airlock mcp` once per agent session.
   */
  async pruneIfDue(intervalMs: number, now = Date.now()): Promise<{ removed: number } | undefined> {
    const stamp = join(this.dir, 'last-prune');
    try {
      if (now - statSync(stamp).mtimeMs < intervalMs) return undefined;
    } catch {
      // no stamp yet: due
    }
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(stamp, `${new Date(now).toISOString()}\n`);
    return this.prune(now);
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
    let collected = await this.gc();
    const rest = all.filter((c) => Date.parse(c.createdAt) >= cutoff);
    // Only while the space of removed checkpoints is really freed (not while another process is mid-checkpoint).
    while (collected && rest.length && diskBytes(this.dir) > this.settings.maxTotalBytes) {
      await this.delete(rest.shift()!.id);
      removed++;
      collected = await this.gc();
    }
    return { removed };
  }

  /** True when every repository was collected. */
  private async gc(): Promise<boolean> {
    let all = true;
    for (const key of this.repos.keys()) all = (await this.serial(key, () => this.repos.gc(key))) && all;
    return all;
  }

  /** Remove leftovers of writers killed mid-checkpoint (done by itself at a repository's first use). */
  recover(): string[] {
    return this.repos.keys().flatMap((k) => this.repos.recover(k));
  }

  /** Remove every checkpoint of every workspace. */
  async clear(): Promise<{ removed: number }> {
    const n = (await this.list()).length;
    for (const key of this.repos.keys()) await this.serial(key, async () => rmSync(this.repos.repoDir(key), { recursive: true, force: true }));
    return { removed: n };
  }
}
