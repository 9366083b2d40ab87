/**
 * Rule matching. A rule's conditions are ANDed; list conditions fire if any element matches.
 * Path globs are matched against canonical absolute targets: a relative glob is taken relative to
 * each workspace root. Matching is case-insensitive, like the protected-name tables (T06).
 */
import picomatch from 'picomatch';
import type { ActionKind } from '../action';
import type { Classification } from '../effects';
import { isWithin, type Environment } from '../paths';
import type { Rule } from './schema';

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

const baseName = (cmd: string): string => cmd.slice(cmd.lastIndexOf('/') + 1).toLowerCase();

export function matchesRule(rule: Rule, kind: ActionKind, c: Classification, env: Environment): boolean {
  const m = rule.match;
  if (m.kind && !m.kind.includes(kind)) return false;
  if (m.reversibility && !m.reversibility.includes(c.reversibility)) return false;
  if (m.effects && !c.effects.some((e) => m.effects!.includes(e.kind))) return false;
  for (const f of ['outsideWorkspace', 'securityConfig', 'secrets', 'network', 'exec'] as const) {
    if (m[f] !== undefined && c.flags[f] !== m[f]) return false;
  }
  if (m.commands) {
    const wanted = m.commands.map((x) => x.toLowerCase());
    if (!c.commands.some((cmd) => wanted.includes(baseName(cmd)))) return false;
  }
  if (m.paths) {
    const targets = c.effects.map((e) => e.target).filter((t): t is string => t !== undefined && t.startsWith('/'));
    if (!targets.some((t) => m.paths!.some((g) => pathMatches(t, g, env)))) return false;
  }
  return true;
}
