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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Action } from '../../core/action';
import { EFFECT_KINDS, REVERSIBILITIES, emptyFlags, type Effect } from '../../core/effects';
import { hashOf, sha256 } from '../../core/hash';
import { judge, type Decision, type GateMode } from '../../core/judge';
import type { EffectivePolicy } from '../../core/policy/layers';
import type { HookRequest, HookResponse } from '../../core/protocol/bridge';
import type { Approver } from '../../core/run/approver';
import { applyRunGuards, emptyMemory, rememberDecision, rememberOutcome, resolveAskForMode, type Guarded, type RunMemory } from '../../core/run/runMemory';
import { readKillFlag } from '../bridge/discovery';
import { machineEnvironment } from '../environment';
import { TOOL_TABLE } from '../agents/dialects/tools';
import type { Ledger, StepRow } from '../ledger/ledger';
import { RunLimits } from './runLimits';
import type { UsageStore } from '../usage/usage';
import { loadEffectivePolicy, WORKSPACE_POLICY } from '../policy/policyStore';

/** What the gate needs from the ledger (a broken ledger is a stand-in whose calls throw: fail closed). */
export type GateLedger = Pick<Ledger, 'runFor' | 'stepsOf' | 'appendStep' | 'setRunStatus'>;

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
}

const EffectRows = z.array(z.object({ kind: z.enum(EFFECT_KINDS), reversibility: z.enum(REVERSIBILITIES), detail: z.string(), target: z.string().optional(), exec: z.boolean().optional() }));

/** A one-line description of an action for the run log and escalation history. */
export function summarize(action: Action | undefined, toolName: string): string {
  const s =
    !action ? toolName
    : action.kind === 'shell' ? action.command
    : action.kind === 'file' ? `${action.op} ${action.path}`
    : action.kind === 'sql' ? action.sql
    : action.kind === 'http' ? `${action.method} ${action.url}`
    : `${action.server}/${action.tool}`;
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

function writtenText(action: Action | undefined): { text: string; cwd?: string } | undefined {
  if (!action) return undefined;
  if (action.kind === 'file') return { text: [action.content, action.newString].filter((x) => x).join('\n'), cwd: action.cwd };
  if (action.kind === 'mcp') return { text: JSON.stringify(action.args), ...(action.cwd ? { cwd: action.cwd } : {}) };
  return undefined;
}

export class Gate {
  private policy: EffectivePolicy | undefined;
  private policyKey = '';
  private readonly memories = new Map<string, RunMemory>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  /** Budgets and runaway-loop signals (src/node/gate/runLimits.ts). */
  readonly limits: RunLimits;
  /** A person paused every run from the editor (undefined = armed). */
  private pausedBy: string | undefined;

  constructor(private readonly o: GateOptions) {
    this.limits = new RunLimits({ ledger: o.ledger, log: o.log, policy: () => this.currentPolicy(), memory: (runId) => this.memoryOf(runId), ...(o.usage ? { usage: o.usage } : {}) });
  }

  private policyFiles(): string[] {
    const ws = this.o.workspacePolicy ?? (this.o.workspaceRoots[0] ? join(this.o.workspaceRoots[0], WORKSPACE_POLICY) : undefined);
    return [join(this.o.home, 'policy.json'), ...(ws ? [ws] : []), join(this.o.home, 'acknowledged.json')];
  }

  /** The effective policy, reloaded when any of its files' content hash changed. */
  currentPolicy(): EffectivePolicy {
    const key = sha256(
      this.policyFiles()
        .map((f) => {
          try {
            return `${f}\0${sha256(readFileSync(f, 'utf8'))}`;
          } catch (e) {
            return `${f}\0${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`;
          }
        })
        .join('\n'),
    );
    if (this.policy && key === this.policyKey) return this.policy;
    const { policy } = loadEffectivePolicy({ workspaceRoots: this.o.workspaceRoots, home: this.o.home, ...(this.o.workspacePolicy ? { workspacePolicy: this.o.workspacePolicy } : {}) });
    for (const w of policy.warnings) this.o.log(`policy: ${w}`);
    for (const i of policy.ignored) this.o.log(`policy: ignored until acknowledged: ${i}`);
    this.o.log(`policy loaded (hash ${policy.hash.slice(0, 12)})`);
    this.policy = policy;
    this.policyKey = key;
    return policy;
  }

  /** Pause every run (a person in the editor) or resume (undefined). Reads and writes alike are denied while paused. */
  setPaused(reason: string | undefined): void {
    this.pausedBy = reason;
  }

  get paused(): string | undefined {
    return this.pausedBy;
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

  private memoryOf(runId: string): RunMemory {
    let mem = this.memories.get(runId);
    if (mem) return mem;
    mem = emptyMemory();
    // A run seen before this process started: rebuild its memory from the ledger.
    const max = this.currentPolicy().maxDenialsInARow;
    try {
      for (const r of this.o.ledger.stepsOf(runId)) this.replay(mem, r, max);
    } catch (e) {
      this.o.log(`ledger: cannot read the history of run ${runId} (${(e as Error).message}); escalation memory starts empty`);
    }
    this.memories.set(runId, mem);
    return mem;
  }

  private replay(mem: RunMemory, r: StepRow, max: number): void {
    if (r.event === 'post') {
      const o = r.outcome_json ? z.object({ exitCode: z.number().optional(), error: z.string().optional() }).safeParse(JSON.parse(r.outcome_json)) : undefined;
      rememberOutcome(mem, { ...(r.tool_use_id ? { toolUseId: r.tool_use_id } : {}), ...(r.action_hash ? { actionHash: r.action_hash } : {}), ...(o?.success ? o.data : {}) });
      return;
    }
    const eff = EffectRows.safeParse(JSON.parse(r.effects_json));
    const rules = z.array(z.string()).safeParse(JSON.parse(r.rules_json));
    const dec = z.enum(['allow', 'ask', 'deny']).safeParse(r.decision);
    const rev = z.enum(REVERSIBILITIES).safeParse(r.reversibility);
    rememberDecision(
      mem,
      { seq: r.seq, summary: r.action_json ? r.action_json.slice(0, 200) : r.tool, decision: dec.success ? dec.data : 'deny', rules: rules.success ? rules.data : [], effects: eff.success ? (eff.data as Effect[]) : [], reversibility: rev.success ? rev.data : 'unknown', actionHash: r.action_hash ?? '', ...(r.tool_use_id ? { toolUseId: r.tool_use_id } : {}) },
      max,
    );
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
    const t0 = process.hrtime.bigint();
    const policy = this.currentPolicy();
    const run = this.runOf(req, startedAt);
    const mem = this.memoryOf(run.id);
    const act = this.actionOf(req);
    const action = act === 'internal' ? undefined : act;
    const actionHash = action ? hashOf(action) : '';
    if (req.event === 'post') return this.post(req, run.id, mem, action, actionHash, startedAt, t0, policy);

    const kill = readKillFlag(this.o.home);
    if (kill.killed) this.o.approver.denyAll('the Airlock kill switch is latched');
    const pausedNow = mem.paused ?? this.pausedBy;
    const identity = { agent: req.client ? `mcp:${req.client}` : req.agent, ...(req.subagentType ? { subagentType: req.subagentType } : {}) };
    const state = { killed: kill.killed, mode: this.o.mode, canSnapshot: false, identity, ...(pausedNow ? { paused: pausedNow } : {}) };
    let d: Decision;
    if (action) {
      const cwd = 'cwd' in action && action.cwd ? action.cwd : process.cwd();
      const roots = 'workspaceRoots' in action && action.workspaceRoots?.length ? action.workspaceRoots : [cwd];
      d = judge(action, policy, state, machineEnvironment(cwd, roots));
    } else {
      d = internalDecision(req.toolName, policy.hash, state);
    }
    let g: Guarded = resolveAskForMode(applyRunGuards(d, mem, writtenText(action)), this.o.mode, policy.ciAsk);
    const limit = await this.limits.before(req, run.id, policy, actionHash);
    if (limit) g = { decision: 'deny', reasons: [limit.reason, ...g.reasons], rules: [...g.rules, ...limit.rules] };
    const stepId = `${run.id}:${req.toolUseId ?? actionHash.slice(0, 12)}:${Date.now().toString(36)}`;
    if (g.decision === 'ask') {
      const margin = Math.min(1000, Math.floor(req.deadlineMs * 0.1));
      const answer = await this.o.approver.request({
        runId: run.id,
        stepId,
        agent: req.agent,
        toolName: req.toolName,
        decision: { ...d, decision: 'ask', reasons: g.reasons, rules: g.rules, actionHash },
        deadlineAt: Date.now() + req.deadlineMs - margin,
        ...(action ? { action } : {}),
        ...(req.description ? { description: req.description } : {}),
      });
      if (answer.decision === 'allow' && answer.actionHash !== actionHash) {
        // Architecture Invariant: an approval is bound to the exact action; anything else is asked again.
        this.o.log(`approval for step ${stepId} was for another action (${answer.actionHash.slice(0, 12)} != ${actionHash.slice(0, 12)}): denied`);
        g = { decision: 'deny', reasons: ['the approval was given for a different action than the one that would run: ask again', ...g.reasons], rules: [...g.rules, 'approval.hash-mismatch'] };
      } else {
        if (answer.decision === 'allow') this.limits.personActed(run.id);
        g = answer.decision === 'allow' ? { ...g, decision: 'allow', reasons: [...g.reasons, `approved by ${answer.by}`], rules: [...g.rules, 'approval.person'] } : { decision: 'deny', reasons: [answer.reason, ...g.reasons], rules: [...g.rules, 'approval.none'] };
      }
    }
    let seq = 0;
    let rowId = stepId;
    try {
      const row = this.o.ledger.appendStep({
        runId: run.id, event: 'pre', agent: req.agent, sessionId: req.sessionId, tool: req.toolName, decision: g.decision, reversibility: d.reversibility,
        reasons: g.reasons, rules: g.rules, effects: d.effects, policyHash: policy.hash, startedAt, decidedAt: new Date().toISOString(),
        durationUs: Number(process.hrtime.bigint() - t0) / 1000,
        ...(req.subagentId ? { subagentId: req.subagentId } : {}), ...(req.toolUseId ? { toolUseId: req.toolUseId } : {}),
        ...(action ? { kind: action.kind, action, actionHash } : {}), ...(req.description ? { description: req.description } : {}),
      });
      seq = row.seq;
      rowId = row.id;
    } catch (e) {
      const why = `cannot record, so do not act: the ledger could not write this step (${(e as Error).message})`;
      this.o.log(why);
      if (d.reversibility !== 'read' && g.decision !== 'deny') g = { decision: 'deny', reasons: [why, ...g.reasons], rules: [...g.rules, 'ledger.unavailable'] };
      seq = mem.steps.length + mem.denied.length + 1;
    }
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

  private post(req: HookRequest, runId: string, mem: RunMemory, action: Action | undefined, actionHash: string, startedAt: string, t0: bigint, policy: EffectivePolicy): HookResponse {
    const outcome = req.outcome ?? {};
    this.limits.after(req, runId, actionHash);
    const refSeq = rememberOutcome(mem, { ...(req.toolUseId ? { toolUseId: req.toolUseId } : {}), ...(actionHash ? { actionHash } : {}), ...outcome });
    let rowId = '';
    try {
      rowId = this.o.ledger.appendStep({
        runId, event: 'post', agent: req.agent, sessionId: req.sessionId, tool: req.toolName, decision: 'outcome', reversibility: 'n/a', reasons: [], rules: [], effects: [],
        policyHash: policy.hash, startedAt, decidedAt: new Date().toISOString(), durationUs: Number(process.hrtime.bigint() - t0) / 1000, outcome,
        ...(refSeq !== undefined ? { refSeq } : {}), ...(req.subagentId ? { subagentId: req.subagentId } : {}), ...(req.toolUseId ? { toolUseId: req.toolUseId } : {}),
        ...(action ? { kind: action.kind, action, actionHash } : {}),
      }).id;
    } catch (e) {
      this.o.log(`could not record the outcome of ${req.toolName} in run ${runId}: ${(e as Error).message}`);
      return { decision: 'allow', reasons: [`outcome NOT recorded: ${(e as Error).message}`], rules: ['ledger.unavailable'], reversibility: 'read', runId, stepId: '', actionHash };
    }
    return { decision: 'allow', reasons: ['outcome recorded'], rules: [], reversibility: 'read', runId, stepId: rowId, actionHash };
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
  }
}

/** Agent-internal tools (todo list, sub-agent start, server-side search): allowed as reads. */
function internalDecision(toolName: string, policyHash: string, state: { killed: boolean; paused?: string }): Decision {
  const base = { reversibility: 'read' as const, effects: [], flags: emptyFlags(), commands: [], cacheable: false, actionHash: '', policyHash, snapshots: [] };
  if (state.killed) return { ...base, decision: 'deny', reasons: ['the Airlock kill switch is latched: nothing runs until a person un-latches it in the editor'], rules: ['gate.killed'] };
  if (state.paused) return { ...base, decision: 'deny', reasons: [`run paused for a person: ${state.paused}`], rules: ['gate.paused'] };
  return { ...base, decision: 'allow', reasons: [`${toolName} acts only inside the agent`], rules: ['gate.internal-tool'] };
}
