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
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { GATE_CALLERS } from '../../core/protocol/bridge';
import type { GateLike } from '../mcp/tools';
import { checkpointOfStep } from './gateCheckpoints';
import type { CheckpointStore, MergedFile, RestoreResult, UndoPlan } from './store';

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
  /**
   * Over changes made since the step, merge (merge.ts): each such text file keeps the person's
   * changes and loses the step's (conflict markers where both touched the same lines). Refused when
   * any of them cannot be merged (binary, symlink, created or deleted by the step or since).
   */
  merge?: boolean;
}

export type FileUndoResult =
  | { ok: true; stepId: string; checkpoint: string; restored: string[]; deleted: string[]; verified: boolean; undoStepId: string; /** Files merged (conflicts: regions with markers left to resolve). */ merged?: { path: string; conflicts: number }[] }
  | { ok: false; stepId: string; checkpoint: string; code: 'not_found' | 'conflict' | 'no_after_state' | 'nothing_to_do' | 'denied' | 'failed'; message: string; conflicts?: string[]; undoStepId?: string };

/** Undo one step's file changes. */
export async function undoCheckpointStep(step: Pick<CheckpointStep, 'stepId' | 'checkpoint'>, o: FileUndoOptions): Promise<FileUndoResult> {
  const base = { stepId: step.stepId, checkpoint: step.checkpoint };
  const plan = await o.store.plan(step.checkpoint);
  if (!plan) return { ok: false, ...base, code: 'not_found', message: `the checkpoint ${step.checkpoint} of step ${step.stepId} is gone (pruned or cleared)` };
  if (plan.changes.length === 0) return { ok: false, ...base, code: 'nothing_to_do', message: `the files of step ${step.stepId} are already as they were before it` };
  const list = (xs: readonly string[]): string => `${xs.slice(0, 8).join(', ')}${xs.length > 8 ? ', …' : ''}`;
  let merged: MergedFile[] = [];
  if (!o.force && o.merge && plan.conflicts.length) {
    const m = await o.store.mergePlan(step.checkpoint);
    if (!m) return { ok: false, ...base, code: 'not_found', message: `the checkpoint ${step.checkpoint} of step ${step.stepId} is gone (pruned or cleared)` };
    if (m.merge.refused.length) return { ok: false, ...base, code: 'conflict', conflicts: plan.conflicts, message: `refused: ${m.merge.refused.length} file(s) changed after step ${step.stepId} cannot be merged: ${m.merge.refused.slice(0, 8).map((r) => `${r.path} (${r.reason})`).join(', ')}; nothing was restored` };
    merged = m.merge.merged;
  } else if (!o.force && plan.conflicts.length) {
    return { ok: false, ...base, code: 'conflict', conflicts: plan.conflicts, message: `refused: ${plan.conflicts.length} file(s) changed after step ${step.stepId}, and undoing it would lose those changes: ${list(plan.conflicts)}; nothing was restored (merge keeps your changes and takes back the step's: airlock undo --merge)` };
  }
  if (!o.force && !plan.afterRecorded) return { ok: false, ...base, code: 'no_after_state', message: `refused: the state after step ${step.stepId} was not recorded (its outcome never arrived), so changes made since cannot be told apart; nothing was restored (force restores anyway)` };
  const files = plan.changes.map((c) => join(plan.root, c.path));
  // The step records what the merge writes: each merged file, its conflict count and the hash of its new content.
  const mergeArgs = merged.map((m) => ({ path: join(plan.root, m.path), conflicts: m.conflicts, sha256: createHash('sha256').update(m.content).digest('hex') }));
  const action = { kind: 'mcp' as const, server: 'airlock', tool: 'write_files', args: { files, checkpoint: step.checkpoint, ...(merged.length ? { merge: mergeArgs } : {}) }, cwd: plan.root, workspaceRoots: [plan.root] };
  const agent = o.agent ?? 'airlock-mcp';
  const toolUseId = randomUUID();
  const description = `${describePlan(step.stepId, plan)}${merged.length ? ` ${describeMerge(merged)}` : ''} Requested by ${o.requestedBy}.`;
  const r = await o.gate.hook({ agent, event: 'pre', sessionId: o.sessionId, toolName: 'checkpoint_undo', toolUseId, action, deadlineMs: o.askTimeoutMs ?? 120_000, description });
  if (r.decision !== 'allow') return { ok: false, ...base, code: 'denied', undoStepId: r.stepId, message: `Airlock ${r.decision === 'ask' ? 'did not get an approval for' : 'denied'} the undo: ${r.reasons.join('; ')}; nothing was restored` };
  const t0 = Date.now();
  let res: RestoreResult;
  try {
    // The gate's own checkpoint of these files (taken just now) changed nothing on disk, so a
    // forced restore here only skips the checks already made above.
    res = await o.store.restore(step.checkpoint, { force: true, ...(merged.length ? { merged } : {}) });
  } catch (e) {
    res = { ok: false, code: 'failed', message: (e as Error)?.message ?? String(e) };
  }
  await o.gate.hook({ agent, event: 'post', sessionId: o.sessionId, toolName: 'checkpoint_undo', toolUseId, action, outcome: res.ok ? { exitCode: 0, durationMs: Date.now() - t0 } : { error: res.message.slice(0, 4000), durationMs: Date.now() - t0 }, deadlineMs: 10_000 });
  if (!res.ok) return { ok: false, ...base, code: 'failed', message: res.message, undoStepId: r.stepId };
  return { ok: true, ...base, restored: res.restored, deleted: res.deleted, verified: res.verified, undoStepId: r.stepId, ...(res.merged ? { merged: res.merged } : {}) };
}

/** "Merges 2 file(s) changed since the step, keeping those changes (1 with conflict markers to resolve: a.ts)." */
export function describeMerge(merged: readonly Pick<MergedFile, 'path' | 'conflicts'>[]): string {
  const marked = merged.filter((m) => m.conflicts > 0);
  return `Merges ${merged.length} file(s) changed since the step, keeping those changes${marked.length ? ` (${marked.length} with conflict markers to resolve: ${marked.slice(0, 8).map((m) => m.path).join(', ')})` : ' (clean)'}.`;
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
