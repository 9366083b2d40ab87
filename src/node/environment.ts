/**
 * The real machine behind core's ports: file-system facts for path canonicalization, and where
 * Airlock keeps its own state (outside any workspace).
 */
import { sha256Hex } from './digest';
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeEnvironment, type Environment, type FileRead, type PathFacts, type RunProvenance, type TrustLookup } from '../core/paths';

/**
 * Content read for judging, cached by (path, device, inode, size, mtime, ctime): a file read again
 * unchanged is neither re-read nor re-hashed. The judgement itself is bound to the content hash.
 */
const READ_CACHE = new Map<string, FileRead>();
const READ_CACHE_MAX = 512;

/** Read a file to judge what will run. Never throws; the errors are the port's (src/core/paths.ts). */
export function readFileForJudging(p: string, maxBytes: number): FileRead {
  let fd: number | undefined;
  try {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') return { ok: false, path: p, error: 'loop', detail: 'too many levels of symbolic links' };
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        try {
          lstatSync(p);
          return { ok: false, path: p, error: 'missing', detail: 'a symlink to nothing' };
        } catch {
          return { ok: false, path: p, error: 'missing', detail: 'does not exist' };
        }
      }
      return { ok: false, path: p, error: 'unreadable', detail: code ?? (e as Error).message };
    }
    if (!st.isFile()) return { ok: false, path: p, error: 'not-regular', detail: st.isDirectory() ? 'a directory' : 'a device, socket or pipe' };
    if (st.size > maxBytes) return { ok: false, path: p, error: 'too-large', detail: `${st.size} bytes, more than ${maxBytes}` };
    const key = `${p}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    const hit = READ_CACHE.get(key);
    if (hit) return hit;
    // O_NONBLOCK: a FIFO swapped in after the stat must not hang the judge.
    fd = openSync(p, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const fst = fstatSync(fd);
    if (!fst.isFile()) return { ok: false, path: p, error: 'not-regular', detail: 'changed while being read' };
    if (fst.size > maxBytes) return { ok: false, path: p, error: 'too-large', detail: `${fst.size} bytes, more than ${maxBytes}` };
    const buf = Buffer.alloc(fst.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    const data = buf.subarray(0, off);
    const sha256 = sha256Hex(data);
    const head = data.subarray(0, 8000);
    const r: FileRead = head.includes(0) ? { ok: false, path: p, error: 'binary', detail: 'contains NUL bytes', sha256 } : { ok: true, path: p, text: data.toString('utf8'), sha256, size: off };
    if (READ_CACHE.size >= READ_CACHE_MAX) READ_CACHE.delete(READ_CACHE.keys().next().value!);
    READ_CACHE.set(key, r);
    return r;
  } catch (e) {
    return { ok: false, path: p, error: 'unreadable', detail: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** PathFacts backed by the real file system. Never throws (a failing call means "does not exist"). */
export const realFs: PathFacts = {
  readFile: readFileForJudging,
  // A patch or other input file a command reads its write targets from (families/indirectWrites).
  readText(p) {
    const r = readFileForJudging(p, 1024 * 1024);
    return r.ok ? r.text : undefined;
  },
  list(dir) {
    try {
      return readdirSync(dir);
    } catch {
      return undefined;
    }
  },
  // Misses are the common case (a path a command will create): ask without throwing, which costs
  // ~50 µs per call on a busy machine.
  realpath(p) {
    try {
      if (!statSync(p, { throwIfNoEntry: false })) return undefined;
      return realpathSync.native(p);
    } catch {
      return undefined;
    }
  },
  kind(p) {
    try {
      const st = statSync(p, { throwIfNoEntry: false });
      if (st) return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      // a dangling symlink exists but points nowhere
      return lstatSync(p, { throwIfNoEntry: false }) ? 'other' : undefined;
    } catch {
      try {
        return lstatSync(p, { throwIfNoEntry: false }) ? 'other' : undefined;
      } catch {
        return undefined;
      }
    }
  },
};

/** Airlock's state directory: $AIRLOCK_HOME, else ~/.airlock. Never inside a workspace by default. */
export function airlockHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.AIRLOCK_HOME;
  return configured && configured.length > 0 ? resolve(configured) : join(osHomedir(), '.airlock');
}

/*
 * os.homedir() and os.tmpdir() read the environment through Node's safeGetenv, which on Node 20
 * costs ~100-200 µs a call here (it checks the process's privileges every time): profiled as the
 * largest single cost of judging a command. They are remembered, keyed by the variables they read,
 * so a changed HOME/TMPDIR is still seen. node:os itself is loaded on the first call (~0.4 ms of a
 * short-lived process's start: the hook shim on POSIX with HOME or AIRLOCK_HOME set never needs it).
 */
const os = (): typeof import('node:os') => require('node:os') as typeof import('node:os');
let homeMemo: { key: string | undefined; dir: string } | undefined;
let tmpMemo: { key: string; dir: string } | undefined;
function osHomedir(): string {
  const key = process.env.HOME;
  // On POSIX os.homedir() is $HOME when it is set (libuv's uv_os_homedir reads it first).
  if (!homeMemo || homeMemo.key !== key) homeMemo = { key, dir: key && process.platform !== 'win32' ? key : os().homedir() };
  return homeMemo.dir;
}
function osTmpdir(): string {
  const e = process.env;
  const key = `${e.TMPDIR}\0${e.TMP}\0${e.TEMP}`;
  if (!tmpMemo || tmpMemo.key !== key) tmpMemo = { key, dir: os().tmpdir() };
  return tmpMemo.dir;
}

/**
 * PathFacts that remember answers for the life of one judgement (one Environment), so a command
 * that names the same folder ten times costs one system call, while a later judgement still sees
 * the file system as it is then (no cross-action cache, no stale facts).
 */
export function memoFacts(inner: PathFacts): PathFacts {
  const real = new Map<string, string | undefined>();
  const kinds = new Map<string, ReturnType<PathFacts['kind']>>();
  return {
    ...(inner.readFile ? { readFile: inner.readFile } : {}),
    ...(inner.readText ? { readText: inner.readText } : {}),
    ...(inner.list ? { list: inner.list } : {}),
    realpath(p) {
      if (!real.has(p)) real.set(p, inner.realpath(p));
      return real.get(p);
    },
    kind(p) {
      if (!kinds.has(p)) kinds.set(p, inner.kind(p));
      return kinds.get(p);
    },
  };
}

/** What the caller knows beyond the file system: the run's provenance (gate) and the person's trust. */
export interface EnvironmentExtras {
  provenance?: RunProvenance;
  trust?: TrustLookup;
  /** The agents whose Airlock hooks are installed here (agents/gatedAgents.ts). */
  gatedAgents?: readonly string[];
}

export function machineEnvironment(cwd: string, workspaceRoots: string[], env: NodeJS.ProcessEnv = process.env, extras: EnvironmentExtras = {}): Environment {
  const home = env.HOME && env.HOME.length > 0 ? env.HOME : osHomedir();
  const osTmp = osTmpdir();
  const tempDirs = [...new Set(['/tmp', '/var/tmp', osTmp, ...(env.TMPDIR ? [env.TMPDIR] : [])])];
  return makeEnvironment({
    cwd: resolve(cwd),
    workspaceRoots: workspaceRoots.map((r) => resolve(r)),
    home,
    tempDirs,
    airlockHome: airlockHome(env),
    fs: memoFacts(realFs),
    vars: { HOME: home, TMPDIR: env.TMPDIR ?? osTmp, USER: env.USER, PWD: resolve(cwd) },
    ...(extras.provenance ? { provenance: extras.provenance } : {}),
    ...(extras.trust ? { trust: extras.trust } : {}),
    ...(extras.gatedAgents ? { gatedAgents: extras.gatedAgents } : {}),
  });
}
