/**
 * "Allow for this run": a person's grant that lets later asks of the same pattern in the same run
 * pass without a prompt. Pure (the clock is a parameter).
 *
 * Architecture Invariants:
 * - Only reversible classes: a grant is offered and honoured only when the judge marked the ask
 *   cacheable AND its reversibility is at most `reversible` AND it carries no security-config,
 *   secrets, outside-workspace or unreviewed-code flag. Both when it is granted and again each
 *   time it would be used (a later action of the same pattern that is worse is asked again).
 * - Scoped to one run and one pattern, and time-limited. The kill switch clears every grant.
 */
import type { Action } from '../action';
import { rankOf } from '../effects';
import type { Decision } from '../judge';

export interface ActionPattern {
  /** Stable key: same key = same pattern. */
  key: string;
  /** What the person is granting, in words ("edit files in /ws/src/"). */
  label: string;
}

export interface AllowGrant {
  runId: string;
  pattern: ActionPattern;
  grantedAt: number;
  expiresAt: number;
  by: string;
  /** The policy the grant was given under: a policy change invalidates it (T11). */
  policyHash?: string;
}

/** Default lifetime of a grant: one hour (a run that lasts longer is asked again). */
export const GRANT_TTL_MS = 60 * 60 * 1000;

type Judged = Pick<Decision, 'cacheable' | 'reversibility' | 'flags' | 'commands' | 'effects'> & { policyHash?: string };

/** May "allow for this run" be offered (or used) for this decision? */
export function grantable(d: Judged): boolean {
  return d.cacheable && rankOf(d.reversibility) <= rankOf('reversible') && !d.flags.securityConfig && !d.flags.secrets && !d.flags.outsideWorkspace && !d.flags.exec;
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : `${p.slice(0, i)}/`;
}

/** The pattern an action belongs to, or undefined when no grant may cover it. */
export function patternOf(action: Action | undefined, d: Judged): ActionPattern | undefined {
  if (!action || !grantable(d)) return undefined;
  const kinds = [...new Set(d.effects.map((e) => e.kind))].sort().join(',');
  switch (action.kind) {
    case 'shell': {
      const programs = [...new Set(d.commands)].sort();
      if (programs.length === 0) return undefined;
      return { key: `shell:${programs.join(' ')}:${kinds}`, label: `shell commands using ${programs.join(', ')} (${kinds || 'no effect'})` };
    }
    case 'file':
      if (action.op === 'rename' || action.op === 'chmod' || action.op === 'delete') return undefined;
      return { key: `file:${action.op}:${dirOf(action.path)}`, label: `${action.op} files directly in ${dirOf(action.path)}` };
    case 'mcp':
      return { key: `mcp:${action.server}/${action.tool}:${kinds}`, label: `MCP tool ${action.server}/${action.tool} (${kinds || 'no effect'})` };
    case 'http': {
      let origin: string;
      try {
        origin = new URL(action.url).origin;
      } catch {
        return undefined;
      }
      return { key: `http:${action.method} ${origin}`, label: `${action.method} requests to ${origin}` };
    }
    case 'sql': {
      const sources = [...new Set(d.effects.map((e) => e.source ?? e.kind))].sort();
      return { key: `sql:${action.connection ?? ''}:${sources.join(',')}`, label: `SQL ${sources.join(', ')}${action.connection ? ` on ${action.connection}` : ''}` };
    }
  }
}

export class AllowForRun {
  private readonly grants = new Map<string, AllowGrant>();

  constructor(private readonly ttlMs = GRANT_TTL_MS) {}

  private static id(runId: string, key: string): string {
    return `${runId}\0${key}`;
  }

  /** Record a grant. Refused (returns undefined) when the decision is not grantable. */
  grant(runId: string, action: Action | undefined, d: Judged, by: string, now: number): AllowGrant | undefined {
    const pattern = patternOf(action, d);
    if (!pattern) return undefined;
    const g: AllowGrant = { runId, pattern, grantedAt: now, expiresAt: now + this.ttlMs, by, ...(d.policyHash !== undefined ? { policyHash: d.policyHash } : {}) };
    this.grants.set(AllowForRun.id(runId, pattern.key), g);
    return g;
  }

  /** The live grant covering this ask, if any. Re-checks grantability of the new decision. */
  match(runId: string, action: Action | undefined, d: Judged, now: number): AllowGrant | undefined {
    const pattern = patternOf(action, d);
    if (!pattern) return undefined;
    const id = AllowForRun.id(runId, pattern.key);
    const g = this.grants.get(id);
    if (!g) return undefined;
    if (now >= g.expiresAt || g.policyHash !== d.policyHash) {
      this.grants.delete(id);
      return undefined;
    }
    return g;
  }

  list(now: number): AllowGrant[] {
    return [...this.grants.values()].filter((g) => now < g.expiresAt);
  }

  clearRun(runId: string): void {
    for (const [k, g] of this.grants) if (g.runId === runId) this.grants.delete(k);
  }

  clear(): void {
    this.grants.clear();
  }
}
