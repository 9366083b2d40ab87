/** Path globs as policies write them (absolute, `~/`, or relative to each workspace root), case-insensitive. */
import picomatch from 'picomatch';
import { isWithin, type Environment } from '../paths';

const cache = new Map<string, (p: string) => boolean>();

function globMatcher(glob: string): (p: string) => boolean {
  let m = cache.get(glob);
  if (!m) {
    m = picomatch(glob, { dot: true, nocase: true });
    if (cache.size > 5000) cache.clear();
    cache.set(glob, m);
  }
  return m;
}

/** Does an absolute path match a glob (absolute, or relative to a workspace root)? */
export function pathMatches(abs: string, glob: string, env: Environment): boolean {
  if (glob.startsWith('/')) return globMatcher(glob)(abs);
  if (glob.startsWith('~/')) return globMatcher(env.home + glob.slice(1))(abs);
  for (const root of env.workspaceRoots) {
    if (!isWithin(abs, root)) continue;
    const rel = abs === root ? '' : abs.slice(root.length + 1);
    if (globMatcher(glob)(rel)) return true;
  }
  return false;
}

export function matchesProtected(abs: string, globs: readonly string[], env: Environment): boolean {
  return globs.some((g) => pathMatches(abs, g, env) || pathMatches(abs, g.endsWith('/**') ? g : `${g}/**`, env));
}

