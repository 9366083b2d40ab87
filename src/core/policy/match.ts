/**
 * Rule matching. A rule's conditions are ANDed; list conditions fire if any element matches.
 * Path globs are matched against canonical absolute targets: a relative glob is taken relative to
 * each workspace root. Matching is case-insensitive, like the protected-name tables (T06).
 */
import type { ActionKind } from '../action';
import type { Classification } from '../effects';
import type { Environment } from '../paths';
import { pathMatches } from './globs';
import type { Rule } from './schema';

export { matchesProtected, pathMatches } from './globs';

const baseName = (cmd: string): string => cmd.slice(cmd.lastIndexOf('/') + 1).toLowerCase();

/**
 * Does a rule fire? Action-level conditions (kind, commands) hold for the action; effect-level
 * conditions (effects, reversibility, paths and the flags) must all hold for ONE effect, so a rule
 * such as "delete + irreversible + outside the workspace" never fires because one effect deletes
 * inside the workspace while another, harmless one, lies outside it.
 */
export function matchesRule(rule: Rule, kind: ActionKind, c: Classification, env: Environment): boolean {
  const m = rule.match;
  if (m.kind && !m.kind.includes(kind)) return false;
  if (m.commands) {
    const wanted = m.commands.map((x) => x.toLowerCase());
    if (!c.commands.some((cmd) => wanted.includes(baseName(cmd)))) return false;
  }
  const flagConds = (['outsideWorkspace', 'securityConfig', 'secrets', 'network', 'exec'] as const).filter((f) => m[f] !== undefined);
  const effectLevel = m.effects || m.reversibility || m.paths || flagConds.length > 0;
  if (!effectLevel) return true;
  return c.effects.some((e) => {
    if (m.effects && !m.effects.includes(e.kind)) return false;
    if (m.reversibility && !m.reversibility.includes(e.reversibility)) return false;
    for (const f of flagConds) {
      const has = f === 'network' ? e.network === true || e.kind === 'network' : e[f] === true;
      if (has !== m[f]) return false;
    }
    if (m.paths) {
      const t = e.target;
      if (t === undefined || !t.startsWith('/') || !m.paths.some((g) => pathMatches(t, g, env))) return false;
    }
    return true;
  });
}
