/**
 * Runaway-loop signals. Pure: the gate keeps one LoopMemory per run and feeds it calls, outcomes,
 * a person's turns and the run's recent token count; `checkLoop` says whether the call about to be
 * judged should pause the run, and why.
 *
 * Signals (thresholds from the policy's `loops` section):
 * - the same tool call with identical arguments `sameCallInARow` times in a row;
 * - a call that already failed `sameFailure` times being tried again;
 * - more than `maxTokensPerMinute` tokens reported for the run in the last 60 seconds;
 * - more than `maxCallsWithoutPerson` tool calls since a person last acted (a prompt, an approval,
 *   a budget raise, a resume).
 */
import type { Loops } from '../policy/schema';

export interface LoopMemory {
  /** Keys (tool + canonical arguments) of the latest calls, newest last; bounded. */
  recent: string[];
  /** Failures per key since its last success. */
  failures: Map<string, number>;
  callsSincePerson: number;
}

const KEEP = 1000;

export function emptyLoopMemory(): LoopMemory {
  return { recent: [], failures: new Map(), callsSincePerson: 0 };
}

export function noteCall(mem: LoopMemory, key: string): void {
  mem.recent.push(key);
  if (mem.recent.length > KEEP) mem.recent.splice(0, mem.recent.length - KEEP);
  mem.callsSincePerson += 1;
}

export function noteOutcome(mem: LoopMemory, key: string, failed: boolean): void {
  if (failed) mem.failures.set(key, (mem.failures.get(key) ?? 0) + 1);
  else mem.failures.delete(key);
}

/** A person prompted, approved, raised a budget or resumed the run. */
export function notePerson(mem: LoopMemory): void {
  mem.callsSincePerson = 0;
}

export interface LoopSignal {
  rule: 'loop.same-call' | 'loop.same-failure' | 'loop.token-spike' | 'loop.no-person';
  reason: string;
}

/** Whether the call `key` (not yet noted) is a loop signal. `tokensLastMinute` from the usage store. */
export function checkLoop(mem: LoopMemory, key: string, label: string, tokensLastMinute: number, t: Loops): LoopSignal | undefined {
  const need = t.sameCallInARow - 1;
  if (need > 0 && mem.recent.length >= need && mem.recent.slice(-need).every((k) => k === key)) {
    return { rule: 'loop.same-call', reason: `the same call with identical arguments ${t.sameCallInARow} times in a row (${label})` };
  }
  const failed = mem.failures.get(key) ?? 0;
  if (failed >= t.sameFailure) return { rule: 'loop.same-failure', reason: `tried again after failing ${failed} times (${label})` };
  if (tokensLastMinute > t.maxTokensPerMinute) return { rule: 'loop.token-spike', reason: `${tokensLastMinute} tokens in the last minute (limit ${t.maxTokensPerMinute})` };
  if (mem.callsSincePerson >= t.maxCallsWithoutPerson) return { rule: 'loop.no-person', reason: `${mem.callsSincePerson} tool calls without a person in between (limit ${t.maxCallsWithoutPerson})` };
  return undefined;
}
