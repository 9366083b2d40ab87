/**
 * The real machine behind core's ports: file-system facts for path canonicalization, and where
 * Airlock keeps its own state (outside any workspace).
 */
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeEnvironment, type Environment, type PathFacts } from '../core/paths';

/** PathFacts backed by the real file system. Never throws (a failing call means "does not exist"). */
export const realFs: PathFacts = {
  realpath(p) {
    try {
      return realpathSync.native(p);
    } catch {
      return undefined;
    }
  },
  kind(p) {
    try {
      const st = statSync(p);
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    } catch {
      try {
        lstatSync(p); // a dangling symlink exists but points nowhere
        return 'other';
      } catch {
        return undefined;
      }
    }
  },
};

/** Airlock's state directory: $AIRLOCK_HOME, else ~/.airlock. Never inside a workspace by default. */
export function airlockHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.AIRLOCK_HOME;
  return configured && configured.length > 0 ? resolve(configured) : join(homedir(), '.airlock');
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

export function machineEnvironment(cwd: string, workspaceRoots: string[], env: NodeJS.ProcessEnv = process.env): Environment {
  const home = env.HOME && env.HOME.length > 0 ? env.HOME : homedir();
  const tempDirs = [...new Set(['/tmp', '/var/tmp', tmpdir(), ...(env.TMPDIR ? [env.TMPDIR] : [])])];
  return makeEnvironment({
    cwd: resolve(cwd),
    workspaceRoots: workspaceRoots.map((r) => resolve(r)),
    home,
    tempDirs,
    airlockHome: airlockHome(env),
    fs: memoFacts(realFs),
    vars: { HOME: home, TMPDIR: env.TMPDIR ?? tmpdir(), USER: env.USER, PWD: resolve(cwd) },
  });
}
