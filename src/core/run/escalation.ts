/**
 * Escalation memory: after an action is denied, another route to the same effect in the same run
 * is at least `ask`, with the earlier denials listed (`rm -rf build` denied, then
 * `find build -delete`, then a script that deletes `build`).
 *
 * What counts as "the same effect by another route", deliberately broad because a false match costs
 * one question and a miss costs the data:
 * - a change (any non-read effect) to a target that overlaps a target a denied step would have
 *   changed (equal, inside it, or containing it);
 * - running code nobody has read (`exec`) or an action that could not be analysed (`unknown`): a
 *   script can do anything the denied command did;
 * - writing a file whose content names a denied target (the script that will do it later).
 */
import type { Effect } from '../effects';

export interface DeniedStep {
  seq: number;
  /** Short human description of what was denied ("rm -rf build"). */
  summary: string;
  /** Targets the denied action would have changed (absolute paths, tables, URLs). */
  targets: string[];
}

export interface EscalationMatch {
  step: DeniedStep;
  why: string;
}

const CHANGE = new Set(['create', 'write', 'overwrite', 'delete', 'permissions', 'process', 'network', 'unknown', 'exec']);

/** The targets an action changes: what a later route would have to reach. */
export function changedTargets(effects: readonly Effect[]): string[] {
  return [...new Set(effects.filter((e) => e.kind !== 'read' && e.target).map((e) => e.target!))];
}

export function overlaps(a: string, b: string): boolean {
  if (a === b) return true;
  const under = (x: string, dir: string): boolean => dir.length > 0 && x.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
  return under(a, b) || under(b, a);
}

function relativeTo(target: string, cwd: string | undefined): string | undefined {
  if (!cwd || !target.startsWith(`${cwd}/`)) return undefined;
  return target.slice(cwd.length + 1);
}

/** Text the action would write (file content, edit replacement, MCP args) to scan for targets. */
export interface WrittenText {
  text: string;
  cwd?: string;
}

/** Earlier denials this action could be another route to. Pure; empty when none match. */
export function matchEscalation(denied: readonly DeniedStep[], effects: readonly Effect[], written?: WrittenText): EscalationMatch[] {
  if (denied.length === 0) return [];
  const out: EscalationMatch[] = [];
  const opaque = effects.find((e) => e.kind === 'exec' || e.kind === 'unknown' || e.exec === true || e.reversibility === 'unknown');
  for (const step of denied) {
    let why: string | undefined;
    for (const e of effects) {
      if (!CHANGE.has(e.kind) || !e.target) continue;
      const t = step.targets.find((d) => overlaps(e.target!, d));
      if (t) {
        why = `${e.kind} on ${e.target}, which step ${step.seq} was denied for (${t})`;
        break;
      }
    }
    if (!why && opaque) why = `runs code whose effect cannot be known (${opaque.detail}) after step ${step.seq} was denied`;
    if (!why && written && written.text.length > 0) {
      for (const t of step.targets) {
        const rel = relativeTo(t, written.cwd);
        const needles = [t, ...(rel && rel.length >= 2 ? [rel] : [])];
        const hit = needles.find((n) => written.text.includes(n));
        if (hit) {
          why = `writes content naming ${hit}, which step ${step.seq} was denied for`;
          break;
        }
      }
    }
    if (why) out.push({ step, why });
  }
  return out;
}
