/**
 * The run log panel's read model over the SQLite ledger (implements core/run/runLogQueries).
 *
 * - Its own better-sqlite3 connection (WAL lets it read while the gate writes), `query_only` after
 *   it has made sure its indexes exist, so the panel can never change history.
 * - Timeline = the run's `pre` rows in seq order; each row's outcome is the latest `post` row that
 *   references it (`ref_seq`). Pages are LIMIT/OFFSET over a covering index
 *   (run_id, event, seq, decision, reversibility, agent, subagent_id), so filters other than text
 *   search are answered from the index; totals are cached per (run, filters, last seq).
 * - Usage and cost come from a usage table when one exists (issue 5 adds it): the table and its
 *   columns are discovered, not assumed; absent, tokens and cost are null ("unknown", never zero).
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { Action } from '../../core/action';
import { actionText } from '../../core/present';
import { SUMMARY_CHARS, StepOutcome, type RunSummary, type StepDetail, type StepFilters, type StepRow } from '../../core/protocol/panel';
import type { RunLogQueries, RunPage, StepPage } from '../../core/run/runLogQueries';
import { runUsageOf } from '../usage/usageReport';

type Database = BetterSqlite3.Database;

import { hexOf } from './schema';
import { COST_COLUMNS, INDEXES, TOKEN_COLUMNS, USAGE_TABLES, approvedByOf, checkpointOfRow, likeEscape, parseJson, quoteIdent, type RawStep, type UsageShape } from './queryRows';

export { approvedByOf } from './queryRows';

export class LedgerQueries implements RunLogQueries {
  private readonly usage: UsageShape | undefined;
  private readonly totals = new Map<string, { lastSeq: number; total: number }>();
  private readonly summaries = new Map<string, { lastSeq: number; status: string; summary: RunSummary }>();
  private readonly stmts = new Map<string, BetterSqlite3.Statement>();
  /** Schema 2 (a version 1 ledger carries checkpoints as `checkpoint:<id>` rules). */
  private readonly checkpointColumn: boolean;

  /** Wrap an open connection (tests, or a host that already has one). Creates the panel's indexes if it can. */
  constructor(
    private readonly db: Database,
    private readonly owned = false,
  ) {
    if (!db.readonly) db.exec(INDEXES);
    this.checkpointColumn = (db.prepare("SELECT name FROM pragma_table_info('steps')").all() as Array<{ name: string }>).some((c) => c.name === 'checkpoint');
    this.usage = this.discoverUsage();
    if (this.usage?.hasStep && !db.readonly) db.exec(`CREATE INDEX IF NOT EXISTS panel_usage_step ON ${quoteIdent(this.usage.table)} (step_id)`);
    if (this.usage && !db.readonly) db.exec(`CREATE INDEX IF NOT EXISTS panel_usage_run ON ${quoteIdent(this.usage.table)} (run_id)`);
    if (this.usage?.own && !this.usage.hasStep && !db.readonly) db.exec('CREATE INDEX IF NOT EXISTS panel_usage_tool ON usage (run_id, tool_use_id)');
    db.pragma('query_only = ON');
  }

  /** Open the ledger file read-only for the panel (it must exist: the gate creates it). */
  static open(path: string): LedgerQueries {
    const require = createRequire(__filename);
    const Sqlite = require('better-sqlite3') as typeof BetterSqlite3;
    const db = new Sqlite(path, { fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    const need = ['id', 'run_id', 'seq', 'event', 'ref_seq', 'agent', 'subagent_id', 'tool', 'kind', 'action_json', 'decision', 'reversibility', 'reasons_json', 'rules_json', 'started_at', 'duration_us', 'outcome_json'];
    const have = new Set((db.prepare("SELECT name FROM pragma_table_info('steps')").all() as Array<{ name: string }>).map((r) => r.name));
    const missing = need.filter((c) => !have.has(c));
    if (missing.length) {
      db.close();
      throw new Error(`ledger ${path} is not an Airlock ledger this panel can read (steps lacks ${missing.join(', ')})`);
    }
    return new LedgerQueries(db, true);
  }

  close(): void {
    if (this.owned && this.db.open) this.db.close();
  }

  private stmt(sql: string): BetterSqlite3.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  private discoverUsage(): UsageShape | undefined {
    for (const table of USAGE_TABLES) {
      const cols = new Set((this.db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as Array<{ name: string }>).map((r) => r.name));
      if (!cols.has('run_id')) continue;
      const toks = cols.has('total_tokens') ? ['total_tokens'] : TOKEN_COLUMNS.filter((c) => cols.has(c));
      const cost = COST_COLUMNS.find((c) => cols.has(c));
      return {
        table,
        tokens: toks.length ? toks.map((c) => `coalesce(u.${quoteIdent(c)}, 0)`).join(' + ') : null,
        cost: cost ? `u.${quoteIdent(cost)}` : null,
        hasStep: cols.has('step_id'),
        own: table === 'usage' && cols.has('cost_source') && cols.has('tool_use_id'),
      };
    }
    return undefined;
  }

  // ---- runs ------------------------------------------------------------------------------------

  agents(): string[] {
    return (this.stmt('SELECT DISTINCT agent FROM runs ORDER BY agent').all() as Array<{ agent: string }>).map((r) => r.agent);
  }

  listRuns(opts: { offset: number; limit: number; agent?: string }): RunPage {
    const where = opts.agent ? 'WHERE agent = ?' : '';
    const args = opts.agent ? [opts.agent] : [];
    const total = (this.stmt(`SELECT count(*) AS n FROM runs ${where}`).get(...args) as { n: number }).n;
    const ids = this.stmt(`SELECT id FROM runs ${where} ORDER BY started_at DESC, id LIMIT ? OFFSET ?`).all(...args, opts.limit, opts.offset) as Array<{ id: string }>;
    return { total, rows: ids.map((r) => this.run(r.id)).filter((r): r is RunSummary => r !== undefined) };
  }

  lastSeq(runId: string): number | undefined {
    return (this.stmt('SELECT last_seq FROM runs WHERE id = ?').get(runId) as { last_seq: number } | undefined)?.last_seq;
  }

  /** One run's summary; counts are cached until the run gets a new step or status. */
  run(runId: string): RunSummary | undefined {
    const r = this.stmt('SELECT * FROM runs WHERE id = ?').get(runId) as
      | { id: string; agent: string; session_id: string; started_at: string; status: string; status_reason: string | null; last_seq: number }
      | undefined;
    if (!r) return undefined;
    const cached = this.summaries.get(runId);
    if (cached && cached.lastSeq === r.last_seq && cached.status === r.status) return cached.summary;
    const n = (sql: string): number => (this.stmt(sql).get(runId) as { n: number }).n;
    const steps = n("SELECT count(*) AS n FROM steps WHERE run_id = ? AND event = 'pre'");
    // Only pre steps carry a verdict, so the covering (run_id, event, seq, decision, …) index answers this.
    const denials = n("SELECT count(*) AS n FROM steps WHERE run_id = ? AND event = 'pre' AND decision = 'deny'");
    const asked = n(`SELECT count(*) AS n FROM steps WHERE run_id = ? AND event = 'pre' AND (decision = 'ask' OR rules_json LIKE '%"approval.%')`);
    const last = this.stmt('SELECT started_at FROM steps WHERE run_id = ? ORDER BY seq DESC LIMIT 1').get(runId) as { started_at: string } | undefined;
    let tokens: number | null = null;
    let costUsd: number | null = null;
    let costPartial = false;
    let costSource: RunSummary['costSource'] = 'unknown';
    let costEstimate = false;
    if (this.usage?.own) {
      // The one run cost (src/core/run/runCost.ts), the same figure budgets and `airlock log` use.
      const u = runUsageOf(this.db, runId);
      if (u.calls > 0 || u.costUsd !== null) {
        tokens = u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;
        costUsd = u.costUsd;
        costPartial = u.unpricedCalls > 0 && u.costUsd !== null;
        costSource = u.costSource;
        costEstimate = u.costEstimate;
      }
    } else if (this.usage) {
      const u = this.usage;
      const row = this.stmt(
        `SELECT count(*) AS n, ${u.tokens ? `sum(${u.tokens})` : 'NULL'} AS tokens, ${u.cost ? `sum(${u.cost})` : 'NULL'} AS cost, ${u.cost ? `sum(${u.cost} IS NULL)` : 'count(*)'} AS unpriced FROM ${quoteIdent(u.table)} u WHERE u.run_id = ?`,
      ).get(runId) as { n: number; tokens: number | null; cost: number | null; unpriced: number };
      if (row.n > 0) {
        tokens = row.tokens;
        costUsd = row.cost;
        costPartial = row.unpriced > 0 && row.cost !== null;
      }
    }
    const summary: RunSummary = {
      id: r.id,
      agent: r.agent,
      sessionId: r.session_id,
      startedAt: r.started_at,
      lastAt: last?.started_at ?? null,
      status: r.status,
      statusReason: r.status_reason,
      steps,
      denials,
      asked,
      tokens,
      costUsd,
      costPartial,
      costSource,
      costEstimate,
    };
    this.summaries.set(runId, { lastSeq: r.last_seq, status: r.status, summary });
    return summary;
  }

  // ---- steps -----------------------------------------------------------------------------------

  /** WHERE clause (over alias `s`) and its parameters for a run's timeline with filters. */
  private where(runId: string, f: StepFilters): { sql: string; args: unknown[] } {
    const parts = ["s.run_id = ?", "s.event = 'pre'"];
    const args: unknown[] = [runId];
    if (f.decisions?.length) {
      const ors: string[] = [];
      const plain = f.decisions.filter((d) => d !== 'asked');
      if (plain.length) {
        ors.push(`s.decision IN (${plain.map(() => '?').join(', ')})`);
        args.push(...plain);
      }
      if (f.decisions.includes('asked')) ors.push(`(s.decision = 'ask' OR s.rules_json LIKE '%"approval.%')`);
      parts.push(`(${ors.join(' OR ')})`);
    }
    if (f.reversibilities?.length) {
      parts.push(`s.reversibility IN (${f.reversibilities.map(() => '?').join(', ')})`);
      args.push(...f.reversibilities);
    }
    if (f.agent) {
      parts.push('(s.agent = ? OR s.subagent_id = ?)');
      args.push(f.agent, f.agent);
    }
    if (f.q) {
      // LIKE is case-insensitive for ASCII; the action is stored as canonical JSON, so a search for
      // text inside a command finds it unless it contains characters JSON escapes (quotes, backslashes).
      const pat = `%${likeEscape(f.q)}%`;
      parts.push(`(coalesce(s.action_json, '') LIKE ? ESCAPE '\\' OR s.tool LIKE ? ESCAPE '\\' OR s.reasons_json LIKE ? ESCAPE '\\' OR s.rules_json LIKE ? ESCAPE '\\' OR coalesce(s.description, '') LIKE ? ESCAPE '\\')`);
      args.push(pat, pat, pat, pat, pat);
    }
    return { sql: parts.join(' AND '), args };
  }

  private countSteps(runId: string, f: StepFilters): number {
    const key = `${runId}\u0000${JSON.stringify([f.decisions ?? [], f.reversibilities ?? [], f.agent ?? '', f.q ?? ''])}`;
    const lastSeq = this.lastSeq(runId) ?? 0;
    const hit = this.totals.get(key);
    if (hit && hit.lastSeq === lastSeq) return hit.total;
    const w = this.where(runId, f);
    const total = (this.stmt(`SELECT count(*) AS n FROM steps s WHERE ${w.sql}`).get(...w.args) as { n: number }).n;
    if (this.totals.size > 256) this.totals.clear();
    this.totals.set(key, { lastSeq, total });
    return total;
  }

  private usageColumns(): string {
    const u = this.usage;
    if (u?.own && !u.hasStep) {
      // Airlock's usage table ties a model call to the tool call it produced (tool_use_id).
      const on = "u.run_id = s.run_id AND u.tool_use_id = s.tool_use_id";
      return `, (SELECT sum(${u.tokens ?? '0'}) FROM usage u WHERE ${on}) AS tokens, (SELECT sum(u.cost_usd) FROM usage u WHERE ${on}) AS cost`;
    }
    if (!u?.hasStep) return '';
    const t = u.tokens ? `(SELECT sum(${u.tokens}) FROM ${quoteIdent(u.table)} u WHERE u.step_id = s.id)` : 'NULL';
    const c = u.cost ? `(SELECT sum(${u.cost}) FROM ${quoteIdent(u.table)} u WHERE u.step_id = s.id)` : 'NULL';
    return `, ${t} AS tokens, ${c} AS cost`;
  }

  private static readonly SUMMARY_SQL = `CASE s.kind
      WHEN 'shell' THEN json_extract(s.action_json, '$.command')
      WHEN 'sql' THEN json_extract(s.action_json, '$.sql')
      WHEN 'file' THEN json_extract(s.action_json, '$.op') || ' ' || json_extract(s.action_json, '$.path')
      WHEN 'http' THEN json_extract(s.action_json, '$.method') || ' ' || json_extract(s.action_json, '$.url')
      WHEN 'mcp' THEN json_extract(s.action_json, '$.server') || ' · ' || json_extract(s.action_json, '$.tool')
      ELSE NULL END`;

  /** Rows for the rowids the inner query selects (which pages over the covering index alone). */
  private rowSql(inner: string): string {
    return `SELECT s.id, s.run_id, s.seq, s.agent, s.subagent_id, s.tool, s.kind, s.decision, s.reversibility, s.reasons_json, s.rules_json, ${this.checkpointColumn ? 's.checkpoint' : 'NULL AS checkpoint'}, s.started_at, s.duration_us,
        substr(${LedgerQueries.SUMMARY_SQL}, 1, ${SUMMARY_CHARS + 1}) AS summary, length(${LedgerQueries.SUMMARY_SQL}) AS summary_len,
        (SELECT p.outcome_json FROM steps p INDEXED BY steps_panel_post WHERE p.run_id = s.run_id AND p.event = 'post' AND p.ref_seq = s.seq ORDER BY p.seq DESC LIMIT 1) AS post_outcome
        ${this.usageColumns()}
      FROM (${inner}) page JOIN steps s ON s.rowid = page.rid ORDER BY s.seq`;
  }

  private toRow(r: RawStep): StepRow {
    const reasons = parseJson<string[]>(r.reasons_json, []);
    const rules = parseJson<string[]>(r.rules_json, []);
    const outcome = r.post_outcome === null ? null : StepOutcome.safeParse(parseJson<unknown>(r.post_outcome, null));
    const full = r.summary ?? r.tool;
    const truncated = (r.summary_len ?? 0) > SUMMARY_CHARS;
    return {
      id: r.id,
      seq: r.seq,
      startedAt: r.started_at,
      agent: r.agent,
      subagentId: r.subagent_id,
      tool: r.tool,
      kind: r.kind,
      summary: truncated ? full.slice(0, SUMMARY_CHARS) : full.slice(0, SUMMARY_CHARS + 1),
      summaryTruncated: truncated,
      decision: r.decision,
      reversibility: r.reversibility,
      rules: Array.isArray(rules) ? rules.map(String) : [],
      approvedBy: approvedByOf(Array.isArray(reasons) ? reasons.map(String) : []),
      outcome: outcome && outcome.success ? outcome.data : null,
      durationUs: Math.max(0, r.duration_us),
      tokens: r.tokens ?? null,
      costUsd: r.cost ?? null,
      checkpoint: checkpointOfRow(r.decision, r.checkpoint, Array.isArray(rules) ? rules.map(String) : []),
      // The before-images live in the effect store, not the ledger: the editor marks these (node/checkpoints/dbUndoRows.ts).
      dbUndo: false,
    };
  }

  pageSteps(runId: string, filters: StepFilters, offset: number, limit: number): StepPage {
    const total = this.countSteps(runId, filters);
    if (offset >= total) return { total, rows: [] };
    const w = this.where(runId, filters);
    // The inner query pages over the covering index; summaries, outcomes and usage are computed
    // for the page's rows only.
    const inner = `SELECT s.rowid AS rid FROM steps s WHERE ${w.sql} ORDER BY s.seq LIMIT ? OFFSET ?`;
    const rows = this.stmt(this.rowSql(inner)).all(...w.args, limit, offset) as RawStep[];
    return { total, rows: rows.map((r) => this.toRow(r)) };
  }

  stepDetail(stepId: string): StepDetail | undefined {
    const raw = this.stmt(this.rowSql('SELECT s.rowid AS rid FROM steps s WHERE s.id = ?')).get(stepId) as RawStep | undefined;
    if (!raw) return undefined;
    const full = this.stmt(`SELECT action_json, effects_json, reasons_json, description, action_hash, policy_hash, decided_at, ${hexOf('hash')} AS hash FROM steps WHERE id = ?`).get(stepId) as {
      action_json: string | null;
      effects_json: string;
      reasons_json: string;
      description: string | null;
      action_hash: string | null;
      policy_hash: string;
      decided_at: string;
      hash: string;
    };
    const parsed = full.action_json === null ? undefined : Action.safeParse(parseJson<unknown>(full.action_json, null));
    const action = parsed?.success ? actionText(parsed.data) : (full.action_json ?? `${raw.tool} (no normalized action)`);
    const effects = parseJson<unknown[]>(full.effects_json, []);
    return {
      row: this.toRow(raw),
      action,
      effects: (Array.isArray(effects) ? effects : []).flatMap((e) => {
        if (!e || typeof e !== 'object') return [];
        const o = e as Record<string, unknown>;
        const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string).slice(0, 4096) : undefined);
        const flag = (k: string): Record<string, boolean> => (typeof o[k] === 'boolean' ? { [k]: o[k] as boolean } : {});
        const target = str('target');
        return [{
          kind: str('kind') ?? 'unknown', reversibility: str('reversibility') ?? 'unknown', detail: str('detail') ?? '',
          ...(target !== undefined ? { target } : {}),
          ...flag('outsideWorkspace'), ...flag('securityConfig'), ...flag('secrets'), ...flag('network'), ...flag('exec'),
        }];
      }),
      reasons: parseJson<unknown[]>(full.reasons_json, []).map(String),
      description: full.description,
      actionHash: full.action_hash,
      policyHash: full.policy_hash,
      decidedAt: full.decided_at,
      hash: full.hash,
    };
  }

  // ---- export ----------------------------------------------------------------------------------

  /**
   * The whole run as JSON, yielded in chunks of up to `batch` rows: every ledger row of the run as
   * stored (pre and post, with the hash chain fields, JSON columns parsed), plus usage rows when a
   * usage table exists. Rows are read in keyset batches so the connection is free between chunks.
   */
  *exportRun(runId: string, batch = 1000): Generator<string> {
    const run = this.stmt('SELECT * FROM runs WHERE id = ?').get(runId);
    if (!run) throw new Error(`no run ${runId}`);
    yield `{"format":"airlock-run-export","version":1,"exportedAt":${JSON.stringify(new Date().toISOString())},"run":${JSON.stringify(run)},"summary":${JSON.stringify(this.run(runId))},"steps":[`;
    let after = -1;
    let first = true;
    const page = this.stmt('SELECT * FROM steps WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?');
    for (;;) {
      const rows = page.all(runId, after, batch) as Array<Record<string, unknown> & { seq: number }>;
      if (rows.length === 0) break;
      const out: string[] = [];
      for (const r of rows) {
        const o: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) {
          if (k.endsWith('_json')) o[k.slice(0, -5)] = typeof v === 'string' ? parseJson<unknown>(v, v) : v;
          // Since ledger schema 3 the chain's hashes are stored as 32 bytes: exported as hex like the older rows'.
          else if (v instanceof Uint8Array) o[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
          else o[k] = v;
        }
        out.push(JSON.stringify(o));
      }
      yield (first ? '\n' : ',\n') + out.join(',\n');
      first = false;
      after = rows[rows.length - 1]!.seq;
    }
    yield '\n]';
    if (this.usage) {
      const rows = this.stmt(`SELECT * FROM ${quoteIdent(this.usage.table)} u WHERE u.run_id = ?`).all(runId);
      yield `,"usage":${JSON.stringify(rows)}`;
    }
    yield '}\n';
  }
}
