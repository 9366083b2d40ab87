/**
 * The run ledger: SQLite (better-sqlite3) outside the workspace, WAL; steps are appended in immediate
 * transactions of one or many steps (the gate batches concurrent requests through groupCommit.ts).
 *
 * - A session id from an agent maps to one run (`runs`, unique on agent + session id).
 * - Each step row has a per-run sequence number and a hash chain over all steps: `hash` =
 *   sha256 over prev_hash and the row's stored values (format 3, schema 3; rows written before:
 *   canonical JSON, format 2), `prev_hash` = the hash of the step written before it (any run). Editing or deleting a row breaks the chain (`airlock verify`,
 *   later issue). Steps are append-only: a post outcome is its own row (event 'post', ref_seq =
 *   the pre step it completes), so no written row ever changes.
 * - synchronous=NORMAL under WAL: a committed step survives a crash of the process (not
 *   necessarily of the machine's power), which is the failure the gate must survive.
 *
 * Writes throw on failure; the gate turns a failed write of a mutating step into a deny
 * ("cannot record, so do not act").
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { maskSecrets } from '../../core/mask';
import { ChainWalker, compareAnchor, GENESIS_HASH, PERSISTENT_KINDS, sequenceProblems, type Anchor, type ChainRow, type Incident, type IntegrityProblem, type LedgerIntegrity, type RunSeqStats } from '../../core/run/ledgerCheck';
import { openSqlite, preparedOnce, sqliteDriverOf, type SqliteDriverInfo } from './sqlite';
import { ANCHOR_LAG_MS, ANCHOR_SIZE, readAnchor, readIncidents, incidentsPath, writePrivateFile } from './anchor';
import { hexOf, migrateLedger, SCHEMA, stepColumnsSql, type LedgerShape, type RunRow, type StepInput, type StepRow } from './schema';
import { inCommitOrder, prepareStep, prepareWriteStatements, rowOf, writePrepared, writerPragmas, writtenOf, type PreparedStep, type WriteStatements } from './stepWrite';

export * from './schema';
export { anchorPathFor, firstBreak, incidentsPath, readAnchor, readIncidents } from './anchor';

type Database = BetterSqlite3.Database;

export interface LedgerOpenOptions {
  /**
   * The anchor file outside the database (see anchorPathFor). Given: it is compared at open and,
   * unless read-only, rewritten after every append. Absent: no anchor checks.
   */
  anchor?: string;
  /** Open read-only (`airlock verify`, `airlock log`): nothing is created or written, the anchor included. */
  readonly?: boolean;
  /** Walk the chain and check sequences and anchor at open (default true). */
  check?: boolean;
  /**
   * What a committed step survives. 'process' (default): WAL with synchronous=NORMAL, a committed
   * step survives the process being killed (SIGKILL, a crash), not a power loss or kernel crash.
   * 'power': synchronous=FULL, the WAL is fsynced at every commit (group commit amortises it).
   */
  durability?: LedgerDurability;
}

export type LedgerDurability = 'process' | 'power';


export class Ledger {
  private lastHash: string;
  private readonly st: WriteStatements;
  private readonly getLast: BetterSqlite3.Statement;
  private anchorState: Anchor | undefined;
  private anchorBroken = false;
  private anchorDirty = false;
  private anchorTimer: NodeJS.Timeout | undefined;
  /** The integrity found at open (and refreshed by verify()): the gate and the editor show it. */
  integrity: LedgerIntegrity;
  /** Statements the gate runs on every request, prepared once per connection (see `statement`). */
  private readonly prepared: (sql: string) => BetterSqlite3.Statement;

  private constructor(
    private readonly db: Database,
    readonly path: string,
    private readonly opts: LedgerOpenOptions & { existed: boolean; ledgerId: string; shape: LedgerShape },
  ) {
    this.getLast = db.prepare(`SELECT ${hexOf('hash')} AS hash FROM steps ORDER BY rowid DESC LIMIT 1`);
    const last = this.getLast.get() as { hash: string } | undefined;
    this.lastHash = last?.hash ?? GENESIS_HASH;
    this.integrity = { ok: true, checkedAt: new Date().toISOString(), steps: 0, runs: 0, head: this.lastHash, walked: false, anchor: { path: opts.anchor ?? null, status: 'none', ahead: 0 }, problems: [], incidents: [] };
    this.st = opts.readonly ? (undefined as unknown as WriteStatements) : prepareWriteStatements(db);
    this.prepared = preparedOnce<BetterSqlite3.Statement>(db);
  }

  /**
   * `sql` prepared once on this connection and reused (the usage store shares it): preparing costs
   * ~0.1 ms a statement, and the gate looks up the run, its steps and its usage on every request.
   * Only for statements run to completion (get/all/run); one being iterated cannot be shared.
   */
  statement(sql: string): BetterSqlite3.Statement {
    return this.prepared(sql);
  }

  /**
   * Open (creating if needed) the ledger at `path`. Throws with the reason if it cannot.
   * Integrity problems do not throw: they are in `integrity` (and, for a deleted or replaced
   * database, recorded in the anchor until a person accepts them), so the gate still starts and the
   * state is shown.
   */
  static open(path: string, options: LedgerOpenOptions = {}): Ledger {
    const existed = existsSync(path);
    if (!options.readonly) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // better-sqlite3 is native and external to the bundle: load it only when a ledger is opened,
    // so the hook shim (which never opens one) does not pay for it. node:sqlite when it cannot load.
    const db = options.readonly ? openSqlite(path, { readonly: true, fileMustExist: true }) : openSqlite(path);
    let ledgerId: string;
    let shape: LedgerShape;
    try {
      if (!options.readonly) {
        writerPragmas(db, options.durability ?? 'process');
        db.exec(SCHEMA);
        // Before 2026-12 a second index (run_id, seq) duplicated the UNIQUE (run_id, seq) one: every
        // append wrote both and no query needed the copy.
        db.exec('DROP INDEX IF EXISTS steps_run');
      }
      shape = migrateLedger(db, path, { readonly: options.readonly === true });
      const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_meta'").get() !== undefined;
      const id = hasMeta ? (db.prepare("SELECT value FROM ledger_meta WHERE key = 'ledger_id'").get() as { value: string } | undefined) : undefined;
      ledgerId = id?.value ?? '';
      if (!ledgerId && !options.readonly) {
        ledgerId = randomUUID();
        db.prepare("INSERT INTO ledger_meta (key, value) VALUES ('ledger_id', ?)").run(ledgerId);
      }
    } catch (e) {
      db.close();
      throw e;
    }
    const ledger = new Ledger(db, path, { ...options, existed, ledgerId, shape });
    // A writer with an anchor always checks: the anchor is rebound to the database as found.
    if (options.check !== false || (options.anchor && !options.readonly)) ledger.verify({ atOpen: true });
    return ledger;
  }

  /** This database's id (kept in the database; the anchor records it to notice a replaced file). */
  get ledgerId(): string {
    return this.opts.ledgerId;
  }

  /** Walk the chain in write order; returns the first break and the number of rows walked. */
  walkChain(): { first: IntegrityProblem | undefined; count: number; head: string } {
    const w = new ChainWalker();
    let head = GENESIS_HASH;
    // Every column (either format may be present: rows written before schema 3 are format 2), the hashes as hex.
    for (const r of this.db.prepare(`SELECT ${stepColumnsSql(this.opts.shape.checkpointColumn)} FROM steps ORDER BY rowid`).iterate() as IterableIterator<ChainRow>) {
      w.push(r);
      head = r.hash;
    }
    return { first: w.first, count: w.count, head };
  }

  /**
   * Check everything: chain, sequences, anchor. At open (writer with an anchor), problems that the
   * database cannot show again are recorded as incidents in the anchor and the anchor is rebound to
   * the database as found, so appends can continue; the incidents stay until acceptIncidents().
   */
  verify(o: { atOpen?: boolean } = {}): LedgerIntegrity {
    const problems: IntegrityProblem[] = [];
    const chain = this.walkChain();
    if (chain.first) problems.push(chain.first);
    const stats = this.db
      .prepare(
        `SELECT s.run_id AS runId, r.last_seq AS lastSeq, COUNT(*) AS steps, MIN(s.seq) AS minSeq, MAX(s.seq) AS maxSeq, COUNT(DISTINCT s.seq) AS distinct_
         FROM steps s LEFT JOIN runs r ON r.id = s.run_id GROUP BY s.run_id
         UNION ALL SELECT r.id, r.last_seq, 0, NULL, NULL, 0 FROM runs r WHERE NOT EXISTS (SELECT 1 FROM steps s WHERE s.run_id = r.id)`,
      )
      .all() as Array<Omit<RunSeqStats, 'distinct'> & { distinct_: number }>;
    problems.push(...sequenceProblems(stats.map(({ distinct_, ...x }) => ({ ...x, distinct: distinct_ }))));
    const runs = (this.db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;

    let anchorStatus: LedgerIntegrity['anchor']['status'] = 'none';
    let ahead = 0;
    let incidents: Incident[] = [];
    if (this.opts.anchor) {
      incidents = readIncidents(this.opts.anchor);
      const read = readAnchor(this.opts.anchor);
      if (read.kind === 'unreadable') {
        problems.push({ kind: 'anchor.unreadable', message: `the ledger anchor ${this.opts.anchor} cannot be read (${read.reason})` });
        anchorStatus = 'mismatch';
      } else if (read.kind === 'ok') {
        const head = read.anchor.headId ? (this.db.prepare(`SELECT ${hexOf('s.hash')} AS hash, (SELECT COUNT(*) FROM steps t WHERE t.rowid <= s.rowid) AS position FROM steps s WHERE id = ?`).get(read.anchor.headId) as { hash: string; position: number } | undefined) : undefined;
        const c = compareAnchor(read.anchor, { existed: o.atOpen ? this.opts.existed : true, ledgerId: this.opts.ledgerId, steps: chain.count, ...(head ? { anchoredHead: head } : {}) });
        anchorStatus = c.status;
        ahead = c.ahead;
        problems.push(...c.problems);
      }
      if (o.atOpen && !this.opts.readonly) {
        // Keep what only the anchor can remember, then rebind the anchor to this database.
        const now = new Date().toISOString();
        const fresh = problems.filter((p) => PERSISTENT_KINDS.has(p.kind)).map((p) => ({ at: now, kind: p.kind, message: p.message.slice(0, 1000) }));
        if (fresh.length) {
          incidents = [...incidents, ...fresh].slice(-50);
          writePrivateFile(incidentsPath(this.opts.anchor), `${JSON.stringify(incidents, null, 1)}\n`);
        }
        this.anchorState = { version: 1, ledger: resolve(this.path), ledgerId: this.opts.ledgerId, steps: chain.count, headId: this.headId(), headHash: chain.head, updatedAt: now };
        this.writeAnchor(true);
      }
    }
    const integrity: LedgerIntegrity = {
      ok: problems.length === 0 && incidents.length === 0,
      checkedAt: new Date().toISOString(),
      steps: chain.count,
      runs,
      head: chain.head,
      walked: true,
      anchor: { path: this.opts.anchor ?? null, status: anchorStatus, ahead },
      problems,
      incidents,
    };
    this.integrity = integrity;
    return integrity;
  }

  /** A person has seen the recorded incidents: clear them. Returns how many there were. */
  acceptIncidents(): number {
    if (!this.opts.anchor) return 0;
    const n = readIncidents(this.opts.anchor).length;
    rmSync(incidentsPath(this.opts.anchor), { force: true });
    this.integrity = { ...this.integrity, incidents: [], ok: this.integrity.problems.length === 0 };
    return n;
  }

  private headId(): string | null {
    const r = this.db.prepare('SELECT id FROM steps ORDER BY rowid DESC LIMIT 1').get() as { id: string } | undefined;
    return r?.id ?? null;
  }

  /** Write the anchor: in place (one write of a fixed-size block) per step, by rename when `whole`. */
  private writeAnchor(whole: boolean): void {
    const path = this.opts.anchor;
    if (!path || !this.anchorState) return;
    const text = JSON.stringify(this.anchorState);
    const block = Buffer.alloc(ANCHOR_SIZE, 0x20);
    block.write(text, 0, 'utf8');
    block[ANCHOR_SIZE - 1] = 0x0a;
    if (Buffer.byteLength(text) >= ANCHOR_SIZE - 1) throw new Error(`ledger anchor too large (${Buffer.byteLength(text)} bytes)`);
    try {
      if (whole || this.anchorBroken) {
        writePrivateFile(path, block);
      } else {
        const fd = openSync(path, 'r+');
        try {
          writeSync(fd, block, 0, ANCHOR_SIZE, 0);
        } finally {
          closeSync(fd);
        }
      }
      this.anchorBroken = false;
    } catch (e) {
      // The step is committed; a stale anchor only makes the next start report "ahead".
      this.anchorBroken = true;
      throw Object.assign(new Error(`ledger anchor ${path} could not be written: ${(e as Error).message}`), { anchor: true });
    }
  }

  /** Which SQLite driver this ledger runs on (better-sqlite3, or node:sqlite and why): log it at open. */
  get driver(): SqliteDriverInfo | undefined {
    return sqliteDriverOf(this.db);
  }

  /** The run for an agent's session, created on first sight. */
  runFor(agent: string, sessionId: string, now: string): RunRow {
    const get = this.statement('SELECT * FROM runs WHERE agent = ? AND session_id = ?');
    const found = get.get(agent, sessionId) as RunRow | undefined;
    if (found) return found;
    this.statement("INSERT OR IGNORE INTO runs (id, agent, session_id, started_at, status, last_seq) VALUES (?, ?, ?, ?, 'active', 0)").run(randomUUID(), agent, sessionId, now);
    return get.get(agent, sessionId) as RunRow;
  }

  setRunStatus(runId: string, status: string, reason?: string): void {
    this.statement('UPDATE runs SET status = ?, status_reason = ? WHERE id = ?').run(status, reason === undefined ? null : maskSecrets(reason), runId);
  }

  /**
   * Append one step in its own (immediate) transaction. Returns the row written. Throws if it cannot.
   * Free text is masked before it is stored (core/mask.ts); `actionHash` is kept as given: the
   * gate computes it over the real action, so approvals stay bound to what actually runs.
   */
  appendStep(s: StepInput): StepRow {
    return this.appendSteps([s])[0]!;
  }

  /**
   * Append several steps in ONE immediate transaction (group commit for a burst): all are written
   * or none. Same masking and chain as appendStep. Returns the rows in order. Throws if it cannot.
   */
  appendSteps(inputs: readonly StepInput[]): StepRow[] {
    // Masking is pure and the slowest part: done before the write lock is taken.
    return this.appendPrepared(inputs.map(prepareStep));
  }

  /** Write steps already prepared (stepWrite.prepareStep: masked, id given) in one immediate transaction. */
  appendPrepared(prepared: readonly PreparedStep[]): StepRow[] {
    const written = writtenOf(this.db.transaction(() => writePrepared(this.st, prepared)).immediate());
    const rows = prepared.map((p, i) => rowOf(p, written[i]!));
    this.noteAppended(inCommitOrder(rows, written));
    return rows;
  }

  /**
   * Steps committed (by this connection, or by another on this gate's behalf: the writer thread,
   * ledgerWriter.ts), IN COMMIT ORDER: the anchor moves past them and its head is the last.
   */
  noteAppended(rows: readonly StepRow[]): void {
    for (const row of rows) {
      this.lastHash = row.hash;
      this.anchorAdvance(row);
    }
  }

  /** Where this ledger writes and how durably: a writer thread opens the same file the same way. */
  writeTarget(): { path: string; durability: LedgerDurability } {
    return { path: this.path, durability: this.opts.durability ?? 'process' };
  }

  /**
   * Advance the anchor past a committed step. The file is written at most every ANCHOR_LAG_MS (and
   * at close), not per step: the anchor may lag a few steps behind the database, which the check
   * at open accepts ("ahead"); it is never ahead of it.
   */
  private anchorAdvance(row: StepRow): void {
    if (!this.anchorState) return;
    this.anchorState.steps += 1;
    this.anchorState.headId = row.id;
    this.anchorState.headHash = row.hash;
    this.anchorState.updatedAt = row.decided_at;
    this.anchorDirty = true;
    if (this.anchorTimer) return;
    this.anchorTimer = setTimeout(() => {
      this.anchorTimer = undefined;
      this.flushAnchor();
    }, ANCHOR_LAG_MS);
    this.anchorTimer.unref?.();
  }

  /** Write the anchor now if steps were appended since it was last written. Never throws. */
  flushAnchor(): void {
    if (!this.anchorDirty) return;
    try {
      this.writeAnchor(false);
      this.anchorDirty = false;
    } catch {
      // Committed is committed: a lagging anchor is reported as "ahead" at the next start, never
      // as a break. The next flush rewrites it whole.
    }
  }

  stepsOf(runId: string): StepRow[] {
    return this.statement(`SELECT ${stepColumnsSql(this.opts.shape.checkpointColumn)} FROM steps WHERE run_id = ? ORDER BY seq`).all(runId) as StepRow[];
  }

  /** The step with this id as committed (by any connection), if it is in the ledger. */
  committedStep(id: string): StepRow | undefined {
    return this.statement(`SELECT ${stepColumnsSql(this.opts.shape.checkpointColumn)} FROM steps WHERE id = ?`).get(id) as StepRow | undefined;
  }

  allSteps(): StepRow[] {
    return this.db.prepare(`SELECT ${stepColumnsSql(this.opts.shape.checkpointColumn)} FROM steps ORDER BY rowid`).all() as StepRow[];
  }

  /** Runs with their step counts (pre steps, denials, asks that were answered), oldest first. */
  runSummaries(): Array<RunRow & { steps: number; denials: number; approvals: number; last_at: string | null }> {
    return this.db
      .prepare(
        `SELECT r.*, COALESCE(SUM(CASE WHEN s.event = 'pre' THEN 1 ELSE 0 END), 0) AS steps,
           COALESCE(SUM(CASE WHEN s.event = 'pre' AND s.decision = 'deny' THEN 1 ELSE 0 END), 0) AS denials,
           COALESCE(SUM(CASE WHEN s.rules_json LIKE '%"approval.person"%' THEN 1 ELSE 0 END), 0) AS approvals,
           MAX(s.decided_at) AS last_at
         FROM runs r LEFT JOIN steps s ON s.run_id = r.id GROUP BY r.id ORDER BY r.started_at, r.rowid`,
      )
      .all() as Array<RunRow & { steps: number; denials: number; approvals: number; last_at: string | null }>;
  }

  runs(): RunRow[] {
    return this.db.prepare('SELECT * FROM runs ORDER BY started_at').all() as RunRow[];
  }

  /** The database handle, for modules that keep their own tables beside the ledger's (usage, budgets). */
  database(): Database {
    return this.db;
  }

  close(): void {
    if (this.anchorTimer) clearTimeout(this.anchorTimer);
    this.anchorTimer = undefined;
    this.flushAnchor();
    if (this.db.open) this.db.close();
  }
}

