/**
 * The public shell corpora (../shared/bench) through the real CLI (`airlock check --jsonl`), in a
 * real workspace the gate can checkpoint.
 *
 * The corpora are written for a user `/home/user` working in `/home/user/project`. That folder does
 * not exist on the measuring machine, and a workspace that does not exist can take no checkpoint,
 * so every workspace delete would be judged as the editor's gate never judges it. Here each run
 * gets a temporary base folder B with a git repository at `B/home/user/project` (one committed
 * file) and HOME = `B/home/user`; every `/home/user` in a command names the same place under B, so
 * a path keeps its meaning (inside the workspace, in the home folder, or elsewhere). TMPDIR stays
 * /tmp, and B is made outside the temp folders (/tmp, /var/tmp) and outside any project (in the
 * user's cache folder, $XDG_CACHE_HOME or ~/.cache): a path under B is never "the temp folder"
 * (`~someone` is B/home/someone, another account's home, as /home/someone would be), and no
 * package.json above B stands in for the project's. Output paths are mapped back to `/home/user` so reasons read as the corpus wrote them.
 *
 * Two passes per corpus:
 *   gate: `check --jsonl --as-gate`, each line judged as the editor's gate with checkpoints on
 *         (the default) would: a workspace change it can checkpoint first runs, Undo puts it back;
 *   noSnapshot: `check --jsonl`, the verdict without any checkpoint (checkpoints off, the offline
 *         judge).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CorpusRow { id: string; command: string; expected: 'block' | 'allow'; category: string; pack?: string }
export interface CheckOut { id: string; decision: string; reversibility: string; reasons: string[]; rules: string[]; effects: Array<{ detail: string; snapshotable?: boolean }>; us: number }

export const CORPORA = ['shell-dcg.jsonl', 'shell-ccsn.jsonl', 'shell-dcg-packs.jsonl'] as const;
export const CORPUS_USER_HOME = '/home/user';
export const CORPUS_WS = '/home/user/project';

export function loadCorpus(shared: string, name: string): CorpusRow[] {
  return readFileSync(join(shared, 'bench', name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CorpusRow);
}

export interface CorpusWorkspace { base: string; home: string; ws: string; toLocal: (s: string) => string; toCorpus: (s: string) => string; dispose: () => void }

/** A real, committed git workspace standing in for /home/user/project. */
export function corpusWorkspace(): CorpusWorkspace {
  const parent = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'airlock-bench');
  mkdirSync(parent, { recursive: true });
  const base = mkdtempSync(join(parent, 'airlock-corpus-'));
  const home = join(base, 'home', 'user');
  const ws = join(home, 'project');
  mkdirSync(ws, { recursive: true });
  writeFileSync(join(ws, 'README.md'), '# project\n');
  const git = (...args: string[]): void => {
    const r = spawnSync('git', args, { cwd: ws, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@localhost', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@localhost' } });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  // `/home/user` as a whole path segment (never `/home/username`).
  const userPath = /\/home\/user(?![\w.-])/g;
  const esc = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const back = new RegExp(`${esc}(?=/home/user)`, 'g');
  return {
    base,
    home,
    ws,
    toLocal: (s) => s.replace(userPath, home),
    toCorpus: (s) => s.replace(back, ''),
    dispose: () => rmSync(base, { recursive: true, force: true }),
  };
}

/**
 * One `check --jsonl` process for the rows. `warm` sends every row a second time under the id
 * prefix `warm:` (timing of the long-running gate). Reasons and effects are mapped back to the
 * corpus's paths.
 */
export function checkCorpus(cli: string, rows: CorpusRow[], w: CorpusWorkspace, mode: 'gate' | 'noSnapshot', warm = false): Map<string, CheckOut> {
  const line = (r: CorpusRow, prefix: string): string => JSON.stringify({ id: prefix + r.id, kind: 'shell', command: w.toLocal(r.command), cwd: w.ws, workspaceRoots: [w.ws] });
  const input = [...rows.map((r) => line(r, '')), ...(warm ? rows.map((r) => line(r, 'warm:')) : [])].join('\n');
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: w.home, TMPDIR: '/tmp', AIRLOCK_HOME: join(w.base, 'airlock-home') };
  delete env.AIRLOCK_CHECKPOINTS;
  const r = spawnSync(process.execPath, [cli, 'check', '--jsonl', ...(mode === 'gate' ? ['--as-gate'] : [])], { input, cwd: w.ws, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`check --jsonl failed: ${r.stderr}`);
  const out = new Map<string, CheckOut>();
  for (const l of r.stdout.split('\n').filter(Boolean)) {
    const o = JSON.parse(w.toCorpus(l)) as CheckOut;
    out.set(o.id, o);
  }
  return out;
}

/**
 * `recall`: block rows Airlock stops (ask or deny). `caught`: block rows Airlock stops or lets run
 * only after the gate has taken a checkpoint (Undo puts the files back): with checkpoints on, a
 * workspace change the gate can undo is allowed on purpose.
 */
export interface CorpusScore { rows: number; blocked: number; allowed: number; recall: number; caught: number; fpr: number; misses: CorpusRow[]; fps: CorpusRow[] }

/** Blocked = ask or deny (anything but allow); a row with no answer counts as blocked. */
export function scoreCorpus(rows: CorpusRow[], out: Map<string, CheckOut>): CorpusScore {
  const misses: CorpusRow[] = [];
  const fps: CorpusRow[] = [];
  const blocked = rows.filter((r) => r.expected === 'block').length;
  for (const r of rows) {
    const airlockBlocks = (out.get(r.id)?.decision ?? 'missing') !== 'allow';
    if (r.expected === 'block' && !airlockBlocks) misses.push(r);
    if (r.expected === 'allow' && airlockBlocks) fps.push(r);
  }
  const undoable = misses.filter((r) => out.get(r.id)?.rules.includes('checkpoint.would-take')).length;
  return { rows: rows.length, blocked, allowed: rows.length - blocked, recall: (blocked - misses.length) / blocked, caught: (blocked - misses.length + undoable) / blocked, fpr: fps.length / (rows.length - blocked), misses, fps };
}
