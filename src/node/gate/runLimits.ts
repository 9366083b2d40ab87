/**
 * Budgets and runaway-loop signals for the gate. Called for every pre event after the judge and the
 * run guards, before any approval is asked; it can only turn a decision into deny.
 *
 * - Before judging a budget, the agent's own files for the session are read for new usage
 *   (Claude Code writes the model call that produced a tool call to its transcript before the
 *   tool's hook runs), so the call being judged is already counted; OTLP data arrives on its own.
 * - Past a budget: deny "budget reached: authorize in Airlock to continue" until `authorize`.
 *   Budgets set but no usage store, or a store that cannot be read: deny (fail closed).
 * - A loop signal pauses the run (the existing pause: the judge then denies every call with the
 *   reason) until `resume`.
 * Sub-agents report under their parent's session id, so they share the parent's run and budget.
 */
import { canonicalJson, sha256 } from '../../core/hash';
import type { EffectivePolicy } from '../../core/policy/layers';
import { effectiveBudgets } from '../../core/policy/roles';
import type { Budgets } from '../../core/policy/schema';
import type { HookRequest } from '../../core/protocol/bridge';
import { budgetState, explainBudgetDenial, type BudgetState } from '../../core/run/budget';
import { describeCostSource } from '../../core/run/runCost';
import { dayOf } from '../usage/usage';
import { checkLoop, emptyLoopMemory, noteCall, noteOutcome, notePerson, type LoopMemory } from '../../core/run/loops';
import type { RunMemory } from '../../core/run/runMemory';
import type { Ledger } from '../ledger/ledger';
import type { UsageStore } from '../usage/usage';

export interface RunLimitsOptions {
  ledger: Pick<Ledger, 'setRunStatus'>;
  usage?: UsageStore;
  /** The policy that applies to a run (its workspace's), or the gate's default without a run. */
  policy: (runId?: string) => EffectivePolicy;
  memory: (runId: string) => RunMemory;
  log: (line: string) => void;
  now?: () => Date;
}

export interface LimitDenial {
  reason: string;
  rules: string[];
}

interface LoopRun {
  mem: LoopMemory;
  personSeen?: string;
}

/** Longest wait for the producing model call to reach the agent's transcript. */
const TRANSCRIPT_WAIT_MS = 750;

export class RunLimits {
  private readonly loops = new Map<string, LoopRun>();

  constructor(private readonly o: RunLimitsOptions) {}

  private now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }

  private loopRun(runId: string): LoopRun {
    let l = this.loops.get(runId);
    if (!l) this.loops.set(runId, (l = { mem: emptyLoopMemory() }));
    return l;
  }

  private static key(req: HookRequest, actionHash: string): string {
    return `${req.toolName}\0${actionHash || sha256(canonicalJson(req.rawToolInput ?? null))}`;
  }

  /** The budget state of a run under the current policy (for the status bar). */
  budgetState(runId: string, budgets: Budgets = this.o.policy(runId).budgets): BudgetState {
    if (!this.o.usage) return budgetState(budgets, undefined, 'no usage store is connected to the gate');
    return this.o.usage.budgetState(runId, budgets, this.now());
  }

  /** A person authorizes `extraUsd` more for this run (and today, if the day's budget is what stopped it). */
  authorize(runId: string, extraUsd: number, by = 'person'): BudgetState {
    if (!this.o.usage) throw new Error('no usage store is connected to the gate: budgets cannot be raised');
    const s = this.o.usage.authorize(runId, extraUsd, this.o.policy(runId).budgets, by, this.now());
    this.personActed(runId);
    return s;
  }

  /** A person approved, prompted or raised a budget: the "calls without a person" count restarts. */
  personActed(runId: string): void {
    notePerson(this.loopRun(runId).mem);
  }

  /** A person resumes a paused run. */
  resume(runId: string): void {
    const mem = this.o.memory(runId);
    delete mem.paused;
    mem.denialsInARow = 0;
    this.loops.set(runId, { mem: emptyLoopMemory() });
    try {
      this.o.ledger.setRunStatus(runId, 'active');
      this.o.usage?.notePerson(runId, this.now(), 'resume');
    } catch (e) {
      this.o.log(`could not record that run ${runId} was resumed: ${(e as Error).message}`);
    }
  }

  /** Checks for a pre event; a denial when the budget is exhausted or the call is a loop signal. */
  async before(req: HookRequest, runId: string, policy: EffectivePolicy, actionHash: string): Promise<LimitDenial | undefined> {
    if (req.event !== 'pre') return undefined;
    const now = this.now();
    // The tightest of the policy's budgets and those of the run agent's roles (sub-agents share the run's).
    const b = effectiveBudgets(policy, { agent: req.client ? `mcp:${req.client}` : req.agent });
    if (this.o.usage) {
      // The model call that produced this tool call must be counted before its budget is judged. The
      // agent may still be flushing that call to its transcript when the hook fires: wait for the
      // tool call's id to appear, within a bounded time (well inside the hook's deadline).
      // Only a budget needs the exact spend at this moment; without one, nobody waits.
      const budgeted = b.perRunUsd !== undefined || b.perDayUsd !== undefined;
      const wait = budgeted && req.toolUseId && req.agent === 'claude' ? Math.min(TRANSCRIPT_WAIT_MS, Math.floor(req.deadlineMs / 4)) : 0;
      const until = Date.now() + wait;
      for (;;) {
        try {
          this.o.usage.syncFromDisk(req.agent, req.sessionId, now, req.transcriptPath);
        } catch (e) {
          this.o.log(`usage: could not read the ${req.agent} session files of ${req.sessionId}: ${(e as Error).message}`);
          break;
        }
        if (!req.toolUseId || this.o.usage.knowsToolUse(req.sessionId, req.toolUseId) || Date.now() >= until) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    if (b.perRunUsd !== undefined || b.perDayUsd !== undefined) {
      const s = this.budgetState(runId, b);
      if (s.exhausted) {
        let costSource = 'unknown';
        try {
          if (this.o.usage) costSource = describeCostSource(this.o.usage.runCost(runId));
        } catch (e) {
          costSource = `the usage store cannot be read: ${(e as Error).message}`;
        }
        return { reason: explainBudgetDenial(s, { runId, day: dayOf(now), costSource }), rules: ['budget.exhausted', ...s.scopes.filter((x) => x.exhausted).map((x) => `budget.${x.scope}`)] };
      }
    }
    const mem = this.o.memory(runId);
    if (mem.paused) return undefined; // the judge already denies with the pause reason
    const lr = this.loopRun(runId);
    let tokens = 0;
    if (this.o.usage) {
      try {
        const person = this.o.usage.lastPersonAt(runId);
        if (person && person !== lr.personSeen) {
          lr.personSeen = person;
          notePerson(lr.mem);
        }
        tokens = this.o.usage.tokensSince(runId, new Date(now.getTime() - 60_000));
      } catch (e) {
        this.o.log(`usage: cannot read run ${runId}: ${(e as Error).message}`);
      }
    }
    const key = RunLimits.key(req, actionHash);
    const signal = checkLoop(lr.mem, key, req.toolName, tokens, policy.loops);
    noteCall(lr.mem, key);
    if (!signal) return undefined;
    mem.paused = signal.reason;
    this.o.log(`run ${runId} paused: ${signal.reason}`);
    try {
      this.o.ledger.setRunStatus(runId, 'paused', signal.reason);
    } catch (e) {
      this.o.log(`could not record that run ${runId} is paused: ${(e as Error).message} (it stays paused in memory)`);
    }
    return { reason: `run paused for a person: ${signal.reason}`, rules: [signal.rule, 'gate.paused'] };
  }

  /** A post event: remember whether the call failed (for the repeated-failure signal). */
  after(req: HookRequest, runId: string, actionHash: string): void {
    // By the time a tool call's outcome arrives, the model call that produced it is in the transcript.
    if (this.o.usage) {
      try {
        this.o.usage.syncFromDisk(req.agent, req.sessionId, this.now(), req.transcriptPath);
      } catch (e) {
        this.o.log(`usage: could not read the ${req.agent} session files of ${req.sessionId}: ${(e as Error).message}`);
      }
    }
    const o = req.outcome ?? {};
    const failed = o.exitCode !== undefined ? o.exitCode !== 0 : o.error !== undefined;
    noteOutcome(this.loopRun(runId).mem, RunLimits.key(req, actionHash), failed);
  }
}
