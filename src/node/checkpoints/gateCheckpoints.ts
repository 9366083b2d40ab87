/**
 * The gate's side of checkpoints: "make it reversible, then let it run".
 *
 * The gate judges with `canSnapshot: true` when it has a store. If the decision names snapshots
 * (targets of snapshotable effects) and is not a deny, the checkpoint is taken now, before any
 * answer: an allow is only ever given after the files are safe. If the checkpoint cannot be taken
 * (not snapshotable, git missing, timeout, disk full), the action is judged again as if Airlock
 * could not undo it, with the reason added: fail closed. A checkpoint whose step ends denied is
 * deleted; after an allowed step's outcome arrives, the after-state of the same paths is recorded
 * (an undo refuses to overwrite changes made since).
 */
import { isAbsolute } from 'node:path';
import type { Decision } from '../../core/judge';
import { isCheckpointId } from './model';
import type { CheckpointStore } from './store';

/** The rule an allowed step carries when a checkpoint was taken for it; the id is in the step's `checkpoint` field. */
export const CHECKPOINT_TAKEN = 'checkpoint.taken';

/** How version 1 ledgers carried the id: a rule `checkpoint:<id>` (read for those old rows only). */
const LEGACY_RULE = 'checkpoint:';

/** The checkpoint of an allowed step: its own field, else (a row recorded before schema 2) the legacy rule. */
export function checkpointOfStep(s: { decision: string; checkpoint?: string | null; rules: readonly string[] }): string | undefined {
  if (s.decision !== 'allow') return undefined;
  if (s.checkpoint) return isCheckpointId(s.checkpoint) ? s.checkpoint : undefined;
  const r = s.rules.find((x) => x.startsWith(LEGACY_RULE));
  const id = r?.slice(LEGACY_RULE.length);
  return id && isCheckpointId(id) ? id : undefined;
}

/**
 * The snapshots of a decision that are workspace files (absolute paths). A database write's
 * snapshot names its table: its before-images are taken by the database tool (src/node/db), never
 * as a file checkpoint (a relative name would otherwise resolve against the gate's working folder).
 */
export function fileSnapshots(d: Pick<Decision, 'snapshots'>): string[] {
  return d.snapshots.filter((p) => isAbsolute(p));
}

export class GateCheckpoints {
  /** run + tool use -> checkpoint, until the step's outcome arrives. */
  private readonly open = new Map<string, string>();

  constructor(
    readonly store: CheckpointStore,
    private readonly log: (line: string) => void,
  ) {}

  /** Take the checkpoint the decision needs, or judge again without one. */
  async before(d: Decision, withoutSnapshot: () => Decision, roots: readonly string[], deadlineMs: number, label: string): Promise<{ d: Decision; checkpoint?: string }> {
    const files = fileSnapshots(d);
    if (!files.length || d.decision === 'deny') return { d };
    const timeoutMs = Math.max(500, Math.min(this.store.settings.timeoutMs, Math.floor(deadlineMs / 2)));
    const r = await this.store.take(files, roots, { label, timeoutMs });
    if (r.ok) {
      this.log(`checkpoint ${r.id}: ${r.files} file(s), ${r.bytes} bytes in ${r.ms} ms (${label.slice(0, 80)})`);
      return { d, checkpoint: r.id };
    }
    this.log(`no checkpoint (${r.code}): ${r.reason}`);
    const again = withoutSnapshot();
    const why = `Airlock could not take a checkpoint, so this cannot be undone by Airlock: ${r.reason}`;
    return { d: { ...again, reasons: again.decision === 'allow' ? again.reasons : [...again.reasons, why], rules: [...again.rules, `checkpoint.failed.${r.code}`] } };
  }

  /** The step was recorded with this decision. */
  settle(key: string, checkpoint: string, decision: string): void {
    if (decision === 'allow') {
      this.open.set(key, checkpoint);
      if (this.open.size > 10_000) this.open.delete(this.open.keys().next().value!);
    } else void this.store.delete(checkpoint);
  }

  /** The step's outcome arrived: record the after-state of its paths. */
  async after(key: string): Promise<void> {
    const id = this.open.get(key);
    if (!id) return;
    this.open.delete(key);
    if (!(await this.store.recordAfter(id))) this.log(`checkpoint ${id}: the state after the step could not be recorded (an undo will ask for force)`);
  }
}
