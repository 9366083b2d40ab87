/**
 * Learned trust, applied: a program in no table (or a workspace file Airlock cannot look inside)
 * that a person trusted in this workspace takes the class the person gave it. Only effects that are
 * `unknown` merely because nothing is known of the program are replaced; an effect with a known
 * class (irreversible, security config, secrets, code fetched by the agent) is never touched.
 *
 * Contract with the tool tables: a program in no table yields effects whose `source` is the
 * program's canonical name and whose detail says "unknown program" (or whose reversibility is
 * `unknown`), with no flag set.
 */
import type { Effect } from '../../effects.js';
import type { TrustHit } from '../../paths.js';
import type { Ctx } from '../shell/shellContext.js';

function replaceable(e: Effect): boolean {
  return !e.exec && !e.securityConfig && !e.secrets && !e.outsideWorkspace && !e.network && (e.reversibility === 'unknown' || /unknown program/.test(e.detail));
}

function trusted(hit: TrustHit, what: string): Effect {
  const kind: Effect['kind'] = hit.class === 'read' ? 'read' : 'exec';
  return { kind, reversibility: hit.class, detail: `${what}: trusted in this workspace as ${hit.class} by ${hit.by} (trust ${hit.id})`, source: hit.program };
}

/** After the tool tables ran for `name`: note it as trustable, or apply the person's trust. */
export function applyProgramTrust(name: string, ctx: Ctx, from: number): void {
  const s = ctx.inside;
  if (!s || ctx.remote) return;
  const added = ctx.effects.slice(from);
  if (added.length === 0 || !added.every((e) => e.source === name && replaceable(e))) return;
  const hit = ctx.env.trust?.program(name);
  if (!hit) {
    s.trustable.add(name);
    return;
  }
  ctx.effects.length = from;
  ctx.effects.push(trusted(hit, `runs ${name}`));
}

/** A workspace file Airlock cannot look inside (binary, code it cannot follow): trusted by path and content hash? */
export function applyFileTrust(ctx: Ctx, from: number, abs: string, sha256: string, rel: string): boolean {
  const hit = ctx.env.trust?.file(abs, sha256);
  if (!hit) return false;
  const kept = ctx.effects.slice(from).filter((e) => !(e.reversibility === 'unknown' && !e.exec && !e.securityConfig && !e.secrets));
  ctx.effects.length = from;
  ctx.effects.push(...kept, trusted(hit, `runs ./${rel}`));
  return true;
}
