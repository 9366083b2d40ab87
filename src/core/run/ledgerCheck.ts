/**
 * Integrity of the run ledger, as pure functions over what the ledger holds (the SQLite reading is
 * in src/node/ledger/ledger.ts): the hash chain, per-run sequences, and the anchor kept outside the
 * database file.
 *
 * - Chain: each step's `hash` covers prev_hash and the row's fields, and its `prev_hash` is the hash
 *   of the step written before it (any run). An edited row fails its own content hash; a deleted or
 *   reordered row fails the next row's prev_hash. Two formats, one chain: rows written before ledger
 *   schema 3 store both hashes as 64-hex text and hash the canonical JSON of their fields
 *   (`chainHash`, format 2); rows written since store them as 32-byte blobs and hash the stored
 *   values themselves, length-prefixed (`chainHashV3`, format 3). A row's format is the storage of
 *   its hashes, and the ledger reads both hashes as hex whatever their storage.
 * - Sequences: a run's steps are numbered 1..n with no gap, and `runs.last_seq` is n.
 * - Anchor: a small file next to Airlock's other state (not in the database) holding the ledger's
 *   id, the step count and the head hash after every append. It catches what the chain alone
 *   cannot: the database deleted, replaced by another one, truncated at the end, or re-chained.
 *   The database may be a few steps AHEAD of the anchor (a crash between commit and anchor write);
 *   it may never be behind it, and the anchored head must still be at the anchored position.
 */
import { canonicalJson, sha256 } from '../hash';

export const GENESIS_HASH = '0'.repeat(64);

/** The step columns covered by the hash (columns added later are not, so old rows stay valid). */
export const HASHED_FIELDS = [
  'id', 'run_id', 'seq', 'event', 'ref_seq', 'agent', 'session_id', 'subagent_id', 'tool', 'tool_use_id', 'kind', 'action_json', 'action_hash',
  'decision', 'reversibility', 'reasons_json', 'rules_json', 'effects_json', 'policy_hash', 'description', 'started_at', 'decided_at', 'duration_us', 'outcome_json', 'prev_hash',
] as const;

/**
 * Step columns added later that the hash covers only when set: a row written before the column
 * existed (NULL there) keeps its hash. `checkpoint`: the workspace checkpoint taken for the step.
 */
export const OPTIONAL_HASHED_FIELDS = ['checkpoint'] as const;

/**
 * A row as the walker reads it: `hash` and `prev_hash` as hex whatever their storage, `hash_format`
 * the row's format (3: both stored as blobs; 2: both as text; 0: one of each, which the ledger never
 * writes). Rows without `hash_format` are format 2.
 */
export type ChainRow = { id: string; run_id: string; seq: number; prev_hash: string; hash: string; hash_format?: number } & Record<string, unknown>;

/** One value of a step column as canonical JSON (columns are strings, numbers or null). */
const cj = (v: unknown): string => (v === null || v === undefined ? 'null' : typeof v === 'object' ? canonicalJson(v) : JSON.stringify(v));

/**
 * canonicalJson of the hashed fields of a row (missing ones as null), without building an object:
 * the same bytes as canonicalJson(picked), written directly in sorted key order (one template, no
 * per-field array or key lookup by name: this runs for every append and every row the check walks).
 * test/unit/ledgerRowJson.spec.ts holds it to canonicalJson for random rows.
 */
export function hashedRowJson(r: Record<string, unknown>): string {
  return `{"action_hash":${cj(r.action_hash)},"action_json":${cj(r.action_json)},"agent":${cj(r.agent)},"decided_at":${cj(r.decided_at)},"decision":${cj(r.decision)},"description":${cj(r.description)},"duration_us":${cj(r.duration_us)},"effects_json":${cj(r.effects_json)},"event":${cj(r.event)},"id":${cj(r.id)},"kind":${cj(r.kind)},"outcome_json":${cj(r.outcome_json)},"policy_hash":${cj(r.policy_hash)},"prev_hash":${cj(r.prev_hash)},"reasons_json":${cj(r.reasons_json)},"ref_seq":${cj(r.ref_seq)},"reversibility":${cj(r.reversibility)},"rules_json":${cj(r.rules_json)},"run_id":${cj(r.run_id)},"seq":${cj(r.seq)},"session_id":${cj(r.session_id)},"started_at":${cj(r.started_at)},"subagent_id":${cj(r.subagent_id)},"tool":${cj(r.tool)},"tool_use_id":${cj(r.tool_use_id)}}`;
}

/**
 * The fields a format 3 hash covers, in this order: every steps column but `prev_hash` (hashed first)
 * and `hash`. A column added later would be appended here with a new format.
 */
export const HASHED_FIELDS_V3 = [
  'id', 'run_id', 'seq', 'event', 'ref_seq', 'agent', 'session_id', 'subagent_id', 'tool', 'tool_use_id', 'kind', 'action_json', 'action_hash',
  'decision', 'reversibility', 'reasons_json', 'rules_json', 'effects_json', 'policy_hash', 'description', 'started_at', 'decided_at', 'duration_us', 'outcome_json', 'checkpoint',
] as const;

/** What a format 3 hash input starts with, before the previous hash in hex. */
export const V3_PREFIX = 'airlock-step-3\n';

/**
 * One stored value in a format 3 hash input: text as `<length>:<text>` (length in UTF-16 code units,
 * JavaScript's string length), an integer as `#<decimal>;`, null as `-`. Each is self-delimiting, so
 * the concatenation is unambiguous and no value is escaped or re-serialised. A value of any other
 * storage (a blob where text belongs) gets its own tag and never matches what the ledger hashed.
 */
export function v3Value(v: unknown): string {
  if (typeof v === 'string') return `${v.length}:${v}`;
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number' || typeof v === 'bigint') return `#${v};`;
  const t = v instanceof Uint8Array ? Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('') : String(v);
  return `?${t.length}:${t}`;
}

/** The format 3 hash input of a row (prev_hash in hex). */
export function v3HashInput(r: Record<string, unknown>): string {
  let s = V3_PREFIX + String(r.prev_hash);
  for (const f of HASHED_FIELDS_V3) s += v3Value(r[f]);
  return s;
}

/** The format 3 hash of a row, in hex. */
export function chainHashV3(row: Record<string, unknown>): string {
  return sha256(v3HashInput(row));
}

/** The format 2 hash of a row (rows written before ledger schema 3), in hex. */
export function chainHash(row: Record<string, unknown>): string {
  // The fast path writes the always-hashed fields directly; a row with an optional field set (a
  // checkpoint) goes through canonicalJson, which places it in sorted order (the same bytes either way).
  if (OPTIONAL_HASHED_FIELDS.every((f) => row[f] === null || row[f] === undefined)) return sha256(String(row.prev_hash) + hashedRowJson(row));
  const picked: Record<string, unknown> = {};
  for (const f of HASHED_FIELDS) picked[f] = row[f] ?? null;
  for (const f of OPTIONAL_HASHED_FIELDS) if (row[f] !== null && row[f] !== undefined) picked[f] = row[f];
  return sha256(String(row.prev_hash) + canonicalJson(picked));
}

export type ProblemKind =
  | 'chain.prev-hash' // a row does not follow the one before it: a row was deleted, inserted or reordered
  | 'chain.content' // a row's content does not match its own hash: the row was edited
  | 'seq.gap' // a run's sequence numbers are not 1..n
  | 'seq.last-seq' // runs.last_seq disagrees with the run's steps
  | 'seq.orphan' // steps whose run row is gone
  | 'ledger.missing' // the database file was gone at start though its anchor recorded steps
  | 'ledger.replaced' // a different database sits where the anchored one was
  | 'ledger.truncated' // fewer steps than the anchor recorded
  | 'ledger.rewritten' // the anchored head is gone or moved: history was rewritten and re-chained
  | 'anchor.unreadable'; // the anchor file exists but cannot be read

export interface IntegrityProblem {
  kind: ProblemKind;
  message: string;
  rowId?: string;
  runId?: string;
  seq?: number;
  /** 1-based position in write order (rowid order). */
  position?: number;
}

/** Walks rows in write order; remembers the first break. */
export class ChainWalker {
  private prev = GENESIS_HASH;
  private n = 0;
  /** A format 3 row was seen: every later row must be format 3 (schema 3 writes nothing else). */
  private v3 = false;
  first: IntegrityProblem | undefined;

  push(r: ChainRow): void {
    this.n += 1;
    if (this.first) return;
    const at = `step ${r.id} (run ${r.run_id}, seq ${r.seq}, position ${this.n})`;
    if (r.prev_hash !== this.prev) {
      this.first = {
        kind: 'chain.prev-hash',
        message: `${at}: prev_hash ${short(r.prev_hash)} does not match the hash of the step before it (${short(this.prev)}): a step before it was deleted, inserted or reordered`,
        rowId: r.id, runId: r.run_id, seq: r.seq, position: this.n,
      };
      return;
    }
    const format = r.hash_format ?? 2;
    if (format === 0 || (format === 2 && this.v3)) {
      const why = format === 0 ? 'its hash and prev_hash are stored in different forms' : 'it is hashed the old way (format 2) after steps of the new one (format 3)';
      this.first = { kind: 'chain.content', message: `${at}: ${why}, which the ledger never writes: the step was edited or inserted after it was written`, rowId: r.id, runId: r.run_id, seq: r.seq, position: this.n };
      return;
    }
    if (format === 3) this.v3 = true;
    const h = format === 3 ? chainHashV3(r) : chainHash(r);
    if (h !== r.hash) {
      this.first = { kind: 'chain.content', message: `${at}: content does not match its hash (stored ${short(r.hash)}, computed ${short(h)}): the step was edited after it was written`, rowId: r.id, runId: r.run_id, seq: r.seq, position: this.n };
      return;
    }
    this.prev = r.hash;
  }

  get count(): number {
    return this.n;
  }
}

const short = (h: string): string => (h.length > 12 ? `${h.slice(0, 12)}…` : h);

export interface RunSeqStats {
  runId: string;
  lastSeq: number | null; // null: no run row (orphan steps)
  steps: number;
  minSeq: number | null;
  maxSeq: number | null;
  distinct: number;
}

export function sequenceProblems(stats: readonly RunSeqStats[]): IntegrityProblem[] {
  const out: IntegrityProblem[] = [];
  for (const s of stats) {
    if (s.lastSeq === null) {
      out.push({ kind: 'seq.orphan', message: `run ${s.runId}: ${s.steps} step(s) but no run row (the run was deleted)`, runId: s.runId });
      continue;
    }
    if (s.steps > 0 && (s.minSeq !== 1 || s.maxSeq !== s.steps || s.distinct !== s.steps)) {
      out.push({ kind: 'seq.gap', message: `run ${s.runId}: ${s.steps} step(s) numbered ${s.minSeq}..${s.maxSeq}: ${Math.max(0, (s.maxSeq ?? 0) - s.steps)} missing`, runId: s.runId });
    }
    const max = s.maxSeq ?? 0;
    if (s.lastSeq !== max) {
      out.push({ kind: 'seq.last-seq', message: `run ${s.runId}: last_seq is ${s.lastSeq} but its last step is ${max}${s.lastSeq > max ? ' (steps at the end of the run were deleted)' : ''}`, runId: s.runId });
    }
  }
  return out;
}

export interface Anchor {
  version: 1;
  ledger: string;
  ledgerId: string;
  steps: number;
  headId: string | null;
  headHash: string;
  updatedAt: string;
}

/** Problems found at an earlier start that the database cannot show again (it was deleted or replaced), kept next to the anchor until a person accepts them. */
export type Incident = { at: string; kind: ProblemKind; message: string };

export interface LedgerObservation {
  /** Did the database file exist before this open? */
  existed: boolean;
  ledgerId: string;
  steps: number;
  /** The anchored head row as found now: its hash and 1-based position, or undefined when gone. */
  anchoredHead?: { hash: string; position: number };
}

export type AnchorStatus = 'none' | 'matched' | 'ahead' | 'mismatch';

/** Compare the anchor with the database as found. */
export function compareAnchor(a: Anchor, o: LedgerObservation): { status: AnchorStatus; problems: IntegrityProblem[]; ahead: number } {
  const when = `anchored ${a.updatedAt}`;
  if (!o.existed && a.steps > 0) {
    return { status: 'mismatch', ahead: 0, problems: [{ kind: 'ledger.missing', message: `the ledger database was missing at start, but its anchor (${when}) records ${a.steps} step(s) ending in ${short(a.headHash)}: the run history was deleted` }] };
  }
  if (a.ledgerId !== o.ledgerId) {
    if (a.steps === 0 && !o.existed) return { status: 'none', ahead: 0, problems: [] };
    return { status: 'mismatch', ahead: 0, problems: [{ kind: 'ledger.replaced', message: `the ledger database is not the anchored one (id ${a.ledgerId.slice(0, 8)}, ${a.steps} step(s), ${when}; found id ${o.ledgerId.slice(0, 8)} with ${o.steps} step(s)): it was replaced` }] };
  }
  if (o.steps < a.steps) {
    return { status: 'mismatch', ahead: 0, problems: [{ kind: 'ledger.truncated', message: `the ledger holds ${o.steps} step(s) but its anchor (${when}) records ${a.steps}: ${a.steps - o.steps} step(s) were deleted` }] };
  }
  if (a.steps > 0) {
    if (!o.anchoredHead || o.anchoredHead.hash !== a.headHash) {
      return { status: 'mismatch', ahead: 0, problems: [{ kind: 'ledger.rewritten', message: `the anchored head step ${a.headId ?? '?'} (${short(a.headHash)}, ${when}) is ${o.anchoredHead ? `now ${short(o.anchoredHead.hash)}` : 'gone'}: history was rewritten` }] };
    }
    if (o.anchoredHead.position !== a.steps) {
      return { status: 'mismatch', ahead: 0, problems: [{ kind: 'ledger.rewritten', message: `the anchored head step ${a.headId ?? '?'} is at position ${o.anchoredHead.position}, the anchor (${when}) says ${a.steps}: steps before it were deleted or inserted` }] };
    }
  }
  const ahead = o.steps - a.steps;
  return { status: ahead > 0 ? 'ahead' : 'matched', ahead, problems: [] };
}

export const PERSISTENT_KINDS: ReadonlySet<ProblemKind> = new Set(['ledger.missing', 'ledger.replaced', 'ledger.truncated', 'ledger.rewritten', 'anchor.unreadable']);

export interface LedgerIntegrity {
  /** True only when nothing is wrong now and no earlier incident waits to be accepted. */
  ok: boolean;
  checkedAt: string;
  steps: number;
  runs: number;
  head: string;
  /** Whether the full chain was walked (false when the ledger was opened without checks). */
  walked: boolean;
  anchor: { path: string | null; status: AnchorStatus; ahead: number };
  problems: IntegrityProblem[];
  incidents: Incident[];
}

/** One line per problem, loud first line: for the CLI, the log and the editor. */
export function describeIntegrity(i: LedgerIntegrity): string[] {
  if (i.ok) return [`ledger intact: ${i.steps} step(s) in ${i.runs} run(s), chain ${i.walked ? 'verified' : 'not walked'}, anchor ${i.anchor.status}${i.anchor.ahead ? ` (${i.anchor.ahead} step(s) after the anchor)` : ''}`];
  const lines = [`LEDGER INTEGRITY BROKEN: ${i.problems.length} problem(s) now, ${i.incidents.length} earlier incident(s)`];
  for (const p of i.problems) lines.push(`  ${p.kind}: ${p.message}`);
  for (const x of i.incidents) lines.push(`  earlier (${x.at}) ${x.kind}: ${x.message}`);
  return lines;
}
