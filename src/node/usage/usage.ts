/**
 * Usage and cost per run, and the budget store: tables of their own in the ledger's SQLite database
 * (Airlock's home, outside anything an agent's workspace can write).
 *
 * - `usage`: one row per model call, keyed by a dedup key that every source reporting the same call
 *   shares (Claude Code: the API request id, in OTLP events and in transcripts). A later report of
 *   the same call merges into the row: the agent's own dollar figure wins over a computed one, a
 *   transcript's exact tool attribution wins over the OTLP heuristic, token counts take the larger.
 * - `usage_totals`: the agents' own running totals from metrics (Claude Code's cost.usage). A run's
 *   spend is the larger of its rows and its reported total, so metrics alone still enforce budgets.
 * - `person_marks`: a person's turns reported by the agent (user prompts), for the loop signal.
 * - `budget_raises`: what a person authorized beyond the policy's budget (per run or per day).
 *
 * Cost source per row: 'agent' (the agent reported it), 'genai-prices' (computed from the embedded
 * table), 'unknown' (model not in the table: cost NULL, never 0).
 */
import { homedir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { AgentName } from '../../core/protocol/bridge';
import { budgetState as computeBudget, type BudgetState, type SpendFacts } from '../../core/run/budget';
import { chooseCost, priceCall } from '../../core/run/pricing';
import type { CallCostFacts, RunCost } from '../../core/run/runCost';
import { callFactsOf, metricCostOf, runCostOf } from './usageReport';
import type { Budgets } from '../../core/policy/schema';
import type { Ledger } from '../ledger/ledger';
import type { Decoded, Signal } from './otlp/decode';
import { extractUsage, type Extracted, type UsageCall } from './otlp/extract';
import { claudeTranscriptCalls, claudeTranscriptFiles, claudeTranscriptFilesAt, clineSessionCalls, codexRolloutCalls, codexRolloutFiles, isClineSessionFile, readIfChanged, readNewLines, type Cursor } from './transcripts';

import { MATCH_WINDOW_MS, SCHEMA, fingerprint, sourcesOf, type UsageRow } from './usageSchema';

export { fingerprint, type UsageRow } from './usageSchema';
export { modelCallsFor } from './usageCalls';


export interface UsageStoreOptions {
  /** Claude Code config dirs to look for transcripts in (CLAUDE_CONFIG_DIR or ~/.claude). */
  claudeConfigDirs?: string[];
  /** Codex home (CODEX_HOME or ~/.codex) for rollout files. */
  codexHome?: string;
  log?: (line: string) => void;
}

/** The UTC day of an instant, the unit of perDayUsd. */
export const dayOf = (d: Date): string => d.toISOString().slice(0, 10);

export class UsageStore {
  private readonly db: BetterSqlite3.Database;
  private readonly cursors = new Map<string, Cursor>();
  private readonly getRow: BetterSqlite3.Statement;
  private readonly putRow: BetterSqlite3.Statement;
  private getToolUse: BetterSqlite3.Statement | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly ledger: Ledger,
    private readonly o: UsageStoreOptions = {},
  ) {
    this.db = ledger.database();
    this.db.exec(SCHEMA);
    this.migrate();
    this.getRow = this.db.prepare('SELECT * FROM usage WHERE key = ?');
    this.putRow = this.db.prepare(`INSERT OR REPLACE INTO usage (key, run_id, agent, session_id, tool_use_id, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
      cost_usd, cost_source, priced_usd, source, at, recorded_at, fp, by_id) VALUES (@key, @run_id, @agent, @session_id, @tool_use_id, @model, @input_tokens, @output_tokens, @cache_read_tokens,
      @cache_write_tokens, @cost_usd, @cost_source, @priced_usd, @source, @at, @recorded_at, @fp, @by_id)`);
  }

  /** Older ledgers: the content fingerprint column, and the metric totals kept per model only. */
  private migrate(): void {
    const cols = new Set((this.db.prepare("SELECT name FROM pragma_table_info('usage')").all() as Array<{ name: string }>).map((r) => r.name));
    if (!cols.has('fp')) this.db.exec('ALTER TABLE usage ADD COLUMN fp TEXT');
    if (!cols.has('by_id')) this.db.exec('ALTER TABLE usage ADD COLUMN by_id INTEGER NOT NULL DEFAULT 1');
    this.db.exec('CREATE INDEX IF NOT EXISTS usage_fp ON usage (session_id, fp)');
    const legacy = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'usage_totals'").get() !== undefined;
    if (legacy) {
      this.db.transaction(() => {
        this.db.exec(`INSERT OR IGNORE INTO usage_series (run_id, metric, series, start, model, temporality, value, updated_at)
          SELECT run_id, metric, 'legacy:' || model, '0', model, 2, value, updated_at FROM usage_totals`);
        this.db.exec('DROP TABLE usage_totals');
      })();
    }
  }

  /** Called after usage is recorded or a budget raised (the editor refreshes the run's cost and budget). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch (e) {
        this.o.log?.(`usage change listener failed: ${(e as Error)?.message ?? String(e)}`);
      }
    }
  }

  private runOf(agent: AgentName, sessionId: string, at: Date): string {
    return this.ledger.runFor(agent, sessionId, at.toISOString()).id;
  }

  /** The row key a report's own key stands for (a report matched by content to another source's row). */
  private resolve(key: string): string {
    const a = this.ledger.statement('SELECT target FROM usage_alias WHERE key = ?').get(key) as { target: string } | undefined;
    return a?.target ?? key;
  }

  /**
   * Another source's report of the same call when the two share no id: same agent and session, same
   * fingerprint, from sources this row has not heard from, closest in time (within MATCH_WINDOW_MS).
   * A row keyed by a shared id only matches a report keyed by content, and vice versa.
   */
  private counterpart(row: UsageRow, byId: boolean): UsageRow | undefined {
    const rows = this.db.prepare('SELECT * FROM usage WHERE session_id = ? AND agent = ? AND fp = ? AND key != ?').all(row.session_id, row.agent, row.fp, row.key) as UsageRow[];
    const t = Date.parse(row.at);
    const mine = sourcesOf(row.source);
    return rows
      .filter((r) => !(byId && r.by_id === 1) && !sourcesOf(r.source).some((x) => mine.includes(x)) && Math.abs(Date.parse(r.at) - t) <= MATCH_WINDOW_MS)
      .sort((a, b) => Math.abs(Date.parse(a.at) - t) - Math.abs(Date.parse(b.at) - t) || (a.at < b.at ? -1 : 1))[0];
  }

  /** Merge a report (or another row, as a report) into an earlier row of the same call (or a new row). */
  private merged(c: UsageCall, prev: UsageRow | undefined, key: string, now: Date): UsageRow {
    const tokens = {
      input: Math.max(c.tokens.input, prev?.input_tokens ?? 0),
      output: Math.max(c.tokens.output, prev?.output_tokens ?? 0),
      cacheRead: Math.max(c.tokens.cacheRead, prev?.cache_read_tokens ?? 0),
      cacheWrite: Math.max(c.tokens.cacheWrite, prev?.cache_write_tokens ?? 0),
    };
    const model = c.model ?? prev?.model ?? undefined;
    const at = prev && prev.at < c.at.toISOString() ? new Date(prev.at) : c.at;
    const priced = priceCall(model, tokens, at);
    const agentUsd = c.agentCostUsd ?? (prev?.cost_source === 'agent' ? (prev.cost_usd ?? undefined) : undefined);
    const cost = chooseCost(agentUsd, priced);
    const toolUseId = c.source !== 'otlp' && c.toolUseId ? c.toolUseId : (prev?.tool_use_id ?? c.toolUseId ?? null);
    return {
      key,
      run_id: prev?.run_id ?? this.runOf(c.agent, c.sessionId, c.at),
      agent: c.agent,
      session_id: c.sessionId,
      tool_use_id: toolUseId,
      model: model ?? null,
      input_tokens: tokens.input,
      output_tokens: tokens.output,
      cache_read_tokens: tokens.cacheRead,
      cache_write_tokens: tokens.cacheWrite,
      cost_usd: cost.usd ?? null,
      cost_source: cost.source,
      priced_usd: priced?.usd ?? null,
      source: [...new Set([...(prev ? sourcesOf(prev.source) : []), ...sourcesOf(c.source)])].sort().join('+'),
      at: at.toISOString(),
      recorded_at: now.toISOString(),
      fp: fingerprint(model, tokens),
      by_id: prev?.by_id === 1 || c.match !== 'content' ? 1 : 0,
    };
  }

  private static asCall(r: UsageRow): UsageCall {
    return {
      agent: r.agent as AgentName, sessionId: r.session_id, key: r.key, at: new Date(r.at), source: r.source as UsageCall['source'],
      tokens: { input: r.input_tokens, output: r.output_tokens, cacheRead: r.cache_read_tokens, cacheWrite: r.cache_write_tokens },
      ...(r.by_id === 1 ? {} : { match: 'content' as const }), ...(r.model ? { model: r.model } : {}),
      ...(r.cost_source === 'agent' && r.cost_usd !== null ? { agentCostUsd: r.cost_usd } : {}), ...(r.tool_use_id ? { toolUseId: r.tool_use_id } : {}),
    };
  }

  /**
   * Record one model call, merged with every other report of the same call so that each call is one
   * row, counted once: by the key the sources share (the API request id), else by content (a report
   * without a shared id is matched to another source's report with the same fingerprint, also when
   * a row completes later, e.g. a transcript message streamed in parts). Returns the stored row.
   */
  record(c: UsageCall, now = new Date()): UsageRow {
    const tx = this.db.transaction((): UsageRow => {
      const key = this.resolve(c.key);
      const prev = this.getRow.get(key) as UsageRow | undefined;
      let row = this.merged(c, prev, key, now);
      if (row.fp !== (prev?.fp ?? null)) {
        const other = this.counterpart(row, row.by_id === 1);
        if (other) {
          // One row for the call: under the shared id when either side has one.
          const keep = other.by_id === 1 ? other.key : row.key;
          const drop = keep === row.key ? other.key : row.key;
          row = this.merged(UsageStore.asCall(other), { ...row, key: keep }, keep, now);
          this.db.prepare('DELETE FROM usage WHERE key = ?').run(drop);
          this.db.prepare('UPDATE usage_alias SET target = ? WHERE target = ?').run(keep, drop);
          this.db.prepare('INSERT OR REPLACE INTO usage_alias (key, target) VALUES (?, ?)').run(drop, keep);
          if (c.key !== keep) this.db.prepare('INSERT OR REPLACE INTO usage_alias (key, target) VALUES (?, ?)').run(c.key, keep);
        }
      }
      this.putRow.run(row);
      return row;
    });
    const row = tx();
    this.changed();
    return row;
  }

  /** Everything usable in one decoded OTLP request. */
  ingestOtlp(_signal: Signal, data: Decoded, now = new Date()): Extracted {
    const ex = extractUsage(data);
    // One transaction per request: a batch of events costs one commit.
    this.db.transaction(() => this.ingestExtracted(ex, now))();
    if (ex.totals.length || ex.persons.length) this.changed();
    return ex;
  }

  private ingestExtracted(ex: Extracted, now: Date): void {
    for (const c of ex.calls) this.record(c, now);
    for (const p of ex.persons) this.ledger.statement('INSERT INTO person_marks (run_id, at, source) VALUES (?, ?, ?)').run(this.runOf(p.agent, p.sessionId, p.at), p.at.toISOString(), 'otlp');
    for (const t of ex.totals) {
      // One row per series and aggregation window: a cumulative series (same start at every export)
      // is replaced by its latest value; each delta window (its own start) is stored once, so a
      // re-sent export replaces instead of adding; a gauge (no start) keeps its latest value. The
      // run's total is the sum of the rows.
      const start = t.temporality === 1 && t.start === '0' ? `t${t.time}` : t.start;
      this.db
        .prepare('INSERT OR REPLACE INTO usage_series (run_id, metric, series, start, model, temporality, value, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(this.runOf(t.agent, t.sessionId, now), t.metric, t.series, start, t.model, t.temporality, t.value, now.toISOString());
    }
  }

  /** Read what the agent wrote to disk for this session since the last call (Claude transcripts, Codex rollouts, Cline sessions). */
  syncFromDisk(agent: string, sessionId: string, now = new Date(), transcriptPath?: string): number {
    if (agent === 'cline') return this.syncCline(sessionId, now, transcriptPath);
    let files: string[] = [];
    if (agent === 'claude') {
      files = claudeTranscriptFiles(this.o.claudeConfigDirs ?? [], sessionId);
      // The path the agent gave (its own config folder may not be the gate's): only its session's file.
      if (transcriptPath && isAbsolute(transcriptPath) && basename(transcriptPath) === `${sessionId}.jsonl` && !files.includes(transcriptPath)) {
        files = [...files, ...claudeTranscriptFilesAt(transcriptPath)];
      }
    }
    else if (agent === 'codex' && this.o.codexHome) files = codexRolloutFiles(this.o.codexHome, sessionId);
    let count = 0;
    for (const f of files) {
      let cur = this.cursors.get(f);
      if (!cur) this.cursors.set(f, (cur = { offset: 0 }));
      const before = cur.offset;
      const lines = readNewLines(f, cur);
      if (lines.length === 0) continue;
      const calls = agent === 'claude' ? claudeTranscriptCalls(lines, sessionId) : codexRolloutCalls(lines, sessionId, cur, f, before);
      for (const c of calls) this.record(c, now);
      count += calls.length;
    }
    return count;
  }

  /** Cline rewrites its session document after each model call: read it whole when it changed. */
  private syncCline(sessionId: string, now: Date, file: string | undefined): number {
    if (!file || !isAbsolute(file) || !isClineSessionFile(file)) return 0;
    let cur = this.cursors.get(file);
    if (!cur) this.cursors.set(file, (cur = { offset: 0 }));
    const text = readIfChanged(file, cur);
    if (text === undefined) return 0;
    const calls = clineSessionCalls(text, sessionId, file);
    // Rows already recorded from an earlier read are merged into (same key, same numbers).
    this.db.transaction(() => {
      for (const c of calls) this.record(c, now);
    })();
    return calls.length;
  }

  /** Has the model call that produced this tool call been recorded? */
  knowsToolUse(sessionId: string, toolUseId: string): boolean {
    // Polled while a budgeted hook waits for the transcript: prepared once.
    this.getToolUse ??= this.db.prepare('SELECT 1 FROM usage WHERE session_id = ? AND tool_use_id = ? LIMIT 1');
    return this.getToolUse.get(sessionId, toolUseId) !== undefined;
  }

  rowsOf(runId: string): UsageRow[] {
    return this.ledger.statement('SELECT * FROM usage WHERE run_id = ? ORDER BY at, key').all(runId) as UsageRow[];
  }

  /** The run's model calls, summed by where their dollars came from. */
  callFacts(runId: string): CallCostFacts {
    return callFactsOf(this.db, runId);
  }

  /** The agent's own cumulative cost metric for the run, when it sent one. */
  metricCost(runId: string): number | undefined {
    return metricCostOf(this.db, runId);
  }

  /** The run's cost: the one figure budgets, the status bar, the panel and `airlock log` show (src/core/run/runCost.ts). */
  runCost(runId: string): RunCost {
    return runCostOf(this.db, runId);
  }

  /** The run's cost in dollars (0 when unknown) and its calls with no known price. */
  runSpent(runId: string): { usd: number; unpriced: number } {
    const c = this.runCost(runId);
    return { usd: c.usd ?? 0, unpriced: c.unpriced };
  }

  /**
   * A UTC day's spend across runs and agents: the calls made that day, plus, for runs whose agent's
   * cumulative metric (last updated that day) exceeds their recorded calls, the difference.
   */
  daySpent(day: string): number {
    const r = this.ledger.statement('SELECT COALESCE(SUM(cost_usd), 0) AS usd FROM usage WHERE substr(at, 1, 10) = ?').get(day) as { usd: number };
    const metricRuns = this.db
      .prepare("SELECT run_id, SUM(value) AS usd FROM usage_series WHERE metric = 'cost' GROUP BY run_id HAVING substr(MAX(updated_at), 1, 10) = ?")
      .all(day) as Array<{ run_id: string; usd: number }>;
    let extra = 0;
    for (const m of metricRuns) {
      const f = this.callFacts(m.run_id);
      extra += Math.max(0, m.usd - (f.agentUsd + f.pricedUsd));
    }
    return r.usd + extra;
  }

  tokensSince(runId: string, since: Date): number {
    const r = this.ledger
      .statement('SELECT COALESCE(SUM(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens), 0) AS t FROM usage WHERE run_id = ? AND at >= ?')
      .get(runId, since.toISOString()) as { t: number };
    return r.t;
  }

  /** The latest time a person acted in this run as the agent reported it (a prompt), if any. */
  lastPersonAt(runId: string): string | undefined {
    const r = this.ledger.statement('SELECT MAX(at) AS at FROM person_marks WHERE run_id = ?').get(runId) as { at: string | null };
    return r.at ?? undefined;
  }

  notePerson(runId: string, at: Date, source: string): void {
    this.ledger.statement('INSERT INTO person_marks (run_id, at, source) VALUES (?, ?, ?)').run(runId, at.toISOString(), source);
  }

  raised(scope: string): number {
    const r = this.ledger.statement('SELECT COALESCE(SUM(extra_usd), 0) AS usd FROM budget_raises WHERE scope = ?').get(scope) as { usd: number };
    return r.usd;
  }

  /** A person raises a budget: `run:<id>` or `day:<YYYY-MM-DD>`. */
  raise(scope: string, extraUsd: number, by: string, now = new Date()): void {
    if (!Number.isFinite(extraUsd) || extraUsd <= 0) throw new Error(`a budget raise must be a positive amount of dollars, not ${extraUsd}`);
    if (!/^(run:.+|day:\d{4}-\d{2}-\d{2})$/.test(scope)) throw new Error(`unknown budget scope ${scope}`);
    this.db.prepare('INSERT INTO budget_raises (scope, extra_usd, by, at) VALUES (?, ?, ?, ?)').run(scope, extraUsd, by, now.toISOString());
    this.changed();
  }

  /** Spend facts for the budget of a run now. Throws when the store cannot be read. */
  facts(runId: string, now = new Date()): SpendFacts {
    const run = this.runSpent(runId);
    const day = dayOf(now);
    return { runSpent: run.usd, daySpent: this.daySpent(day), runRaised: this.raised(`run:${runId}`), dayRaised: this.raised(`day:${day}`), unpriced: run.unpriced };
  }

  /** The budget state of a run under the given policy budgets; an unreadable store counts as exhausted. */
  budgetState(runId: string, budgets: Budgets, now = new Date()): BudgetState {
    try {
      return computeBudget(budgets, this.facts(runId, now));
    } catch (e) {
      return computeBudget(budgets, undefined, (e as Error).message);
    }
  }

  /** A person authorizes `extraUsd` more: on the run, and on the day when the day's budget is the one exhausted. */
  authorize(runId: string, extraUsd: number, budgets: Budgets, by = 'person', now = new Date()): BudgetState {
    const before = this.budgetState(runId, budgets, now);
    const dayExhausted = before.scopes.some((s) => s.scope === 'day' && s.exhausted);
    const runExhausted = before.scopes.some((s) => s.scope === 'run' && s.exhausted);
    const tx = this.db.transaction(() => {
      if (runExhausted || !dayExhausted) this.raise(`run:${runId}`, extraUsd, by, now);
      if (dayExhausted) this.raise(`day:${dayOf(now)}`, extraUsd, by, now);
      this.notePerson(runId, now, 'budget-raise');
    });
    tx();
    return this.budgetState(runId, budgets, now);
  }
}

/** Where this machine's agents keep their session files (CLAUDE_CONFIG_DIR or ~/.claude; CODEX_HOME or ~/.codex). */
export function usageStoreOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): UsageStoreOptions {
  const home = env.HOME ?? homedir();
  return { claudeConfigDirs: [env.CLAUDE_CONFIG_DIR ?? join(home, '.claude')], codexHome: env.CODEX_HOME ?? join(home, '.codex') };
}
