/**
 * The write side of a step row, kept small and fast (group commit writes tens of thousands a second):
 * - the columns in insert order, and one multi-row INSERT per chunk of CHUNK rows (positional
 *   parameters: no name lookups per value, one statement step per chunk);
 * - time-ordered step ids (UUID version 7: 48-bit milliseconds, a 12-bit counter, random bits), so
 *   each new id lands at the right edge of the primary-key index instead of at a random page.
 *   The id is still unique and still covered by the hash like every other column.
 */
import { randomUUID } from 'node:crypto';
import type { StepRow } from './schema';

/** Every steps column, in the order the INSERT binds them. */
export const STEP_COLUMNS = [
  'id', 'run_id', 'seq', 'event', 'ref_seq', 'agent', 'session_id', 'subagent_id', 'tool', 'tool_use_id', 'kind', 'action_json', 'action_hash',
  'decision', 'reversibility', 'reasons_json', 'rules_json', 'effects_json', 'policy_hash', 'description', 'started_at', 'decided_at', 'duration_us', 'outcome_json', 'prev_hash', 'hash', 'checkpoint',
] as const satisfies ReadonlyArray<keyof StepRow>;

/** Rows per multi-row INSERT (27 × 32 = 864 parameters, far below SQLite's limit of 32766). */
export const CHUNK = 32;

/** INSERT of `rows` step rows at once. */
export function insertSql(rows: number): string {
  const one = `(${STEP_COLUMNS.map(() => '?').join(',')})`;
  return `INSERT INTO steps (${STEP_COLUMNS.join(', ')}) VALUES ${Array.from({ length: rows }, () => one).join(',')}`;
}

/** Append a row's values to `out` in STEP_COLUMNS order. */
export function pushValues(out: unknown[], r: StepRow): void {
  out.push(r.id, r.run_id, r.seq, r.event, r.ref_seq, r.agent, r.session_id, r.subagent_id, r.tool, r.tool_use_id, r.kind, r.action_json, r.action_hash,
    r.decision, r.reversibility, r.reasons_json, r.rules_json, r.effects_json, r.policy_hash, r.description, r.started_at, r.decided_at, r.duration_us, r.outcome_json, r.prev_hash, r.hash, r.checkpoint);
}

let lastMs = 0;
let counter = 0;

/**
 * A UUID version 7: increasing within this process (a counter orders ids of the same millisecond; when
 * it runs out the clock is borrowed from, so ids never go backwards), random in its last 62 bits.
 */
export function timeOrderedId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = 0;
  }
  const ts = lastMs.toString(16).padStart(12, '0');
  // randomUUID() is v4: its last 17 characters are the variant nibble and 60 random bits.
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${counter.toString(16).padStart(3, '0')}-${randomUUID().slice(19)}`;
}
