/**
 * Looking inside what will run: the state one shell analysis keeps while it reads scripts,
 * package.json files and Makefiles, and the one function every reader goes through.
 *
 * Every file read is recorded with its content hash ({path, sha256}); the classification carries
 * that list and the judge binds the action hash to it, so an approval given for one content is not
 * valid for another. Cycles (a script that runs itself, a package script that calls itself, a
 * Makefile that includes itself) and depth are bounded here, once, for every kind of file.
 */
import type { Effect } from '../../effects.js';
import { inspectPath, type FileRead, type FileRef } from '../../paths.js';
import type { Ctx } from '../shell/shellContext.js';

/** Largest file Airlock reads to judge (a bigger one is `unknown`). */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Largest shell script parsed as a whole (the command-line limit is 16 KiB). */
export const MAX_SCRIPT_BYTES = 256 * 1024;
/** How many files deep Airlock follows (script → package script → Makefile → …). */
export const MAX_INSIDE_DEPTH = 8;

export type { ArgvRun, InsideState, LocalRun, ScriptRun, Visit } from '../shell/shellContext.js';
import type { InsideState, LocalRun, ScriptRun, Visit } from '../shell/shellContext.js';


export function newInside(run: ScriptRun, runLocal: LocalRun): InsideState {
  return { files: new Map(), stack: [], visits: [], run, runLocal, produced: new Map(), fetchedDirs: new Map(), trustable: new Set() };
}

/** The files read so far, as the classification carries them. */
export function filesRead(ctx: Ctx): FileRef[] {
  const s = ctx.inside;
  if (!s) return [];
  return [...s.files].map(([path, sha256]) => ({ path, sha256 })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const ERR_TEXT: Record<Exclude<FileRead, { ok: true }>['error'], string> = {
  missing: 'does not exist',
  'too-large': 'is too large to judge',
  binary: 'is a binary file',
  'not-regular': 'is not a regular file',
  loop: 'is a symlink loop',
  unreadable: 'cannot be read',
};

/**
 * Read a file to judge it. Records {path, sha256} (or the error) for the action hash. On failure
 * returns the error; the caller turns it into an `unknown` effect with `describeReadError`.
 */
export function readForJudging(ctx: Ctx, abs: string, maxBytes = MAX_FILE_BYTES): FileRead {
  const s = ctx.inside;
  const port = ctx.env.fs.readFile;
  const r: FileRead = port
    ? safeRead(port, abs, maxBytes)
    : ctx.env.fs.kind(abs) === undefined
      ? { ok: false, path: abs, error: 'missing', detail: 'does not exist' }
      : { ok: false, path: abs, error: 'unreadable', detail: 'the file system cannot be read here' };
  if (s) s.files.set(abs, r.ok ? r.sha256 : r.sha256 ? r.sha256 : `error:${r.error}`);
  return r;
}

function safeRead(port: NonNullable<Ctx['env']['fs']['readFile']>, abs: string, maxBytes: number): FileRead {
  try {
    return port(abs, maxBytes);
  } catch (e) {
    return { ok: false, path: abs, error: 'unreadable', detail: (e as Error)?.message ?? String(e) };
  }
}

export function describeReadError(r: Exclude<FileRead, { ok: true }>): string {
  return `${r.path} ${ERR_TEXT[r.error]}${r.detail && r.detail !== ERR_TEXT[r.error] ? ` (${r.detail})` : ''}`;
}

/**
 * Run `body` with `key` on the stack: a key already on it is a cycle, a stack deeper than
 * MAX_INSIDE_DEPTH is too deep; both call `onStop` instead of `body`.
 */
export function guarded(ctx: Ctx, key: string, onStop: (why: string) => void, body: () => void): void {
  const s = ctx.inside;
  if (!s) return onStop('no analysis state');
  if (s.stack.includes(key)) return onStop(`cycle: ${[...s.stack.slice(s.stack.indexOf(key)), key].join(' → ')}`);
  if (s.stack.length >= MAX_INSIDE_DEPTH) return onStop(`more than ${MAX_INSIDE_DEPTH} files deep (${s.stack.join(' → ')})`);
  s.stack.push(key);
  try {
    body();
  } finally {
    s.stack.pop();
  }
}

/** Run `body` in another working directory / variable scope, restoring the analysis state after. */
export function scoped(ctx: Ctx, opts: { cwd?: string; freshScope?: boolean; vars?: Record<string, string> }, body: () => void): void {
  const env = ctx.env;
  const vars = ctx.vars;
  const funcs = ctx.funcs;
  if (opts.cwd !== undefined) ctx.env = { ...env, cwd: opts.cwd };
  if (opts.freshScope) {
    ctx.vars = new Map();
    ctx.funcs = new Set();
  }
  if (opts.vars) for (const [k, v] of Object.entries(opts.vars)) ctx.vars.set(k, v);
  try {
    body();
  } finally {
    ctx.env = env;
    ctx.vars = vars;
    ctx.funcs = funcs;
  }
}

/** Effects added since `from`, prefixed with where they come from, and the record of the visit. */
export function noteVisit(ctx: Ctx, from: number, cmdFrom: number, v: Omit<Visit, 'runs' | 'reversibility' | 'depth'>): void {
  const s = ctx.inside;
  if (!s) return;
  let worst: Effect['reversibility'] = 'read';
  const rank = { read: 0, reversible: 1, recoverable: 2, irreversible: 3, unknown: 4 } as const;
  for (let i = from; i < ctx.effects.length; i++) {
    const e = ctx.effects[i]!;
    if (rank[e.reversibility] > rank[worst]) worst = e.reversibility;
  }
  s.visits.push({ ...v, depth: s.stack.length, runs: ctx.commands.slice(cmdFrom), reversibility: worst });
}

/** Prefix the details of effects added since `from` with where they come from ("in npm script test: …"). */
export function prefixFrom(ctx: Ctx, from: number, where: string): void {
  for (let i = from; i < ctx.effects.length; i++) {
    const e = ctx.effects[i]!;
    if (!e.detail.startsWith(where)) e.detail = `${where}: ${e.detail}`;
  }
}

/** Commands that cannot create a file (without a redirect, which is an effect of its own). */
const CANNOT_CREATE = new Set(['cd', 'pushd', 'popd', 'export', 'set', 'unset', 'true', 'false', ':', 'echo', 'printf', 'test', '[', '[[', 'pwd', 'ls', 'cat', 'sleep', 'clear', 'which', 'type', 'sudo', 'env', 'time', 'nice', 'nohup', 'timeout', 'command', 'builtin', 'exec']);

/**
 * A file that does not exist when the command is judged: if nothing earlier in this command line
 * could create it (only commands that cannot create files ran before, and every effect so far is a
 * read), it will not exist when the command runs either, so the command fails and runs nothing.
 * Otherwise an earlier command may create it: `unknown`. Only inside the workspace: outside it (a
 * shared folder, another project, /opt) anything else on the machine may create the file before the
 * command runs, so a missing file there is `unknown` too.
 */
export function missingMeansFailure(ctx: Ctx, abs: string): boolean {
  return !ctx.remote && inspectPath(abs, ctx.env).insideWorkspace && ctx.commands.slice(0, -1).every((c) => CANNOT_CREATE.has(c)) && ctx.effects.every((e) => e.reversibility === 'read' && e.kind === 'read');
}
