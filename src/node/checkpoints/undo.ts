/**
 * Undo of a step's file changes from its checkpoint (issue 14), per step and per run.
 *
 * - Which steps: an allowed pre step with a `checkpoint` (src/node/gate/gate.ts; rows of a version 1
 *   ledger carry it as a rule `checkpoint:<id>`).
 * - First the plan (what changes, per file), then the refusal when the person changed those files
 *   since the step (compared with the recorded after-state), then the gate: the undo is judged and
 *   recorded as its own step (tool `checkpoint_undo`, an `airlock/write_files` action naming every
 *   file it writes or removes: the gate checkpoints them first, so an undo can be undone), then the
 *   restore, then its outcome as the post step.
 * - A run is restored to before a step by undoing its checkpointed steps from the last back to it;
 *   the first refusal stops there and says which step.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { GATE_CALLERS } from '../../core/protocol/bridge';
import type { GateLike } from '../mcp/tools';
import { checkpointOfStep } from './gateCheckpoints';
import type { CheckpointStore, RestoreResult, UndoPlan } from './store';

export interface CheckpointStep {
  stepId: string;
  runId: string;
  seq: number;
  tool: string;
  checkpoint: string;
  summary: string;
}

/** What is needed of a ledger row (StepRow fits). */
export interface StepLike {
  id: string;
  run_id: string;
  seq: number;
  event: string;
  tool: string;
  decision: string;
  rules_json: string;
  action_json: string | null;
  /** Absent on a version 1 ledger opened read-only. */
  checkpoint?: string | null;
}

export function checkpointStepOf(r: StepLike): CheckpointStep | undefined {
  if (r.event !== 'pre' || r.decision !== 'allow') return undefined;
  let parsed: unknown = [];
  try {
    parsed = JSON.parse(r.rules_json);
  } catch {
    /* unreadable rules: only the field counts */
  }
  const rules = z.array(z.string()).safeParse(parsed);
  const cp = checkpointOfStep({ decision: r.decision, checkpoint: r.checkpoint ?? null, rules: rules.success ? rules.data : [] });
  if (!cp) return undefined;
  return { stepId: r.id, runId: r.run_id, seq: r.seq, tool: r.tool, checkpoint: cp, summary: (r.action_json ?? r.tool).slice(0, 200) };
}

export interface FileUndoOptions {
  store: CheckpointStore;
  gate: GateLike;
  sessionId: string;
  agent?: (typeof GATE_CALLERS)[number];
  askTimeoutMs?: number;
  requestedBy: string;
  /** Restore even over changes made since the step (the person saw the diff and chose to). */
  force?: boolean;
}

export type FileUndoResult =
  | { ok: true; stepId: string; checkpoint: string; restored: string[]; deleted: string[]; verified: boolean; undoStepId: string }
  | { ok: false; stepId: string; checkpoint: string; code: 'not_found' | 'conflict' | 'no_after_state' | 'nothing_to_do' | 'denied' | 'failed'; message: string; conflicts?: string[]; undoStepId?: string };

/** Undo one step's file changes. */
export async function undoCheckpointStep(step: Pick<CheckpointStep, 'stepId' | 'checkpoint'>, o: FileUndoOptions): Promise<FileUndoResult> {
  const base = { stepId: step.stepId, checkpoint: step.checkpoint };
  const plan = await o.store.plan(step.checkpoint);
  if (!plan) return { ok: false, ...base, code: 'not_found', message: `the checkpoint ${step.checkpoint} of step ${step.stepId} is gone (pruned or cleared)` };
  if (plan.changes.length === 0) return { ok: false, ...base, code: 'nothing_to_do', message: `the files of step ${step.stepId} are already as they were before it` };
  if (!o.force && plan.conflicts.length) return { ok: false, ...base, code: 'conflict', conflicts: plan.conflicts, message: `refused: ${plan.conflicts.length} file(s) changed after step ${step.stepId}, and undoing it would lose those changes: ${plan.conflicts.slice(0, 8).join(', ')}${plan.conflicts.length > 8 ? ', …' : ''}; nothing was restored` };
  if (!o.force && !plan.afterRecorded) return { ok: false, ...base, code: 'no_after_state', message: `refused: the state after step ${step.stepId} was not recorded (its outcome never arrived), so changes made since cannot be told apart; nothing was restored (force restores anyway)` };
  const files = plan.changes.map((c) => join(plan.root, c.path));
  const action = { kind: 'mcp' as const, server: 'airlock', tool: 'write_files', args: { files, checkpoint: step.checkpoint }, cwd: plan.root, workspaceRoots: [plan.root] };
  const agent = o.agent ?? 'airlock-mcp';
  const toolUseId = randomUUID();
  const description = `${describePlan(step.stepId, plan)} Requested by ${o.requestedBy}.`;
  const r = await o.gate.hook({ agent, event: 'pre', sessionId: o.sessionId, toolName: 'checkpoint_undo', toolUseId, action, deadlineMs: o.askTimeoutMs ?? 120_000, description });
  if (r.decision !== 'allow') return { ok: false, ...base, code: 'denied', undoStepId: r.stepId, message: `Airlock ${r.decision === 'ask' ? 'did not get an approval for' : 'denied'} the undo: ${r.reasons.join('; ')}; nothing was restored` };
  const t0 = Date.now();
  let res: RestoreResult;
  try {
    // The gate's own checkpoint of these files (taken just now) changed nothing on disk, so a
    // forced restore here only skips the checks already made above.
    res = await o.store.restore(step.checkpoint, { force: true });
  } catch (e) {
    res = { ok: false, code: 'failed', message: (e as Error)?.message ?? String(e) };
  }
  await o.gate.hook({ agent, event: 'post', sessionId: o.sessionId, toolName: 'checkpoint_undo', toolUseId, action, outcome: res.ok ? { exitCode: 0, durationMs: Date.now() - t0 } : { error: res.message.slice(0, 4000), durationMs: Date.now() - t0 }, deadlineMs: 10_000 });
  if (!res.ok) return { ok: false, ...base, code: 'failed', message: res.message, undoStepId: r.stepId };
  return { ok: true, ...base, restored: res.restored, deleted: res.deleted, verified: res.verified, undoStepId: r.stepId };
}

export function describePlan(stepId: string, plan: UndoPlan): string {
  const n = (a: string): number => plan.changes.filter((c) => c.action === a).length;
  const parts = [n('restore') && `restores ${n('restore')} changed file(s)`, n('recreate') && `brings back ${n('recreate')} deleted file(s)`, n('delete') && `removes ${n('delete')} file(s) the step created`].filter(Boolean);
  return `Airlock undo of step ${stepId} from checkpoint ${plan.id} (${plan.createdAt}) in ${plan.root}: ${parts.join(', ') || 'nothing to change'}.`;
}

/**
 * Restore a run to before step `toStepId`: its checkpointed steps from the last back to that one
 * (inclusive), each undone (and recorded) in turn. Stops at the first refusal.
 */
export async function undoRunTo(steps: readonly CheckpointStep[], toStepId: string, o: FileUndoOptions): Promise<{ ok: boolean; results: FileUndoResult[]; message: string }> {
  const to = steps.find((s) => s.stepId === toStepId);
  if (!to) return { ok: false, results: [], message: `step ${toStepId} has no checkpoint in this run` };
  const todo = steps.filter((s) => s.runId === to.runId && s.seq >= to.seq).sort((a, b) => b.seq - a.seq);
  const results: FileUndoResult[] = [];
  for (const s of todo) {
    const r = await undoCheckpointStep(s, o);
    results.push(r);
    if (!r.ok && r.code !== 'nothing_to_do') return { ok: false, results, message: `stopped at step #${s.seq}: ${r.message}` };
  }
  return { ok: true, results, message: `the run is back to before step #${to.seq} (${results.filter((r) => r.ok).length} step(s) undone)` };
}
