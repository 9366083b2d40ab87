/**
 * The gate service: the one place hook requests are judged, recorded and remembered.
 *
 * For each pre event: kill flag -> policy (reloaded when its files change, before the decision) ->
 * judge -> run guards (escalation, duplicates, pause) -> approval (asks are held by the Approver
 * until a person answers or the caller's deadline passes; headless that is always deny) -> ledger.
 * If the step cannot be recorded, a mutating action is denied ("cannot record, so do not act").
 * Post events record the outcome of an earlier step.
 *
 * Architecture Invariant: every path ends in an answer before the caller's deadline; every error
 * path ends in deny with its reason.
 */
import { z } from 'zod';
import type { Action } from '../../core/action';
import { actionHashOf, hashOf, sha256 } from '../../core/hash';
import type * as JudgeModule from '../../core/judge';
import type { Decision, GateMode } from '../../core/judge';
import type { EffectivePolicy } from '../../core/policy/layers';
import type { HookRequest, HookResponse } from '../../core/protocol/bridge';
import type { Approver } from '../../core/run/approver';
import { applyRunGuards, rememberDecision, rememberOutcome, resolveAskForMode, type Guarded, type RunMemory } from '../../core/run/runMemory';
import { readKillFlag } from '../bridge/discovery';
import { machineEnvironment } from '../environment';
import { gatedAgentsFor } from '../agents/gatedAgents';
import { TOOL_TABLE } from '../agents/dialects/tools';
import { Ledger, type StepInput, type StepRow } from '../ledger/ledger';
import { LedgerWriterThread } from '../ledger/ledgerWriter';
import { GroupCommit } from '../ledger/groupCommit';
import { RunLimits } from './runLimits';
import type { UsageStore } from '../usage/usage';
import type { RunEnds } from '../ledger/runEnds';
import { trustLookupFor } from '../policy/trustStore';
import { CHECKPOINT_TAKEN, type GateCheckpoints } from '../checkpoints/gateCheckpoints';
import type { CheckpointSettings } from '../checkpoints/settings';
import { GatePolicies, type PolicyFileStatus } from './gatePolicies';
import { internalDecision, RunMemories, summarize, writtenText } from './runMemories';

export type { PolicyFileStatus } from './gatePolicies';

/**
 * The judge with its classifiers (most of the gate's code) is evaluated when the first request is
 * judged, or earlier by loadJudge() once the editor has finished activating: starting the gate (its
 * bridge, ledger and policy) does not wait for it. Every request is judged by the same code either way.
 */
let judgeModule: typeof JudgeModule | undefined;
export function loadJudge(): typeof JudgeModule {
  return (judgeModule ??= require('../../core/judge') as typeof JudgeModule);
}
const judge: typeof JudgeModule.judge = (...args) => loadJudge().judge(...args);
export { summarize } from './runMemories';

/**
 * What the gate needs from the ledger (a broken ledger is a stand-in whose calls throw: fail closed).
 * With `appendSteps` (the real ledger) the gate's steps go through group commit: concurrent hook
 * requests share one transaction, and each answer waits for its own step's commit.
 */
export type GateLedger = Pick<Ledger, 'runFor' | 'stepsOf' | 'appendStep' | 'setRunStatus'> & Partial<Pick<Ledger, 'appendSteps'>>;

export interface GateOptions {
  ledger: GateLedger;
  approver: Approver;
  mode: Exclude<GateMode, 'offline'>;
  home: string;
  /** Workspace roots the gate was started for: they replace whatever roots an agent claims. */
  workspaceRoots: string[];
  workspacePolicy?: string;
  log: (line: string) => void;
  /** Usage and budget store (budgets and loop signals). With budgets in the policy and no store, every call is denied. */
  usage?: UsageStore;
  /** Workspace checkpoints: with them, snapshotable effects are checkpointed and run as reversible (src/node/checkpoints). */
  checkpoints?: GateCheckpoints;
  /** Where run ends are recorded (session end, idle timeout); absent with a broken ledger. */
  runEnds?: RunEnds;
  /**
   * Write the ledger on its own thread (ledger/ledgerWriter.ts): masking here, SQLite there. Until
   * the thread is up, or if it cannot start or dies, steps are written on this thread.
   */
  writerThread?: boolean;
}

export class Gate {
  private readonly policies: GatePolicies;
  /** The policy that judged each run's latest call (budgets and loop limits of that run). */
  private readonly runPolicies = new Map<string, EffectivePolicy>();
  private readonly runs: RunMemories;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  /** Budgets and runaway-loop signals (src/node/gate/runLimits.ts). */
  readonly limits: RunLimits;
  /** A person paused every run from the editor (undefined = armed). */
  private pausedBy: string | undefined;
  /** Group commit over the ledger (undefined for a stand-in without appendSteps: one write per step). */
  private readonly commits: GroupCommit | undefined;

  constructor(private readonly o: GateOptions) {
    this.policies = new GatePolicies({ home: o.home, workspaceRoots: o.workspaceRoots, ...(o.workspacePolicy ? { workspacePolicy: o.workspacePolicy } : {}), log: o.log });
    this.runs = new RunMemories({ ledger: o.ledger, log: o.log, maxDenialsInARow: (runId) => (this.runPolicies.get(runId) ?? this.currentPolicy()).maxDenialsInARow });
    this.commits = o.ledger.appendSteps ? new GroupCommit(o.ledger as Pick<Ledger, 'appendSteps'>) : undefined;
    if (this.commits && o.writerThread && o.ledger instanceof Ledger) this.startWriter(this.commits, o.ledger);
    this.limits = new RunLimits({ ledger: o.ledger, log: o.log, policy: (runId) => (runId !== undefined ? this.runPolicies.get(runId) : undefined) ?? this.currentPolicy(), memory: (runId) => this.runs.memoryOf(runId), ...(o.usage ? { usage: o.usage } : {}) });
  }

  private startWriter(commits: GroupCommit, ledger: Ledger): void {
    const log = this.o.log;
    void LedgerWriterThread.start(ledger.writeTarget(), (reason) => log(`${reason}; the ledger is written on the gate's thread from now on`)).then(
      (writer) => {
        if (this.closed) void writer.close();
        else {
          commits.useWriter(writer);
          log("ledger: steps are written on the ledger's own thread");
        }
      },
      (e: Error) => log(`${e.message}; the ledger is written on the gate's thread`),
    );
  }

  /** The workspace a request comes from and its policy file (GatePolicies.workspaceOf). */
  workspaceOf(cwd: string | undefined): { workspace: string | undefined; policyFile: string | undefined } {
    return this.policies.workspaceOf(cwd);
  }

  /** The policies in force (and what in them waits for a person's acceptance), for status and health. */
  policyStatus(): PolicyFileStatus[] {
    return this.policies.policyStatus();
  }

  /** The effective policy for a request from `cwd` (GatePolicies.current). */
  currentPolicy(cwd?: string): EffectivePolicy {
    return this.policies.current(cwd);
  }

  /**
   * The agent says its session ended (Claude Code / Gemini CLI SessionEnd, Copilot sessionEnd): the
   * run ends with that reason. Its budget and loop memory end with it; a resumed session reopens it.
   */
  endSession(agent: HookRequest['agent'], sessionId: string, reason: string, transcriptPath?: string): { runId: string } | undefined {
    if (!this.o.runEnds) return undefined;
    const at = new Date().toISOString();
    const run = this.o.ledger.runFor(agent, sessionId, at);
    // The model calls after the last tool call (the final answer) are in the agent's files by now.
    try {
      this.o.usage?.syncFromDisk(agent, sessionId, new Date(), transcriptPath);
    } catch (e) {
      this.o.log(`usage: could not read the ${agent} session files of ${sessionId} at its end: ${(e as Error).message}`);
    }
    this.o.runEnds.end(run.id, at, reason, 'agent');
    this.runs.forget(run.id);
    this.runPolicies.delete(run.id);
    this.o.log(`run ${run.id} ended: ${reason}`);
    return { runId: run.id };
  }

  /** End every active run with no call for `idleMs` (the idle timeout). Returns the runs ended. */
  endIdleRuns(idleMs: number, now = new Date()): string[] {
    if (!this.o.runEnds || !(idleMs > 0)) return [];
    const ended: string[] = [];
    const minutes = Math.round((idleMs / 60_000) * 10) / 10;
    for (const r of this.o.runEnds.idleSince(new Date(now.getTime() - idleMs).toISOString())) {
      this.o.runEnds.end(r.id, now.toISOString(), `idle for ${minutes} minute(s) (no call since ${r.last})`, 'idle');
      this.runs.forget(r.id);
      this.runPolicies.delete(r.id);
      ended.push(r.id);
    }
    if (ended.length) this.o.log(`ended ${ended.length} idle run(s): ${ended.join(', ')}`);
    return ended;
  }

  /** Pause every run (a person in the editor) or resume (undefined). Reads and writes alike are denied while paused. */
  setPaused(reason: string | undefined): void {
    this.pausedBy = reason;
  }

  get paused(): string | undefined {
    return this.pausedBy;
  }

  /** The settings of the checkpoints this gate takes; false when it takes none (a preview judges as this gate would). */
  get checkpointSettings(): CheckpointSettings | false {
    return this.o.checkpoints?.store.settings ?? false;
  }

  /** Handle one hook event. Never rejects. */
  hook(req: HookRequest): Promise<HookResponse> {
    const p = this.handle(req).catch((e: unknown): HookResponse => {
      const msg = `internal error in the gate: ${(e as Error)?.message ?? String(e)}`;
      this.o.log(msg);
      return { decision: 'deny', reasons: [msg], rules: ['gate.error'], reversibility: 'unknown', runId: '', stepId: '', actionHash: '' };
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  /** The run for this session. If the ledger cannot even give one, an in-memory id: reads may still pass, writes will not be recorded and so are denied. */
  private runOf(req: HookRequest, now: string): { id: string } {
    try {
      return this.o.ledger.runFor(req.agent, req.sessionId, now);
    } catch (e) {
      this.o.log(`ledger: cannot look up the run for ${req.agent} session ${req.sessionId}: ${(e as Error).message}`);
      return { id: `unrecorded:${sha256(`${req.agent}\0${req.sessionId}`).slice(0, 16)}` };
    }
  }

  /** The action to judge: the shim's normalized one with the gate's workspace roots, or one built from the raw input. */
  private actionOf(req: HookRequest): Action | 'internal' {
    const roots = this.o.workspaceRoots;
    const a = req.action;
    if (a) {
      if (roots.length === 0) return a;
      if (a.kind === 'shell' || a.kind === 'file') return { ...a, workspaceRoots: roots };
      if (a.kind === 'mcp') return { ...a, workspaceRoots: roots };
      return a;
    }
    if (TOOL_TABLE[req.toolName] === 'internal') return 'internal';
    const raw = z.record(z.string(), z.unknown()).safeParse(req.rawToolInput ?? {});
    return { kind: 'mcp', server: req.agent, tool: req.toolName, args: raw.success ? raw.data : { input: req.rawToolInput }, ...(roots.length ? { workspaceRoots: roots } : {}) };
  }

  private async handle(req: HookRequest): Promise<HookResponse> {
    const startedAt = new Date().toISOString();
    const receivedAt = Date.now();
    const t0 = process.hrtime.bigint();
    const reqCwd = req.action && 'cwd' in req.action ? req.action.cwd : undefined;
    const policy = this.currentPolicy(reqCwd);
    const run = this.runOf(req, startedAt);
    this.runPolicies.set(run.id, policy);
    if (req.event === 'pre' && this.o.runEnds) {
      try {
        if (this.o.runEnds.reopen(run.id)) this.o.log(`run ${run.id} resumed after it had ended`);
      } catch (e) {
        this.o.log(`could not reopen run ${run.id}: ${(e as Error).message}`);
      }
    }
    const mem = this.runs.memoryOf(run.id);
    const act = this.actionOf(req);
    const action = act === 'internal' ? undefined : act;
    const actionHash = action ? hashOf(action) : '';
    if (req.event === 'post') return this.post(req, run.id, mem, action, actionHash, startedAt, t0, policy);

    const kill = readKillFlag(this.o.home);
    if (kill.killed) this.o.approver.denyAll('the Airlock kill switch is latched');
    const pausedNow = mem.paused ?? this.pausedBy;
    const identity = { agent: req.client ? `mcp:${req.client}` : req.agent, ...(req.subagentType ? { subagentType: req.subagentType } : {}) };
    const state = { killed: kill.killed, mode: this.o.mode, canSnapshot: this.o.checkpoints !== undefined, identity, ...(pausedNow ? { paused: pausedNow } : {}) };
    let d: Decision;
    let checkpoint: string | undefined;
    if (action) {
      const cwd = 'cwd' in action && action.cwd ? action.cwd : process.cwd();
      const roots = 'workspaceRoots' in action && action.workspaceRoots?.length ? action.workspaceRoots : [cwd];
      const written = this.runs.writtenIn(run.id);
      const trust = trustLookupFor(this.o.home, this.o.workspaceRoots.length ? this.o.workspaceRoots : roots);
      const gatedAgents = gatedAgentsFor(roots[0] ?? cwd);
      const env = machineEnvironment(cwd, roots, process.env, { ...(written ? { provenance: { writtenBy: (p: string) => written.get(p) } } : {}), ...(trust ? { trust } : {}), gatedAgents });
      d = judge(action, policy, state, env);
      // Make it reversible, then let it run: the checkpoint is taken before any answer (or judged again without one).
      if (this.o.checkpoints) ({ d, checkpoint } = await this.o.checkpoints.before(d, () => judge(action, policy, { ...state, canSnapshot: false }, env), roots, req.deadlineMs, summarize(action, req.toolName)));
    } else {
      d = internalDecision(req.toolName, policy.hash, state);
    }
    let g: Guarded = resolveAskForMode(applyRunGuards(d, mem, writtenText(action)), this.o.mode, policy.ciAsk);
    const limit = await this.limits.before(req, run.id, policy, actionHash);
    if (limit) g = { decision: 'deny', reasons: [limit.reason, ...g.reasons], rules: [...g.rules, ...limit.rules] };
    const stepId = `${run.id}:${req.toolUseId ?? actionHash.slice(0, 12)}:${Date.now().toString(36)}`;
    // An approval is bound to the action and to the content of every file the judge read to decide.
    // Computed on the same action object the editor is shown (req.action), as the editor computes it.
    const boundHash = action && d.files?.length ? actionHashOf(action, d.files) : actionHash;
    if (g.decision === 'ask') {
      const margin = Math.min(1000, Math.floor(req.deadlineMs * 0.1));
      const answer = await this.o.approver.request({
        runId: run.id,
        stepId,
        sessionId: req.sessionId,
        agent: req.agent,
        toolName: req.toolName,
        decision: { ...d, decision: 'ask', reasons: g.reasons, rules: g.rules, actionHash: boundHash },
        deadlineAt: receivedAt + req.deadlineMs - margin,
        ...(action ? { action } : {}),
        ...(req.description ? { description: req.description } : {}),
      });
      if (answer.decision === 'allow' && answer.actionHash !== boundHash) {
        // Architecture Invariant: an approval is bound to the exact action; anything else is asked again.
        this.o.log(`approval for step ${stepId} was for another action (${answer.actionHash.slice(0, 12)} != ${boundHash.slice(0, 12)}): denied`);
        g = { decision: 'deny', reasons: ['the approval was given for a different action than the one that would run: ask again', ...g.reasons], rules: [...g.rules, 'approval.hash-mismatch'] };
      } else {
        if (answer.decision === 'allow') this.limits.personActed(run.id);
        g = answer.decision === 'allow' ? { ...g, decision: 'allow', reasons: [...g.reasons, `approved by ${answer.by}`, ...(answer.notes ?? [])], rules: [...g.rules, 'approval.person'] } : { decision: 'deny', reasons: [answer.reason, ...g.reasons, ...(answer.notes ?? [])], rules: [...g.rules, 'approval.none'] };
      }
    }
    if (checkpoint && g.decision === 'allow') g = { ...g, reasons: [...g.reasons, `checkpoint ${checkpoint} taken before running: Undo in the run log (or airlock undo) puts the files back`], rules: [...g.rules, CHECKPOINT_TAKEN] };
    let seq = 0;
    let rowId = stepId;
    try {
      const row = await this.record({
        runId: run.id, event: 'pre', agent: req.agent, sessionId: req.sessionId, tool: req.toolName, decision: g.decision, reversibility: d.reversibility,
        reasons: g.reasons, rules: g.rules, effects: d.effects, policyHash: policy.hash, startedAt, decidedAt: new Date().toISOString(),
        durationUs: Number(process.hrtime.bigint() - t0) / 1000,
        ...(req.subagentId ? { subagentId: req.subagentId } : {}), ...(req.toolUseId ? { toolUseId: req.toolUseId } : {}),
        ...(action ? { kind: action.kind, action, actionHash } : {}), ...(req.description ? { description: req.description } : {}),
        ...(checkpoint && g.decision === 'allow' ? { checkpoint } : {}),
      });
      seq = row.seq;
      rowId = row.id;
      if (g.decision === 'allow') this.runs.noteWritten(run.id, seq, summarize(action, req.toolName), d.effects);
    } catch (e) {
      const why = `cannot record, so do not act: the ledger could not write this step (${(e as Error).message})`;
      this.o.log(why);
      if (d.reversibility !== 'read' && g.decision !== 'deny') g = { decision: 'deny', reasons: [why, ...g.reasons], rules: [...g.rules, 'ledger.unavailable'] };
      seq = mem.steps.length + mem.denied.length + 1;
    }
    if (checkpoint) this.o.checkpoints?.settle(`${run.id}\0${req.toolUseId ?? actionHash}`, checkpoint, g.decision);
    const paused = rememberDecision(mem, { seq, summary: summarize(action, req.toolName), decision: g.decision, rules: g.rules, effects: d.effects, reversibility: d.reversibility, actionHash, ...(req.toolUseId ? { toolUseId: req.toolUseId } : {}) }, policy.maxDenialsInARow);
    if (paused) {
      this.o.log(`run ${run.id} paused: ${paused}`);
      try {
        this.o.ledger.setRunStatus(run.id, 'paused', paused);
      } catch (e) {
        this.o.log(`could not record that run ${run.id} is paused: ${(e as Error).message} (it stays paused in memory)`);
      }
    }
    return { decision: g.decision, reasons: g.reasons, rules: g.rules, reversibility: d.reversibility, runId: run.id, stepId: rowId, actionHash };
  }

  private async post(req: HookRequest, runId: string, mem: RunMemory, action: Action | undefined, actionHash: string, startedAt: string, t0: bigint, policy: EffectivePolicy): Promise<HookResponse> {
    const outcome = req.outcome ?? {};
    await this.o.checkpoints?.after(`${runId}\0${req.toolUseId ?? actionHash}`);
    this.limits.after(req, runId, actionHash);
    const refSeq = rememberOutcome(mem, { ...(req.toolUseId ? { toolUseId: req.toolUseId } : {}), ...(actionHash ? { actionHash } : {}), ...outcome });
    let rowId = '';
    try {
      rowId = (await this.record({
        runId, event: 'post', agent: req.agent, sessionId: req.sessionId, tool: req.toolName, decision: 'outcome', reversibility: 'n/a', reasons: [], rules: [], effects: [],
        policyHash: policy.hash, startedAt, decidedAt: new Date().toISOString(), durationUs: Number(process.hrtime.bigint() - t0) / 1000, outcome,
        ...(refSeq !== undefined ? { refSeq } : {}), ...(req.subagentId ? { subagentId: req.subagentId } : {}), ...(req.toolUseId ? { toolUseId: req.toolUseId } : {}),
        ...(action ? { kind: action.kind, action, actionHash } : {}),
      })).id;
    } catch (e) {
      this.o.log(`could not record the outcome of ${req.toolName} in run ${runId}: ${(e as Error).message}`);
      return { decision: 'allow', reasons: [`outcome NOT recorded: ${(e as Error).message}`], rules: ['ledger.unavailable'], reversibility: 'read', runId, stepId: '', actionHash };
    }
    return { decision: 'allow', reasons: ['outcome recorded'], rules: [], reversibility: 'read', runId, stepId: rowId, actionHash };
  }

  /**
   * Write one step; resolves once it is committed (durable in the ledger's durability mode), so no
   * answer leaves the gate before its step is recorded. Rejects when it cannot be written: the
   * caller denies (fail closed).
   */
  private record(step: StepInput): Promise<StepRow> {
    if (this.commits) return this.commits.append(step);
    try {
      return Promise.resolve(this.o.ledger.appendStep(step));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Kill switch or shutdown: deny everything pending now. */
  denyPending(reason: string): void {
    this.o.approver.denyAll(reason);
  }

  /** Stop deciding: pending asks are denied, in-flight requests finish. */
  async close(): Promise<void> {
    this.closed = true;
    this.o.approver.denyAll('Airlock is shutting down');
    await Promise.allSettled([...this.inFlight]);
    // Every request has its answer, so every step it wrote has committed; nothing later is accepted.
    await this.commits?.close();
  }
}

