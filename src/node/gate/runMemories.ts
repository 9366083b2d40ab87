/**
 * What the gate remembers of each run: its escalation memory (denials in a row, duplicates, pauses;
 * core/run/runMemory.ts), rebuilt from the ledger for a run seen before this process started, and
 * the files the agent wrote in allowed steps (provenance: running one later runs the agent's code).
 */
import { z } from 'zod';
import type { Action } from '../../core/action';
import { EFFECT_KINDS, REVERSIBILITIES, emptyFlags, type Effect } from '../../core/effects';
import type { Decision } from '../../core/judge';
import { emptyMemory, rememberDecision, rememberOutcome, type RunMemory } from '../../core/run/runMemory';
import type { Ledger, StepRow } from '../ledger/ledger';

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

export function writtenText(action: Action | undefined): { text: string; cwd?: string } | undefined {
  if (!action) return undefined;
  if (action.kind === 'file') return { text: [action.content, action.newString].filter((x) => x).join('\n'), cwd: action.cwd };
  if (action.kind === 'mcp') return { text: JSON.stringify(action.args), ...(action.cwd ? { cwd: action.cwd } : {}) };
  return undefined;
}

export interface RunMemoriesOptions {
  ledger: Pick<Ledger, 'stepsOf'>;
  log: (line: string) => void;
  /** The run's policy's limit of denials in a row (replayed history pauses a run as it did live). */
  maxDenialsInARow: (runId: string) => number;
}

export class RunMemories {
  private readonly memories = new Map<string, RunMemory>();
  /** Per run: files the agent wrote or downloaded in allowed steps (provenance for the judge). */
  private readonly written = new Map<string, Map<string, string>>();

  constructor(private readonly o: RunMemoriesOptions) {}

  /** The files written in a run so far (path -> how), if any. */
  writtenIn(runId: string): Map<string, string> | undefined {
    return this.written.get(runId);
  }

  /** A run ended: its memory ends with it (a resumed session rebuilds it from the ledger). */
  forget(runId: string): void {
    this.memories.delete(runId);
  }

  memoryOf(runId: string): RunMemory {
    let mem = this.memories.get(runId);
    if (mem) return mem;
    mem = emptyMemory();
    // A run seen before this process started: rebuild its memory from the ledger.
    const max = this.o.maxDenialsInARow(runId);
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
    if (eff.success && r.decision === 'allow') this.noteWritten(r.run_id, r.seq, r.action_json ? r.action_json.slice(0, 120) : r.tool, eff.data as Effect[]);
    const rules = z.array(z.string()).safeParse(JSON.parse(r.rules_json));
    const dec = z.enum(['allow', 'ask', 'deny']).safeParse(r.decision);
    const rev = z.enum(REVERSIBILITIES).safeParse(r.reversibility);
    rememberDecision(
      mem,
      { seq: r.seq, summary: r.action_json ? r.action_json.slice(0, 200) : r.tool, decision: dec.success ? dec.data : 'deny', rules: rules.success ? rules.data : [], effects: eff.success ? (eff.data as Effect[]) : [], reversibility: rev.success ? rev.data : 'unknown', actionHash: r.action_hash ?? '', ...(r.tool_use_id ? { toolUseId: r.tool_use_id } : {}) },
      max,
    );
  }

  /** Remember the files an allowed step wrote or downloaded: running one later is running the agent's code. */
  noteWritten(runId: string, seq: number, summary: string, effects: readonly Effect[]): void {
    let m = this.written.get(runId);
    for (const e of effects) {
      if ((e.kind !== 'create' && e.kind !== 'write' && e.kind !== 'overwrite') || !e.target?.startsWith('/')) continue;
      if (!m) this.written.set(runId, (m = new Map()));
      m.set(e.target, `written earlier in this run by step ${seq} (${summary.length > 80 ? `${summary.slice(0, 77)}...` : summary})`);
    }
  }
}

/** Agent-internal tools (todo list, sub-agent start, server-side search): allowed as reads. */
export function internalDecision(toolName: string, policyHash: string, state: { killed: boolean; paused?: string }): Decision {
  const base = { reversibility: 'read' as const, effects: [], flags: emptyFlags(), commands: [], cacheable: false, actionHash: '', policyHash, snapshots: [] };
  if (state.killed) return { ...base, decision: 'deny', reasons: ['the Airlock kill switch is latched: nothing runs until a person un-latches it in the editor'], rules: ['gate.killed'] };
  if (state.paused) return { ...base, decision: 'deny', reasons: [`run paused for a person: ${state.paused}`], rules: ['gate.paused'] };
  return { ...base, decision: 'allow', reasons: [`${toolName} acts only inside the agent`], rules: ['gate.internal-tool'] };
}
