/**
 * The write side of a step row, kept small and fast (group commit writes tens of thousands a second):
 * - the columns in insert order, and one multi-row INSERT per chunk of CHUNK rows (positional
 *   parameters: no name lookups per value, one statement step per chunk);
 * - time-ordered step ids (UUID version 7: 48-bit milliseconds, a 12-bit counter, random bits), so
 *   each new id lands at the right edge of the primary-key index instead of at a random page.
 *   The id is still unique and still covered by the hash like every other column.
 */
import { randomFillSync } from 'node:crypto';
import { sha256Bytes } from '../../core/hash';
import { maskDeep, maskedCanonicalJson, maskSecrets } from '../../core/mask';
import { GENESIS_HASH, V3_PREFIX, v3Value } from '../../core/run/ledgerCheck';
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
const HEX = '0123456789abcdef';
/** The id under construction, written digit by digit and read once as one string (no pieces to join). */
const ID = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1');
/** Random bytes for ids, drawn 8 at a time (one call into the generator per 512 ids). */
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;

/** Write `n` hex digits of `value` (n ≤ 6, so value < 2^24) into ID ending before `end`. */
function hexInto(value: number, end: number, n: number): void {
  for (let i = 1; i <= n; i++) {
    ID[end - i] = HEX.charCodeAt(value & 0xf);
    value >>>= 4;
  }
}

/**
 * A UUID version 7: increasing within this process (a counter orders ids of the same millisecond; when
 * it runs out the clock is borrowed from, so ids never go backwards), random in its last 62 bits
 * (from the system's secure generator, node:crypto's randomFillSync).
 */
export function timeOrderedId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = 0;
  }
  // 48 bits of milliseconds: the high 24 in digits 0-5, the low 24 in digits 6-7 and 9-12.
  const hi = Math.floor(lastMs / 0x1000000);
  const lo = lastMs % 0x1000000;
  hexInto(hi, 6, 6);
  hexInto(lo >>> 16, 8, 2);
  hexInto(lo & 0xffff, 13, 4);
  hexInto(counter, 18, 3);
  if (poolAt + 8 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const r = POOL;
  const a = poolAt;
  poolAt += 8;
  // The variant (binary 10) with 2 random bits, then 12 and 48 more: 62 of the 64 bits drawn.
  ID[19] = HEX.charCodeAt(8 | (r[a]! & 0x3));
  hexInto((r[a + 1]! << 4) | (r[a + 2]! >>> 4), 23, 3);
  hexInto((r[a + 3]! << 16) | (r[a + 4]! << 8) | r[a + 5]!, 30, 6);
  hexInto((r[a + 6]! << 16) | (r[a + 7]! << 8) | ((r[a + 2]! & 0xf) << 4) | ((r[a]! >>> 2) & 0xf), 36, 6);
  return ID.toString('latin1', 0, 36);
}

/** The columns a prepared step carries, in this order: every steps column but seq, prev_hash and hash. */
export const PREPARED_COLUMNS = [
  'id', 'run_id', 'event', 'ref_seq', 'agent', 'session_id', 'subagent_id', 'tool', 'tool_use_id', 'kind', 'action_json', 'action_hash',
  'decision', 'reversibility', 'reasons_json', 'rules_json', 'effects_json', 'policy_hash', 'description', 'started_at', 'decided_at', 'duration_us', 'outcome_json', 'checkpoint',
] as const satisfies ReadonlyArray<keyof StepRow>;

/**
 * A step made ready to write, off the write lock: masked, serialised, its id given. Only the values
 * the write transaction knows are missing (`seq`, read from the run; `prev_hash`, the chain head as
 * committed; the hash over them). Plain data: the PREPARED_COLUMNS values in that order, an array,
 * which crosses to the writer thread (ledgerWriter.ts) by structured clone at about half the cost of
 * an object with named fields.
 */
export type PreparedStep = Array<string | number | null>;

/** What the write transaction adds to a prepared step. */
export interface Written {
  seq: number;
  prev_hash: string;
  hash: string;
  /** Its place in the batch's commit order (0 = first written): rows of one run are written together. */
  at: number;
}

/**
 * What the write transaction adds to a batch, compact (it crosses back from the writer thread; the
 * ArrayBuffers are transferred, not copied): per prepared step (in the batch's order) its `seq` and
 * its place `at` in commit order; the hashes as 32-byte digests in commit order, after the chain
 * head the batch started from (so row k's prev_hash is digest k and its hash digest k + 1).
 */
export interface WrittenBatch {
  seq: Int32Array;
  at: Int32Array;
  /** (n + 1) × 32 bytes: the head before the batch, then each row's hash in commit order. */
  hashes: Uint8Array;
}

/** Each step's Written, in the batch's order (hex hashes, computed once per digest). */
export function writtenOf(b: WrittenBatch): Written[] {
  const n = b.seq.length;
  const buf = Buffer.from(b.hashes.buffer, b.hashes.byteOffset, b.hashes.byteLength);
  const hex = new Array<string>(n + 1);
  for (let k = 0; k <= n; k++) hex[k] = buf.toString('hex', k * 32, k * 32 + 32);
  const out = new Array<Written>(n);
  for (let i = 0; i < n; i++) {
    const at = b.at[i]!;
    out[i] = { seq: b.seq[i]!, prev_hash: hex[at]!, hash: hex[at + 1]!, at };
  }
  return out;
}

/** `items` (one per prepared step, in the batch's order) in the order they were committed. */
export function inCommitOrder<T>(items: readonly T[], written: readonly Written[]): T[] {
  const out = new Array<T>(items.length);
  items.forEach((x, i) => (out[written[i]!.at] = x));
  return out;
}

/**
 * The order a batch is written in: its runs in order of first appearance, each run's steps in the
 * order appended. The (run_id, seq) index then takes each run's rows at one place in a row, instead
 * of jumping between runs' pages for every row (about 2.5 µs a row with 8 runs interleaved). Steps
 * of different runs in one transaction have no order between them that anything relies on; each
 * run's own order (its seq) is kept.
 */
function byRun(prepared: readonly PreparedStep[]): number[] {
  const idx = prepared.map((_, i) => i);
  const first = new Map<unknown, number>();
  prepared.forEach((v, i) => {
    if (!first.has(v[1])) first.set(v[1], i);
  });
  if (first.size < 2) return idx;
  return idx.sort((a, b) => first.get(prepared[a]![1])! - first.get(prepared[b]![1])! || a - b);
}

/**
 * Mask and serialise one step (pure but for the time-ordered id). The masking is the slowest part of
 * an append, so it runs before the write lock is taken, on the gate's thread while the writer
 * thread commits the batch before.
 */
export function prepareStep(s: StepInput): PreparedStep {
  return [timeOrderedId(), s.runId, s.event, s.refSeq ?? null, s.agent, s.sessionId, s.subagentId ?? null, s.tool, s.toolUseId ?? null, s.kind ?? null,
    s.action === undefined ? null : maskedCanonicalJson(s.action), s.actionHash ?? null, s.decision, s.reversibility, JSON.stringify(s.reasons.map(maskSecrets)),
    JSON.stringify(s.rules), s.effects.length ? JSON.stringify(maskDeep(s.effects)) : '[]', s.policyHash, s.description === undefined ? null : maskSecrets(s.description),
    s.startedAt, s.decidedAt, Math.round(s.durationUs), s.outcome === undefined ? null : maskedCanonicalJson(s.outcome), s.checkpoint ?? null];
}

/** v3Value, read once (not through the module binding on every value). */
const f3 = v3Value;
/** `<length>:` (format 3's text tag, v3Value) for the lengths most values have, each made once, when first needed. */
const LENGTH_TAGS = new Array<string | undefined>(4096);
/** The hash input's pieces, reused: prefix, prev, then two per prepared value (its tag, then the text or ''), seq after run_id. */
const PIECES: string[] = new Array<string>(4 + 2 * 24).fill('');

/**
 * What the chain hashes for a prepared step written after `prev` (hex) with sequence `seq`: format 3
 * (core/run/ledgerCheck.ts v3HashInput over HASHED_FIELDS_V3): the prefix, prev in hex, then each
 * stored value length-prefixed (v3Value). Built as one join of the pieces, so the text is copied once
 * into one flat string (no intermediate strings); test/unit/ledgerRowJson.spec.ts holds it to
 * chainHashV3 of the row as read back. Nothing is escaped or serialised again.
 */
export function hashInput(v: PreparedStep, prev: string, seq: number): string {
  const p = PIECES;
  p[0] = V3_PREFIX;
  p[1] = prev;
  piece(p, 2, v[0]);
  piece(p, 4, v[1]);
  p[6] = `#${seq};`;
  p[7] = '';
  for (let i = 2; i < 24; i++) piece(p, 2 * i + 4, v[i]);
  return p.join('');
}

/** The two pieces of one value at p[at], p[at + 1]: what v3Value gives, with text not copied. */
function piece(p: string[], at: number, x: unknown): void {
  if (typeof x === 'string') {
    const n = x.length;
    p[at] = n < LENGTH_TAGS.length ? (LENGTH_TAGS[n] ??= `${n}:`) : `${n}:`;
    p[at + 1] = x;
  } else {
    p[at] = f3(x);
    p[at + 1] = '';
  }
}

/** How every connection that writes the ledger is set up (the gate's own and the writer thread's). */
export function writerPragmas(db: { pragma(source: string): unknown }, durability: 'process' | 'power'): void {
  db.pragma('journal_mode = WAL');
  db.pragma(durability === 'power' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Two connections of this process write it (the gate's, its writer thread's), others may: a writer
  // waits up to 5 s for the lock, whichever SQLite driver opened it (node:sqlite has no default wait).
  db.pragma('busy_timeout = 5000');
  // Speed only, never durability: a larger page cache (8 MiB) keeps the index pages that every
  // append touches in memory, and the WAL is folded into the database every 8192 pages (32 MiB)
  // instead of 1000, so each checkpoint (and its fsync) covers more appends and writes the pages
  // that every commit rewrites (index interior pages, the last leaf) once instead of eight times.
  db.pragma('cache_size = -8192');
  db.pragma('wal_autocheckpoint = 8192');
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
 * The chain head as stored (a blob since schema 3, hex text before), as 32 bytes; the genesis when
 * empty. A head that is no SHA-256 (the last row was tampered with) is not refused: the gate keeps
 * recording, chained to a digest of what is there, and verification reports both the edited row and
 * that the next one does not follow it.
 */
function headBytes(h: unknown): Buffer {
  if (h === undefined || h === null) return Buffer.from(GENESIS_HASH, 'hex');
  const b = h instanceof Uint8Array ? Buffer.from(h.buffer, h.byteOffset, h.byteLength) : typeof h === 'string' && /^[0-9a-f]{64}$/.test(h) ? Buffer.from(h, 'hex') : undefined;
  if (b && b.length === 32) return b;
  return Buffer.from(sha256Bytes(`airlock-invalid-head\n${b ? b.toString('hex') : String(h)}`));
}

/**
 * Write prepared steps; call it INSIDE an immediate transaction. The chain head and each run's
 * sequence are read here, as committed (another writer, in this process or another, may have
 * appended), each run's sequence is written back once. Rows are written in hash format 3: `hash`
 * and `prev_hash` as 32-byte blobs. Throws (the caller's transaction rolls back) when a run does
 * not exist or the database refuses a row.
 */
export function writePrepared(st: WriteStatements, prepared: readonly PreparedStep[]): WrittenBatch {
  const n = prepared.length;
  // A Buffer over its own ArrayBuffer (never the shared pool): the rows bind views of it as blobs,
  // and the writer thread transfers the buffer back whole.
  const hashes = Buffer.from(new ArrayBuffer((n + 1) * 32));
  const head = headBytes((st.getLast.get() as { hash: unknown } | undefined)?.hash);
  hashes.set(head, 0);
  let prev = hashes.subarray(0, 32);
  let prevHex = head.toString('hex');
  const seqs = new Map<string, number>();
  const seqOut = new Int32Array(n);
  const atOut = new Int32Array(n);
  const values: unknown[] = [];
  let inChunk = 0;
  let at = 0;
  for (const k of byRun(prepared)) {
    const v = prepared[k]!;
    const runId = v[1] as string;
    let last = seqs.get(runId);
    if (last === undefined) {
      const run = st.getRunSeq.get(runId) as { last_seq: number } | undefined;
      if (!run) throw new Error(`no run ${runId}`);
      last = run.last_seq;
    }
    const seq = last + 1;
    seqs.set(runId, seq);
    const digest = sha256Bytes(hashInput(v, prevHex, seq));
    const hash = hashes.subarray((at + 1) * 32, (at + 2) * 32);
    hash.set(digest);
    // STEP_COLUMNS order: the prepared values with seq after run_id, prev_hash and hash before checkpoint.
    values.push(v[0], runId, seq, v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17], v[18], v[19], v[20], v[21], v[22], prev, hash, v[23]);
    seqOut[k] = seq;
    atOut[k] = at++;
    prev = hash;
    prevHex = hash.toString('hex');
    // One statement per CHUNK rows, positional values; the rest one by one.
    if (++inChunk === CHUNK) {
      st.insertChunk.run(values);
      values.length = 0;
      inChunk = 0;
    }
  }
  for (let i = 0; i < inChunk; i++) st.insertOne.run(values.slice(i * STEP_COLUMNS.length, (i + 1) * STEP_COLUMNS.length));
  for (const [runId, seq] of seqs) st.bumpSeq.run(seq, runId);
  return { seq: seqOut, at: atOut, hashes };
}

/** The full row of a prepared step once written. */
export function rowOf(p: PreparedStep, w: Pick<Written, 'seq' | 'prev_hash' | 'hash'>): StepRow {
  const v = p as unknown as [string, string, string, number | null, string, string, string | null, string, string | null, string | null, string | null, string | null, string, string, string, string, string, string, string | null, string, string, number, string | null, string | null];
  return {
    id: v[0], run_id: v[1], seq: w.seq, event: v[2], ref_seq: v[3], agent: v[4], session_id: v[5], subagent_id: v[6], tool: v[7], tool_use_id: v[8], kind: v[9], action_json: v[10], action_hash: v[11],
    decision: v[12], reversibility: v[13], reasons_json: v[14], rules_json: v[15], effects_json: v[16], policy_hash: v[17], description: v[18], started_at: v[19], decided_at: v[20], duration_us: v[21], outcome_json: v[22],
    prev_hash: w.prev_hash, hash: w.hash, checkpoint: v[23], hash_format: 3,
  };
}
