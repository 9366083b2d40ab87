/**
 * The ledger's tables and row shapes, and the hash of a step row (the hash chain).
 * Schema changes are additive; LEDGER_SCHEMA_VERSION is recorded in `schema_version`, and an older
 * ledger is migrated when a writer opens it (`migrateLedger`); a version this Airlock does not know
 * is refused (fail closed).
 *
 * Versions: 1, the first; 2 adds `steps.checkpoint` (the workspace checkpoint taken before the step;
 * version 1 ledgers carried it as a rule `checkpoint:<id>`, still read for their old rows: rows are
 * hash-chained, so they are never rewritten); 3 writes new steps in hash format 3
 * (core/run/ledgerCheck.ts): `hash` and `prev_hash` stored as 32-byte blobs, the hash taken over the
 * stored values (length-prefixed) instead of the row's canonical JSON. The columns do not change:
 * rows written before keep their text hashes and format 2, and the chain runs on across the
 * boundary (the first new row's prev_hash is the last old row's hash). An Airlock that reads only
 * versions 1-2 refuses a version 3 ledger instead of misreading its blobs.
 */
import { chainHash, GENESIS_HASH, type LedgerIntegrity } from '../../core/run/ledgerCheck';

export const LEDGER_SCHEMA_VERSION = 3;
export { GENESIS_HASH };
export type { LedgerIntegrity };

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  agent TEXT NOT NULL,
  session_id TEXT NOT NULL,
  started_at TEXT NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT,
  last_seq INTEGER NOT NULL DEFAULT 0,
  UNIQUE (agent, session_id)
);
CREATE TABLE IF NOT EXISTS steps (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(id),
  seq INTEGER NOT NULL,
  event TEXT NOT NULL,
  ref_seq INTEGER,
  agent TEXT NOT NULL,
  session_id TEXT NOT NULL,
  subagent_id TEXT,
  tool TEXT NOT NULL,
  tool_use_id TEXT,
  kind TEXT,
  action_json TEXT,
  action_hash TEXT,
  decision TEXT NOT NULL,
  reversibility TEXT NOT NULL,
  reasons_json TEXT NOT NULL,
  rules_json TEXT NOT NULL,
  effects_json TEXT NOT NULL,
  policy_hash TEXT NOT NULL,
  description TEXT,
  started_at TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  duration_us INTEGER NOT NULL,
  outcome_json TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  checkpoint TEXT,
  UNIQUE (run_id, seq)
);
CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export interface RunRow {
  id: string;
  agent: string;
  session_id: string;
  started_at: string;
  status: string;
  status_reason: string | null;
  last_seq: number;
}

/** One step as the gate hands it over (the ledger adds id, seq, hashes). */
export interface StepInput {
  runId: string;
  event: 'pre' | 'post';
  refSeq?: number;
  agent: string;
  sessionId: string;
  subagentId?: string;
  tool: string;
  toolUseId?: string;
  kind?: string;
  action?: unknown;
  actionHash?: string;
  decision: string;
  reversibility: string;
  reasons: string[];
  rules: string[];
  effects: unknown[];
  policyHash: string;
  description?: string;
  startedAt: string;
  decidedAt: string;
  durationUs: number;
  outcome?: unknown;
  /** The workspace checkpoint taken before this step (an allowed pre step). */
  checkpoint?: string;
}

export interface StepRow {
  id: string;
  run_id: string;
  seq: number;
  event: string;
  ref_seq: number | null;
  agent: string;
  session_id: string;
  subagent_id: string | null;
  tool: string;
  tool_use_id: string | null;
  kind: string | null;
  action_json: string | null;
  action_hash: string | null;
  decision: string;
  reversibility: string;
  reasons_json: string;
  rules_json: string;
  effects_json: string;
  policy_hash: string;
  description: string | null;
  started_at: string;
  decided_at: string;
  duration_us: number;
  outcome_json: string | null;
  /** Hex, whatever its storage (text in format 2 rows, a 32-byte blob in format 3 rows). */
  prev_hash: string;
  /** Hex, whatever its storage. */
  hash: string;
  /** Schema 2; null on rows without a checkpoint (and on every row of a version 1 ledger). */
  checkpoint: string | null;
  /** The row's hash format (core/run/ledgerCheck.ts): 3 for rows written since schema 3, 2 before; 0 for a row whose two hashes are stored in different forms (never written). */
  hash_format: number;
}

/** The format 2 hash of a step row (rows written before schema 3): sha256 over prev_hash + the canonical row without `hash` (a null `checkpoint` left out, as chainHash does). */
export function stepHash(row: Omit<StepRow, 'hash' | 'hash_format'>): string {
  return chainHash(row as unknown as Record<string, unknown>);
}

/** A hash column as hex, whatever its storage (a blob since schema 3, 64-hex text before). */
export const hexOf = (col: string): string => `CASE typeof(${col}) WHEN 'blob' THEN lower(hex(${col})) ELSE ${col} END`;

/** A row's hash format from the storage of its two hashes (see StepRow.hash_format). */
export const HASH_FORMAT_SQL = (t = ''): string => `CASE WHEN typeof(${t}hash) = 'blob' AND typeof(${t}prev_hash) = 'blob' THEN 3 WHEN typeof(${t}hash) = 'text' AND typeof(${t}prev_hash) = 'text' THEN 2 ELSE 0 END`;

/**
 * The columns of a StepRow as read from `steps` (alias `t`, with its dot, or none): the hashes as
 * hex, the row's hash format, and a null checkpoint where a version 1 ledger has no column.
 */
export function stepColumnsSql(checkpointColumn: boolean, t = ''): string {
  const cols = ['id', 'run_id', 'seq', 'event', 'ref_seq', 'agent', 'session_id', 'subagent_id', 'tool', 'tool_use_id', 'kind', 'action_json', 'action_hash',
    'decision', 'reversibility', 'reasons_json', 'rules_json', 'effects_json', 'policy_hash', 'description', 'started_at', 'decided_at', 'duration_us', 'outcome_json'];
  return [...cols.map((c) => `${t}${c}`), `${hexOf(`${t}prev_hash`)} AS prev_hash`, `${hexOf(`${t}hash`)} AS hash`, checkpointColumn ? `${t}checkpoint` : 'NULL AS checkpoint', `${HASH_FORMAT_SQL(t)} AS hash_format`].join(', ');
}

/** What a ledger database is, after `migrateLedger`. */
export interface LedgerShape {
  version: number;
  /** steps.checkpoint exists (a version 1 ledger opened read-only has none). */
  checkpointColumn: boolean;
}

interface Db {
  prepare(sql: string): { get(...a: unknown[]): unknown; all(...a: unknown[]): unknown[]; run(...a: unknown[]): unknown };
  exec(sql: string): unknown;
}

/**
 * Bring an older ledger to LEDGER_SCHEMA_VERSION (a writer only; in one transaction), or refuse one
 * this Airlock cannot read: a newer or unknown version, or a missing version row in an existing
 * database. Read-only opens accept versions 1 and 2 as they are.
 */
export function migrateLedger(db: Db, path: string, o: { readonly: boolean }): LedgerShape {
  const rows = db.prepare('SELECT version FROM schema_version').all() as Array<{ version: unknown }>;
  const cols = (): boolean => (db.prepare("SELECT name FROM pragma_table_info('steps')").all() as Array<{ name: string }>).some((c) => c.name === 'checkpoint');
  if (rows.length > 1) throw new Error(`ledger ${path} records ${rows.length} schema versions; refusing to guess which one it has`);
  if (!rows.length) {
    const steps = (db.prepare('SELECT count(*) AS n FROM steps').get() as { n: number }).n;
    if (steps > 0) throw new Error(`ledger ${path} has steps but no schema version; this Airlock reads versions 1-${LEDGER_SCHEMA_VERSION}`);
    if (o.readonly) return { version: LEDGER_SCHEMA_VERSION, checkpointColumn: cols() };
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(LEDGER_SCHEMA_VERSION);
    if (!cols()) db.exec('ALTER TABLE steps ADD COLUMN checkpoint TEXT');
    return { version: LEDGER_SCHEMA_VERSION, checkpointColumn: true };
  }
  const v = rows[0]!.version;
  if (v !== 1 && v !== 2 && v !== LEDGER_SCHEMA_VERSION) throw new Error(`ledger ${path} has schema version ${String(v)}; this Airlock reads versions 1-${LEDGER_SCHEMA_VERSION}`);
  if (v !== 1 && !cols()) throw new Error(`ledger ${path} says schema version ${v} but its steps table has no checkpoint column`);
  if (v === LEDGER_SCHEMA_VERSION) return { version: v, checkpointColumn: true };
  // Read-only opens read versions 1 and 2 as they are (every reader handles both hash formats).
  if (o.readonly) return { version: v, checkpointColumn: cols() };
  db.exec('BEGIN IMMEDIATE');
  try {
    // Another writer may have migrated it meanwhile. 1 → 2: the checkpoint column. 2 → 3: nothing
    // to rewrite (old rows keep their format-2 hashes); from now on steps are written in format 3.
    const now = (db.prepare('SELECT version FROM schema_version').get() as { version: number }).version;
    if (now === 1 && !cols()) db.exec('ALTER TABLE steps ADD COLUMN checkpoint TEXT');
    if (now !== LEDGER_SCHEMA_VERSION) db.prepare('UPDATE schema_version SET version = ?').run(LEDGER_SCHEMA_VERSION);
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
  return { version: LEDGER_SCHEMA_VERSION, checkpointColumn: true };
}
