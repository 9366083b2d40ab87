/**
 * The write side of a step row, kept small and fast (group commit writes tens of thousands a second):
 * - the columns in insert order, and one multi-row INSERT per chunk of CHUNK rows (positional
 *   parameters: no name lookups per value, one statement step per chunk);
 * - time-ordered step ids (UUID version 7: 48-bit milliseconds, a 12-bit counter, random bits), so
 *   each new id lands at the right edge of the primary-key index instead of at a random page.
 *   The id is still unique and still covered by the hash like every other column.
 */
import { randomUUID } from 'node:crypto';
import { sha256 } from '../../core/hash';
import { maskDeep, maskedCanonicalJson, maskSecrets } from '../../core/mask';
import { GENESIS_HASH } from '../../core/run/ledgerCheck';
import type { StepInput, StepRow } from './schema';

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

/**
 * A step made ready to write, off the write lock: masked, serialised, its id given, and the row JSON
 * of its chain hash written except for the two values only the write transaction knows (`seq`, read
 * from the run, and `prev_hash`, the chain head as committed). Plain data: it crosses to the writer
 * thread (ledgerWriter.ts) as it is.
 */
export interface PreparedStep {
  /** Every column but seq, prev_hash and hash. */
  row: Omit<StepRow, 'seq' | 'prev_hash' | 'hash'>;
  /** The hashed row JSON (chainHash's bytes) up to `"prev_hash":`, between it and `"seq":`, and after the seq. */
  head: string;
  middle: string;
  tail: string;
}

/** What the write transaction adds to a prepared step. */
export interface Written {
  seq: number;
  prev_hash: string;
  hash: string;
}

const cj = (v: unknown): string => (v === null || v === undefined ? 'null' : JSON.stringify(v));

/**
 * Mask, serialise and hash-prepare one step (pure but for the time-ordered id). The masking is the
 * slowest part of an append, so it runs before the write lock is taken (or on another thread than
 * the writer's). The hash parts are chainHash's row JSON, in sorted key order, cut around
 * `prev_hash` and `seq` (test/unit/ledgerWrite.spec.ts holds the assembled bytes to chainHash).
 */
export function prepareStep(s: StepInput): PreparedStep {
  const row: PreparedStep['row'] = {
    id: timeOrderedId(),
    run_id: s.runId,
    event: s.event,
    ref_seq: s.refSeq ?? null,
    agent: s.agent,
    session_id: s.sessionId,
    subagent_id: s.subagentId ?? null,
    tool: s.tool,
    tool_use_id: s.toolUseId ?? null,
    kind: s.kind ?? null,
    action_json: s.action === undefined ? null : maskedCanonicalJson(s.action),
    action_hash: s.actionHash ?? null,
    decision: s.decision,
    reversibility: s.reversibility,
    reasons_json: JSON.stringify(s.reasons.map(maskSecrets)),
    rules_json: JSON.stringify(s.rules),
    effects_json: s.effects.length ? JSON.stringify(maskDeep(s.effects)) : '[]',
    policy_hash: s.policyHash,
    description: s.description === undefined ? null : maskSecrets(s.description),
    started_at: s.startedAt,
    decided_at: s.decidedAt,
    duration_us: Math.round(s.durationUs),
    outcome_json: s.outcome === undefined ? null : maskedCanonicalJson(s.outcome),
    checkpoint: s.checkpoint ?? null,
  };
  const r = row;
  // `checkpoint` is hashed only when set (OPTIONAL_HASHED_FIELDS), in its sorted place after `agent`.
  const checkpoint = r.checkpoint === null ? '' : `"checkpoint":${cj(r.checkpoint)},`;
  return {
    row,
    head: `{"action_hash":${cj(r.action_hash)},"action_json":${cj(r.action_json)},"agent":${cj(r.agent)},${checkpoint}"decided_at":${cj(r.decided_at)},"decision":${cj(r.decision)},"description":${cj(r.description)},"duration_us":${cj(r.duration_us)},"effects_json":${cj(r.effects_json)},"event":${cj(r.event)},"id":${cj(r.id)},"kind":${cj(r.kind)},"outcome_json":${cj(r.outcome_json)},"policy_hash":${cj(r.policy_hash)},"prev_hash":`,
    middle: `,"reasons_json":${cj(r.reasons_json)},"ref_seq":${cj(r.ref_seq)},"reversibility":${cj(r.reversibility)},"rules_json":${cj(r.rules_json)},"run_id":${cj(r.run_id)},"seq":`,
    tail: `,"session_id":${cj(r.session_id)},"started_at":${cj(r.started_at)},"subagent_id":${cj(r.subagent_id)},"tool":${cj(r.tool)},"tool_use_id":${cj(r.tool_use_id)}}`,
  };
}

/** The statements a writer needs, prepared once per connection. */
export interface WriteStatements {
  getLast: { get(): unknown };
  getRunSeq: { get(runId: string): unknown };
  insertOne: { run(values: unknown[]): unknown };
  insertChunk: { run(values: unknown[]): unknown };
  bumpSeq: { run(seq: number, runId: string): unknown };
}

export function prepareWriteStatements(db: { prepare(sql: string): unknown }): WriteStatements {
  const p = (sql: string) => db.prepare(sql) as never;
  return {
    getLast: p('SELECT hash FROM steps ORDER BY rowid DESC LIMIT 1'),
    getRunSeq: p('SELECT last_seq FROM runs WHERE id = ?'),
    insertOne: p(insertSql(1)),
    insertChunk: p(insertSql(CHUNK)),
    bumpSeq: p('UPDATE runs SET last_seq = ? WHERE id = ?'),
  };
}

/**
 * Write prepared steps; call it INSIDE an immediate transaction. The chain head and each run's
 * sequence are read here, as committed (another writer, in this process or another, may have
 * appended), each run's sequence is written back once. Throws (the caller's transaction rolls back)
 * when a run does not exist or the database refuses a row.
 */
export function writePrepared(st: WriteStatements, prepared: readonly PreparedStep[]): Written[] {
  let prev = (st.getLast.get() as { hash: string } | undefined)?.hash ?? GENESIS_HASH;
  const seqs = new Map<string, number>();
  const out: Written[] = [];
  const values: unknown[] = [];
  let inChunk = 0;
  for (const p of prepared) {
    const r = p.row;
    let last = seqs.get(r.run_id);
    if (last === undefined) {
      const run = st.getRunSeq.get(r.run_id) as { last_seq: number } | undefined;
      if (!run) throw new Error(`no run ${r.run_id}`);
      last = run.last_seq;
    }
    const seq = last + 1;
    seqs.set(r.run_id, seq);
    const hash = sha256(`${prev}${p.head}"${prev}"${p.middle}${seq}${p.tail}`);
    values.push(r.id, r.run_id, seq, r.event, r.ref_seq, r.agent, r.session_id, r.subagent_id, r.tool, r.tool_use_id, r.kind, r.action_json, r.action_hash,
      r.decision, r.reversibility, r.reasons_json, r.rules_json, r.effects_json, r.policy_hash, r.description, r.started_at, r.decided_at, r.duration_us, r.outcome_json, prev, hash, r.checkpoint);
    out.push({ seq, prev_hash: prev, hash });
    prev = hash;
    // One statement per CHUNK rows, positional values; the rest one by one.
    if (++inChunk === CHUNK) {
      st.insertChunk.run(values);
      values.length = 0;
      inChunk = 0;
    }
  }
  for (let i = 0; i < inChunk; i++) st.insertOne.run(values.slice(i * STEP_COLUMNS.length, (i + 1) * STEP_COLUMNS.length));
  for (const [runId, seq] of seqs) st.bumpSeq.run(seq, runId);
  return out;
}

/** The full row of a prepared step once written. */
export function rowOf(p: PreparedStep, w: Written): StepRow {
  return { ...p.row, seq: w.seq, prev_hash: w.prev_hash, hash: w.hash };
}
