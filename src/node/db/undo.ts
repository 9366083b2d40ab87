/**
 * Undo of an approved database write from its before-images (issue 6): the rows an UPDATE/DELETE
 * changed were saved in the effect store before it ran (linked to its ledger step and its
 * effect-store key); `undoStep` puts them back through the connection's `restore()`.
 *
 * - Gated like any write: the undo is judged as the statement it amounts to (an INSERT of the
 *   deleted rows, an UPDATE back to the old values), recorded as its own step in the ledger (tool
 *   `db_undo`, with the restore's outcome as its post step), and refused while killed or paused.
 * - Idempotent: the undo has its own effect-store key (over the image ids), so a second undo of the
 *   same step replays the first result and restores nothing twice.
 * - Fail closed: a truncated image, an unknown connection, or a row changed since the write
 *   (restore() refuses in one transaction) changes nothing and says why.
 */
import { randomUUID } from 'node:crypto';
import type { GATE_CALLERS } from '../../core/protocol/bridge';
import type { BeforeImage, DbConnection } from './types';
import type { EffectStore, StoredBeforeImage } from '../ledger/idempotency';
import type { GateLike } from '../../core/protocol/bridge';

export interface UndoOptions {
  store: EffectStore;
  gate: GateLike;
  /** The configured connection of that name (the undo never sees a URL). */
  connection(name: string): DbConnection | undefined;
  sessionId: string;
  agent?: (typeof GATE_CALLERS)[number];
  askTimeoutMs?: number;
  /** Who asked (shown with the approval and stored in the ledger step's description). */
  requestedBy: string;
}

export type UndoErrorCode = 'not_found' | 'truncated' | 'unknown_connection' | 'denied' | 'in_progress' | 'conflict' | 'db_error';

export type UndoResult =
  | { ok: true; target: string; connection: string; tables: string[]; rowsRestored: number; undoStepId: string; replayed: boolean }
  | { ok: false; code: UndoErrorCode; message: string; undoStepId?: string };

const q = (id: string): string => `"${id.replace(/"/g, '""')}"`;

/** The statement an undo amounts to, for the judge and the person (the restore itself binds the saved values). */
export function undoStatement(images: readonly BeforeImage[]): string {
  return images
    .map((img) => {
      const table = img.schema ? `${q(img.schema)}.${q(img.table)}` : q(img.table);
      const cols = img.columns ?? Object.keys(img.rows[0] ?? {});
      if (img.operation === 'update') {
        const keys = img.key.length ? img.key : ['rowid'];
        return `UPDATE ${table} SET ${cols.filter((c) => !keys.includes(c)).map((c) => `${q(c)} = ?`).join(', ') || `${q(cols[0] ?? keys[0]!)} = ?`} WHERE ${keys.map((k) => `${q(k)} = ?`).join(' AND ')}`;
      }
      return `INSERT INTO ${table} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
    })
    .join(';\n');
}

export function describeUndo(target: string, images: readonly StoredBeforeImage[]): string {
  const parts = images.map((i) => (i.operation === 'update' ? `put back the old values of ${i.rows.length} updated row(s) in ${i.table}` : `insert again ${i.rows.length} deleted row(s) into ${i.table}`));
  return `Airlock undo of step ${target} on connection ${images[0]?.connection ?? '?'}: ${parts.join('; ')} (before-images saved ${images[0]?.createdAt ?? '?'}).`;
}

export async function undoStep(target: string, o: UndoOptions): Promise<UndoResult> {
  const images = o.store.beforeImagesFor(target);
  if (images.length === 0) return { ok: false, code: 'not_found', message: `no before-images are saved for ${JSON.stringify(target)} (give the ledger step id of an approved db_execute, its effect key, or its idempotencyKey)` };
  const connections = new Set(images.map((i) => i.connection));
  const name = images[0]!.connection;
  const undoKey = `undo:${images.map((i) => i.id).join(',')}`;
  const claim = o.store.begin(undoKey, 'db_undo', { images: images.map((i) => i.id) });
  if (claim.kind === 'replay') return { ...(claim.result as Extract<UndoResult, { ok: true }>), replayed: true };
  if (claim.kind === 'in_progress') return { ok: false, code: 'in_progress', message: 'this undo is being carried out right now' };
  if (claim.kind !== 'claimed') return { ok: false, code: 'conflict', message: `this undo cannot run (${claim.kind})` };
  let done = false;
  try {
    if (connections.size !== 1) return { ok: false, code: 'conflict', message: `the images of ${target} span several connections (${[...connections].join(', ')}); nothing was restored` };
    const truncated = images.filter((i) => i.truncated);
    if (truncated.length) return { ok: false, code: 'truncated', message: `the before-image of ${truncated.map((i) => i.table).join(', ')} was not saved in full (more rows than the limit); this step cannot be undone by Airlock; nothing was restored` };
    const conn = o.connection(name);
    if (!conn) return { ok: false, code: 'unknown_connection', message: `no database connection named ${JSON.stringify(name)} is configured here; configure it (the same name) and undo again; nothing was restored` };
    const action = { kind: 'sql' as const, sql: undoStatement(images), dialect: conn.dialect, connection: name };
    const toolUseId = randomUUID();
    const agent = o.agent ?? 'airlock-mcp';
    const description = `${describeUndo(target, images)} Requested by ${o.requestedBy}.`;
    const r = await o.gate.hook({ agent, event: 'pre', sessionId: o.sessionId, toolName: 'db_undo', toolUseId, action, deadlineMs: o.askTimeoutMs ?? 120_000, description });
    if (r.decision !== 'allow') return { ok: false, code: 'denied', message: `Airlock ${r.decision === 'ask' ? 'did not get an approval for' : 'denied'} the undo: ${r.reasons.join('; ')}; nothing was restored`, undoStepId: r.stepId };
    const t0 = Date.now();
    let result: UndoResult;
    try {
      const { rowsRestored } = await conn.restore(images);
      result = { ok: true, target, connection: name, tables: [...new Set(images.map((i) => i.table))], rowsRestored, undoStepId: r.stepId, replayed: false };
      await o.gate.hook({ agent, event: 'post', sessionId: o.sessionId, toolName: 'db_undo', toolUseId, action, outcome: { exitCode: 0, durationMs: Date.now() - t0 }, deadlineMs: 5000 });
      o.store.complete(undoKey, result, 1);
      o.store.markUndone(images.map((i) => i.id), undoKey);
      done = true;
      return result;
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      await o.gate.hook({ agent, event: 'post', sessionId: o.sessionId, toolName: 'db_undo', toolUseId, action, outcome: { error: message.slice(0, 4000), durationMs: Date.now() - t0 }, deadlineMs: 5000 });
      const code = (e as { code?: unknown }).code;
      return { ok: false, code: code === 'restore_conflict' ? 'conflict' : 'db_error', message: `the undo was refused and nothing was restored: ${message}`, undoStepId: r.stepId };
    }
  } finally {
    // Nothing restored: forget the claim so the undo can be tried again (after the conflict is resolved).
    if (!done) o.store.release(undoKey);
  }
}
