/**
 * Checkpoint figures for `npm run bench` (section 12), or alone: `node --import tsx bench/checkpoints.ts [runs]`.
 *
 * A generated git repository of 10,000 files (100 packages × 100 files, committed), and the
 * checkpoint store (src/node/checkpoints/store.ts) under a fresh Airlock home:
 *   - first checkpoint: the whole tree (what `git reset --hard` or `rm -rf *` at the root needs),
 *     into an empty shadow repository (every file hashed and written once);
 *   - later whole-tree checkpoints after one file changed (the shadow index's stat cache);
 *   - later checkpoints of one file (an overwrite, an edit) and of one 100-file folder (rm -rf pkgN);
 *   - the undo of a whole-tree deletion (10,000 files written back, verified);
 *   - side by side, once: the same first whole-tree add done the way it was before the bulk check-in
 *     (plain `git add -A` into an empty shadow repository: one loose object per file, default malloc).
 * Medians; the machine is shared, so the load average is printed with the figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore, DEFAULT_CHECKPOINT_SETTINGS } from '../src/node/checkpoints/store';
import { scanTarget } from '../src/node/checkpoints/scan';
import { ShadowRepos } from '../src/node/checkpoints/shadowRepo';

export interface CheckpointFigures {
  files: number;
  firstWholeMs: number[];
  laterWholeMs: number[];
  laterFileMs: number[];
  laterFolderMs: number[];
  restoreWholeMs: number;
  restoredFiles: number;
  /** The same first add without bulk check-in and without the malloc tunables (one run). */
  plainFirstMs: number;
  /** CPU seconds (this process and its git children, user + system): independent of the machine's load. */
  firstWholeCpu: number[];
  plainFirstCpu: number;
  loadAverage: number;
  cpus: number;
  /** The same tree plus a .gitignored node_modules of `ignoredFiles` files. */
  ignoredFiles: number;
  /** Later whole-tree checkpoints with that node_modules next to the tree. */
  laterWholeIgnoredMs: number[];
  /** The scan of the whole tree walking the ignored folder too (as before), and skipping what git lists as ignored (ls-files included). */
  scanAllMs: number[];
  scanSkipMs: number[];
  /** CPU seconds of the same scans (Node, and git ls-files for the skipping one). */
  scanAllCpu: number[];
  scanSkipCpu: number[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

function repo(dir: string): void {
  for (let d = 0; d < 100; d++) {
    mkdirSync(join(dir, `pkg${d}`, 'src'), { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(join(dir, `pkg${d}`, 'src', `f${f}.ts`), `export const v${d}_${f} = ${d * 100 + f};\n// ${'x'.repeat((f * 37) % 400)}\n`);
  }
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', '-c', 'gc.auto=0', ...a], { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
}

/** A .gitignored node_modules of 20,000 small files (200 packages × 100), .gitignore committed. */
function nodeModules(dir: string): number {
  for (let d = 0; d < 200; d++) {
    mkdirSync(join(dir, 'node_modules', `dep${d}`, 'lib'), { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(join(dir, 'node_modules', `dep${d}`, 'lib', `m${f}.js`), `module.exports = ${f};\n`);
  }
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
  execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', '-c', 'gc.auto=0', 'add', '.gitignore'], { cwd: dir, stdio: 'ignore' });
  execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', '-c', 'gc.auto=0', 'commit', '-q', '-m', 'ignore'], { cwd: dir, stdio: 'ignore' });
  return 20_000;
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t = process.hrtime.bigint();
  const r = await f();
  return [Number(process.hrtime.bigint() - t) / 1e6, r];
}

/** CPU seconds used so far by this process and its waited-for children (Linux /proc; NaN elsewhere). */
function cpuSeconds(): number {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // Fields 14-17 (utime, stime, cutime, cstime) counted from field 3 after the name.
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}

/** `git add -A` of the whole tree into an empty repository, as the store did before (loose objects, default malloc). */
function plainFirst(ws: string, gitDir: string): number {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_DIR: gitDir, GIT_WORK_TREE: ws, GIT_INDEX_FILE: `${gitDir}.index` };
  execFileSync('git', ['init', '-q'], { env, cwd: ws });
  const t = process.hrtime.bigint();
  const c = cpuSeconds();
  execFileSync('git', ['-c', 'gc.auto=0', 'add', '-A', '.'], { env, cwd: ws });
  execFileSync('git', ['write-tree'], { env, cwd: ws, stdio: 'ignore' });
  plainCpu = cpuSeconds() - c;
  return Number(process.hrtime.bigint() - t) / 1e6;
}
let plainCpu = NaN;

export async function checkpointFigures(runs = 3): Promise<CheckpointFigures> {
  const base = mkdtempSync(join(tmpdir(), 'airlock-bench-cp-'));
  try {
    const ws = join(base, 'ws');
    mkdirSync(ws);
    repo(ws);
    const loads: number[] = [loadavg()[0]!];
    const big = { timeoutMs: 600_000 };
    const firstWholeMs: number[] = [];
    const firstWholeCpu: number[] = [];
    let plainFirstMs = NaN;
    let store = new CheckpointStore(join(base, 'home-0'), big);
    for (let i = 0; i < runs; i++) {
      store = new CheckpointStore(join(base, `home-${i}`), big);
      const c0 = cpuSeconds();
      const [ms, r] = await timed(() => store.take([ws], [ws]));
      firstWholeCpu.push(cpuSeconds() - c0);
      if (!r.ok) throw new Error(`first checkpoint failed: ${r.reason}`);
      firstWholeMs.push(ms);
      if (i === 0) plainFirstMs = plainFirst(ws, join(base, 'plain-git'));
    }
    const laterWholeMs: number[] = [];
    const laterFileMs: number[] = [];
    const laterFolderMs: number[] = [];
    let whole = '';
    for (let i = 0; i < Math.max(7, runs * 3); i++) {
      writeFileSync(join(ws, `pkg${i}`, 'src', 'f0.ts'), `changed ${i}\n`);
      const [a, r1] = await timed(() => store.take([ws], [ws]));
      if (!r1.ok) throw new Error(r1.reason);
      whole = r1.id;
      laterWholeMs.push(a);
      const [b, r2] = await timed(() => store.take([join(ws, `pkg${i}`, 'src', 'f1.ts')], [ws]));
      if (!r2.ok) throw new Error(r2.reason);
      laterFileMs.push(b);
      const [c, r3] = await timed(() => store.take([join(ws, `pkg${i + 50}`)], [ws]));
      if (!r3.ok) throw new Error(r3.reason);
      laterFolderMs.push(c);
    }
    loads.push(loadavg()[0]!);
    // A .gitignored node_modules next to the tree: git leaves it out, and so does the scan.
    const ignoredFiles = nodeModules(ws);
    const laterWholeIgnoredMs: number[] = [];
    const scanAllMs: number[] = [];
    const scanSkipMs: number[] = [];
    const scanAllCpu: number[] = [];
    const scanSkipCpu: number[] = [];
    const key = join(base, `home-${runs - 1}`, 'checkpoints');
    const shadow = readdirSync(key).find((k) => /^[0-9a-f]{12}$/.test(k))!;
    const repos = new ShadowRepos(join(base, `home-${runs - 1}`), { ...DEFAULT_CHECKPOINT_SETTINGS, ...big });
    for (let i = 0; i < Math.max(7, runs * 3); i++) {
      writeFileSync(join(ws, `pkg${i}`, 'src', 'f2.ts'), `changed again ${i}\n`);
      const [a, r1] = await timed(() => store.take([ws], [ws]));
      if (!r1.ok) throw new Error(r1.reason);
      laterWholeIgnoredMs.push(a);
      let c0 = cpuSeconds();
      const [all] = await timed(async () => scanTarget(DEFAULT_CHECKPOINT_SETTINGS, ws, '', { files: 0, bytes: 0, modes: {} }));
      scanAllCpu.push(cpuSeconds() - c0);
      scanAllMs.push(all);
      c0 = cpuSeconds();
      const [skip] = await timed(async () => scanTarget(DEFAULT_CHECKPOINT_SETTINGS, ws, '', { files: 0, bytes: 0, modes: {} }, await repos.ignoredUnder(shadow, ws, [''])));
      scanSkipCpu.push(cpuSeconds() - c0);
      scanSkipMs.push(skip);
    }
    loads.push(loadavg()[0]!);
    for (const d of readdirSync(ws)) if (d !== '.git') rmSync(join(ws, d), { recursive: true });
    const [restoreWholeMs, u] = await timed(() => store.restore(whole, { force: true }));
    if (!u.ok || !u.verified) throw new Error(`restore failed: ${JSON.stringify(u).slice(0, 300)}`);
    loads.push(loadavg()[0]!);
    return { ignoredFiles, laterWholeIgnoredMs, scanAllMs, scanSkipMs, scanAllCpu, scanSkipCpu, files: 10_000, firstWholeMs, laterWholeMs, laterFileMs, laterFolderMs, restoreWholeMs, restoredFiles: u.restored.length, plainFirstMs, firstWholeCpu, plainFirstCpu: plainCpu, loadAverage: median(loads), cpus: cpus().length };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

export function checkpointMarkdown(f: CheckpointFigures): string {
  const r = (xs: number[]): string => `${median(xs).toFixed(0)} (${xs.map((x) => x.toFixed(0)).join(', ')})`;
  return [
    `A generated git repository of ${f.files.toLocaleString('en')} files, checkpointed into the shadow repository under a fresh Airlock home (${f.cpus} cores, load average ≈ ${f.loadAverage.toFixed(1)} during the run).`,
    '',
    '| checkpoint | runs | median ms (each) | target |',
    '| --- | ---: | --- | --- |',
    `| first, whole tree (empty shadow repository) | ${f.firstWholeMs.length} | ${r(f.firstWholeMs)} | ≤ 5000 |`,
    `| later, whole tree after one file changed | ${f.laterWholeMs.length} | ${r(f.laterWholeMs)} | ≤ 300 |`,
    `| later, one file | ${f.laterFileMs.length} | ${r(f.laterFileMs)} | ≤ 300 |`,
    `| later, one 100-file folder | ${f.laterFolderMs.length} | ${r(f.laterFolderMs)} | ≤ 300 |`,
    `| for comparison: the first whole-tree add as before (loose objects, default malloc) | 1 | ${f.plainFirstMs.toFixed(0)} (${(f.plainFirstMs / median(f.firstWholeMs)).toFixed(1)}× the first checkpoint's median) | |`,
    `| undo of a whole-tree deletion (${f.restoredFiles} files written back, verified) | 1 | ${f.restoreWholeMs.toFixed(0)} | |`,
    `| later, whole tree with a .gitignored node_modules of ${f.ignoredFiles.toLocaleString('en')} files next to it | ${f.laterWholeIgnoredMs.length} | ${r(f.laterWholeIgnoredMs)} | ≤ 300 |`,
    `| — its scan walking the ignored folder too (as before) | ${f.scanAllMs.length} | ${r(f.scanAllMs)} | |`,
    `| — its scan skipping what git lists as ignored (the \`git ls-files\` call included, as now) | ${f.scanSkipMs.length} | ${r(f.scanSkipMs)} | |`,
    '',
    `CPU time (user + system, Node and its git processes; does not depend on the load): first whole-tree checkpoint median ${median(f.firstWholeCpu).toFixed(2)} s (${f.firstWholeCpu.map((x) => x.toFixed(2)).join(', ')}); the plain add as before ${f.plainFirstCpu.toFixed(2)} s; the whole-tree scan next to the ignored node_modules median ${(median(f.scanAllCpu) * 1000).toFixed(0)} ms walking it, ${(median(f.scanSkipCpu) * 1000).toFixed(0)} ms skipping it (git ls-files included).`,
  ].join('\n');
}

if (require.main === module) {
  void checkpointFigures(Number(process.argv[2] ?? 3)).then((f) => console.log(checkpointMarkdown(f)));
}
