/**
 * Running the git CLI for the checkpoint store: a clean environment (no user or system config, no
 * hooks, no fsmonitor, no pager), an explicit GIT_DIR / GIT_WORK_TREE / GIT_INDEX_FILE, a timeout,
 * and errors that say which of "git is missing", "timed out" or "failed" happened.
 *
 * Architecture Invariant: the person's own repository is never named here; GIT_DIR is always the
 * shadow repository under the Airlock home.
 */
import { spawn } from 'node:child_process';

export type GitErrorCode = 'git_missing' | 'timeout' | 'failed';

export class GitError extends Error {
  constructor(readonly code: GitErrorCode, message: string, readonly stderr = '') {
    super(message);
  }
}

export interface GitEnv {
  gitDir: string;
  workTree?: string;
  indexFile?: string;
  /** Milliseconds before the process is killed (fail closed). */
  timeoutMs: number;
  /** The git executable (tests point it at a missing one). */
  gitBin?: string;
}

export const MALLOC_TUNABLES = 'glibc.malloc.trim_threshold=268435456:glibc.malloc.top_pad=67108864:glibc.malloc.mmap_threshold=268435456';

/** Config that makes git behave the same on every machine and never run anything of the person's. */
const CONFIG = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.autocrlf=false',
  'core.safecrlf=false',
  'core.symlinks=true',
  'core.filemode=true',
  'core.quotePath=false',
  'core.untrackedCache=false',
  'core.splitIndex=false',
  'gc.auto=0',
  'maintenance.auto=false',
  'advice.addEmbeddedRepo=false',
  'advice.addIgnoredFile=false',
  'commit.gpgSign=false',
];

export function gitArgs(args: string[], extraConfig: string[] = []): string[] {
  return [...[...CONFIG, ...extraConfig].flatMap((c) => ['-c', c]), ...args];
}

export function gitEnvironment(g: GitEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_AUTHOR_NAME: 'Airlock',
    GIT_AUTHOR_EMAIL: 'checkpoints@airlock.invalid',
    GIT_COMMITTER_NAME: 'Airlock',
    GIT_COMMITTER_EMAIL: 'checkpoints@airlock.invalid',
    LC_ALL: 'C',
    GIT_DIR: g.gitDir,
    // glibc's malloc gives freed memory back to the kernel after every object (zlib's buffers are
    // allocated and freed per file), so git pays a page fault storm per file it hashes. On VMs with
    // free-page reporting that made hashing 10,000 files take 30 s instead of 2 s (BENCHMARKS.md
    // §14). Short-lived git processes keep their memory instead. Other C libraries ignore this.
    GLIBC_TUNABLES: MALLOC_TUNABLES,
  };
  if (g.workTree) env.GIT_WORK_TREE = g.workTree;
  if (g.indexFile) env.GIT_INDEX_FILE = g.indexFile;
  return env;
}

/** Run git; resolves with stdout (bytes) on exit 0, rejects with a GitError otherwise. */
export async function runGit(g: GitEnv, args: string[], o: { input?: string | Buffer; extraConfig?: string[]; cwd?: string; okCodes?: number[] } = {}): Promise<Buffer> {
  return (await runGitCode(g, args, o)).stdout;
}

/** Run git; resolves with stdout and the exit code when it is 0 or one of `okCodes`. */
export function runGitCode(g: GitEnv, args: string[], o: { input?: string | Buffer; extraConfig?: string[]; cwd?: string; okCodes?: number[] } = {}): Promise<{ stdout: Buffer; code: number }> {
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(g.gitBin ?? 'git', gitArgs(args, o.extraConfig), { env: gitEnvironment(g), cwd: o.cwd ?? g.workTree ?? g.gitDir, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      reject(new GitError('git_missing', `cannot run git: ${(e as Error).message}`));
      return;
    }
    const out: Buffer[] = [];
    let err = '';
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new GitError('timeout', `git ${args.find((a) => !a.startsWith('-')) ?? args[0]} took longer than ${g.timeoutMs} ms`)));
    }, g.timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += err.length > 1_000_000 ? '' : d));
    child.on('error', (e: NodeJS.ErrnoException) =>
      finish(() => reject(new GitError(e.code === 'ENOENT' ? 'git_missing' : 'failed', e.code === 'ENOENT' ? 'git is not installed (or not on PATH)' : `cannot run git: ${e.message}`))),
    );
    child.on('close', (code) =>
      finish(() => {
        if (code === 0 || (code !== null && o.okCodes?.includes(code))) resolve({ stdout: Buffer.concat(out), code: code ?? 0 });
        else reject(new GitError('failed', `git ${args.find((a) => !a.startsWith('-')) ?? args[0]} failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`, err));
      }),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.input ?? '');
  });
}

/**
 * Read many blobs with one `git cat-file --batch` process. Returns sha -> content.
 */
export async function readBlobs(g: GitEnv, shas: string[]): Promise<Map<string, Buffer>> {
  const uniq = [...new Set(shas)];
  const result = new Map<string, Buffer>();
  if (!uniq.length) return result;
  const out = await runGit(g, ['cat-file', '--batch'], { input: uniq.map((s) => `${s}\n`).join('') });
  let pos = 0;
  while (pos < out.length) {
    const nl = out.indexOf(0x0a, pos);
    if (nl < 0) break;
    const header = out.subarray(pos, nl).toString('utf8');
    const m = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(header);
    if (!m) throw new GitError('failed', `git cat-file: unexpected output ${JSON.stringify(header.slice(0, 100))}`);
    const size = Number(m[3]);
    result.set(m[1]!, out.subarray(nl + 1, nl + 1 + size));
    pos = nl + 1 + size + 1;
  }
  for (const s of uniq) if (!result.has(s)) throw new GitError('failed', `object ${s} is missing from the checkpoint store`);
  return result;
}
