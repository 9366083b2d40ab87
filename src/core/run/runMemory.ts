/**
 * What the gate remembers about one run between decisions, and the guards that memory adds on top of
 * the judge: escalation after denials, pausing after too many denials in a row, and duplicate side
 * effects. Pure (no I/O, no clock); the gate owns one RunMemory per run and mutates it through these
 * functions only, in place, so a run of 100,000 steps costs no copying.
 *
 * Architecture Invariants:
 * - Guards only tighten: they can turn allow into ask or deny, never the other way.
 * - Denials caused by the kill switch, the pause itself or an exhausted budget do not count towards the pause (they
 *   are not the agent's attempts).
 * - A run is paused after `maxDenialsInARow` denials with no allowed change in between; reads in
 *   between do not reset the count (an agent cannot reset it by listing a directory).
 */
import type { Effect, Reversibility } from '../effects';
import type { Decision } from '../judge';
import type { DecisionKind } from '../policy/schema';
import type { GateMode } from '../judge';
import { findDuplicate, type CompletedStep } from './duplicates';
import { changedTargets, matchEscalation, type DeniedStep, type WrittenText } from './escalation';

export interface StepMemo extends CompletedStep {
  toolUseId?: string;
  /** A post outcome has been recorded for it. */
  outcomeKnown: boolean;
}

export interface RunMemory {
  denied: DeniedStep[];
  denialsInARow: number;
  /** Why the run is paused for a person (undefined = not paused). */
  paused?: string;
  steps: StepMemo[];
}

export function emptyMemory(): RunMemory {
  return { denied: [], denialsInARow: 0, steps: [] };
}

export interface Guarded {
  decision: DecisionKind;
  reasons: string[];
  rules: string[];
}

const ORDER: Record<DecisionKind, number> = { allow: 0, ask: 1, deny: 2 };

/** Escalation and duplicate guards over the judge's decision. */
export function applyRunGuards(d: Pick<Decision, 'decision' | 'reasons' | 'rules' | 'effects' | 'actionHash' | 'reversibility'>, mem: RunMemory, written?: WrittenText): Guarded {
  const out: Guarded = { decision: d.decision, reasons: [...d.reasons], rules: [...d.rules] };
  // A deny stays a deny; the history is still attached so the person sees the pattern.
  const atLeastAsk = (rule: string, reason: string): void => {
    if (ORDER[out.decision] < ORDER.ask) {
      out.decision = 'ask';
      // The guard is now why it asks: say so first, keep the judge's reasons after it.
      out.reasons = out.reasons.filter((r) => r !== 'read-only' && !r.endsWith('and within policy'));
    }
    out.rules.push(rule);
    out.reasons.push(reason);
  };
  if (d.reversibility !== 'read') {
    const esc = matchEscalation(mem.denied, d.effects, written);
    if (esc.length > 0) {
      const list = esc.map((m) => `step ${m.step.seq} (${m.step.summary}): ${m.why}`).join('; ');
      atLeastAsk('run.escalation', `earlier denied in this run: ${list}`);
    }
  }
  if (out.decision === 'deny') return out;
  const dup = findDuplicate(mem.steps, d.actionHash, d.reversibility);
  if (dup) atLeastAsk('run.duplicate', `probable retry of step ${dup.seq}: the same action already ran and succeeded in this run`);
  return out;
}

/** Who can answer an ask added by a guard: the same rule the judge applies to its own asks. */
export function resolveAskForMode(g: Guarded, mode: GateMode, ciAsk: 'deny' | 'ask'): Guarded {
  if (g.decision !== 'ask') return g;
  if (mode === 'offline') return { decision: 'deny', reasons: ['Airlock is not running: only read-only actions pass until it is started', ...g.reasons], rules: [...g.rules, 'gate.offline'] };
  if (mode === 'ci' && ciAsk === 'deny') return { decision: 'deny', reasons: ['no person can approve in CI (policy ci.ask = "deny")', ...g.reasons], rules: [...g.rules, 'gate.ci'] };
  return g;
}

export interface DecidedStep {
  seq: number;
  summary: string;
  decision: DecisionKind;
  rules: readonly string[];
  effects: readonly Effect[];
  reversibility: Reversibility;
  actionHash: string;
  toolUseId?: string;
}

/** Remember the final decision of a pre step. Returns the pause reason when this step paused the run. */
export function rememberDecision(mem: RunMemory, s: DecidedStep, maxDenialsInARow: number): string | undefined {
  if (s.decision === 'deny') {
    if (s.rules.includes('gate.killed') || s.rules.includes('gate.paused') || s.rules.includes('budget.exhausted')) return undefined;
    mem.denied.push({ seq: s.seq, summary: s.summary, targets: changedTargets(s.effects) });
    mem.denialsInARow += 1;
    if (!mem.paused && mem.denialsInARow >= maxDenialsInARow) {
      mem.paused = `${mem.denialsInARow} denials in a row (last: step ${s.seq}, ${s.summary})`;
      return mem.paused;
    }
    return undefined;
  }
  if (s.decision === 'allow' && s.reversibility !== 'read') mem.denialsInARow = 0;
  mem.steps.push({ seq: s.seq, actionHash: s.actionHash, succeeded: false, outcomeKnown: false, ...(s.toolUseId ? { toolUseId: s.toolUseId } : {}) });
  return undefined;
}

export interface OutcomeInput {
  toolUseId?: string;
  actionHash?: string;
  exitCode?: number;
  error?: string;
}

/**
 * Remember a post outcome. It belongs to the step with the same tool-use id, or else to the latest
 * step with the same action hash still waiting for its outcome. Returns that step's seq.
 */
export function rememberOutcome(mem: RunMemory, o: OutcomeInput): number | undefined {
  let target: StepMemo | undefined;
  for (let i = mem.steps.length - 1; i >= 0 && !target; i--) {
    const s = mem.steps[i]!;
    if (o.toolUseId !== undefined ? s.toolUseId === o.toolUseId : !s.outcomeKnown && s.actionHash === o.actionHash) target = s;
  }
  if (!target) return undefined;
  target.outcomeKnown = true;
  target.succeeded = o.exitCode !== undefined ? o.exitCode === 0 : o.error === undefined;
  return target.seq;
}
