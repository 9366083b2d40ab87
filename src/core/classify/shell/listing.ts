/**
 * Which files a glob or a lister names, judged against the file system when the port can list
 * folders (`PathFacts.list`), by pattern otherwise. Used for reads: `cat .*`, `cat $(find . -name
 * '.env*')`, `cat $(git ls-files '*.json')`, `find … | xargs cat` read every file listed, so a
 * secret among them is a secret read, and a listing that names only ordinary files is not.
 *
 * Bounded: at most MAX_ENTRIES entries are looked at; a larger tree falls back to the patterns.
 * Folders reached through a symbolic link are not descended (find, git ls-files and grep -r do not
 * follow them either).
 */
import { posix } from 'node:path';
import { absolutize, globSecretName, isWithin, secretReason, type Environment } from '../../paths.js';

/**
 * Paths a lister prints (pipeInput.ts): files under `root` (as printed, relative roots stay
 * relative), in it alone or at any depth, whose name matches one of `names` (shell glob patterns;
 * absent = any name). `dots`: a leading `*` matches names starting with a dot too (find -name, git
 * pathspecs), as it does not in a shell glob. `by`: the lister, for reasons.
 */
export interface Listed {
  root: string;
  names?: string[];
  recursive: boolean;
  dots: boolean;
  by: string;
  /** Only files git tracks (git ls-files without --others): names the root's .gitignore ignores are not listed. */
  tracked?: boolean;
}

const MAX_ENTRIES = 3000;

/** A secret a listing names, or `unknown` when the names cannot be bounded (any name, a tree too large to look at). */
export type ListedSecret = { path: string; why: string } | 'unknown' | undefined;

/** Does a shell glob match a name? `dots`: a leading wildcard matches a leading dot (find -name, pathspecs). */
export function globMatch(name: string, pattern: string, dots: boolean): boolean {
  if (!dots && name.startsWith('.') && !pattern.startsWith('.')) return false;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^[!^]/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`, 'is').test(name);
  } catch {
    return true;
  }
}

function secretOf(abs: string, env: Environment): string | undefined {
  if (isWithin(abs, absolutize(env.airlockHome, env))) return "Airlock's own state (bridge token, ledger, acknowledgements)";
  return secretReason(abs);
}

/** By pattern alone: a name pattern that names a secret file, or `unknown` for wildcards alone. */
function byPattern(l: Listed, rootAbs: string | undefined, env: Environment): ListedSecret {
  if (rootAbs) {
    const why = secretOf(rootAbs, env);
    if (why) return { path: rootAbs, why };
  }
  if (!l.names) return 'unknown';
  for (const p of l.names) {
    if (!/[*?[]/.test(p)) {
      const why = secretReason(`/${p.replace(/\\(.)/g, '$1')}`);
      if (why) return { path: posix.join(rootAbs ?? l.root, p), why };
      continue;
    }
    // A leading wildcard of find/pathspec patterns matches dot files too: try it as `.…`.
    const hit = globSecretName(p) ?? (l.dots && /^[*?[]/.test(p) ? globSecretName(`.${p}`) : undefined);
    if (hit) return { path: posix.join(rootAbs ?? l.root, p), why: `a pattern that can match ${hit}` };
    if (p.replace(/\[[^\]]*\]|[*?]/g, '').length < 2) return 'unknown';
  }
  return undefined;
}

/** Name patterns of the .gitignore files at `dirs` (comments, negations and anchored paths left out). */
function ignoredNames(env: Environment, dirs: string[]): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    const text = env.fs.readText?.(posix.join(d, '.gitignore'));
    if (!text) continue;
    for (const raw of text.split('\n')) {
      const line = raw.trim().replace(/^\//, '').replace(/\/$/, '');
      if (line && !line.startsWith('#') && !line.startsWith('!') && !line.includes('/')) out.push(line);
    }
  }
  return out;
}

/**
 * The first secret file the listing names (walking the folders through the port), `unknown` when
 * that cannot be told, undefined when it names none. `from` is the directory the command runs in
 * (undefined when unknown).
 */
export function listedSecret(l: Listed, env: Environment, from: string | undefined): ListedSecret {
  const rootAbs = l.root.startsWith('/') || l.root === '~' || l.root.startsWith('~/') || from !== undefined ? absolutize(l.root, { cwd: from ?? '/', home: env.home }) : undefined;
  const list = env.fs.list;
  if (!rootAbs || !list) return byPattern(l, rootAbs, env);
  const rootWhy = secretOf(rootAbs, env);
  if (rootWhy) return { path: rootAbs, why: rootWhy };
  // git lists what it tracks: a name its .gitignore ignores is not listed (residual risk: a file
  // added with `git add -f` despite the ignore rule).
  const ignored = l.tracked ? ignoredNames(env, [...new Set([from ?? rootAbs, rootAbs, ...env.workspaceRoots.filter((r) => isWithin(rootAbs, r))])]) : [];
  let seen = 0;
  const queue = [rootAbs];
  while (queue.length) {
    const dir = queue.shift()!;
    const names = list(dir);
    if (!names) continue;
    for (const n of names) {
      if (++seen > MAX_ENTRIES) {
        const p = byPattern(l, rootAbs, env);
        return p === undefined ? undefined : p;
      }
      const full = dir === '/' ? `/${n}` : `${dir}/${n}`;
      if (ignored.some((p) => globMatch(n, p, true))) continue;
      if (!l.names || l.names.some((p) => globMatch(n, p, l.dots))) {
        const why = secretOf(full, env);
        if (why) return { path: full, why };
      }
      if (l.recursive && env.fs.kind(full) === 'dir') {
        // Not through a symbolic link: the real path of a folder reached directly ends in its name.
        const real = env.fs.realpath(full);
        const parent = env.fs.realpath(dir);
        if (real !== undefined && parent !== undefined && real === posix.join(parent, n)) queue.push(full);
      }
    }
  }
  return undefined;
}
