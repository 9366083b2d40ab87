/**
 * The model calls of some runs read straight from a ledger database's usage table, as the
 * OpenTelemetry export wants them (read-only callers such as `airlock export`).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ModelCallUsage } from './otelExport';
import type { UsageRow } from './usageSchema';

const PROVIDERS: Record<string, string> = { claude: 'anthropic', codex: 'openai', gemini: 'gcp.gemini', copilot: 'github' };

/**
 * The model calls of some runs as the OpenTelemetry export wants them (chat spans). Reads the usage
 * table of a ledger database directly (read-only callers such as `airlock export`); no table, no calls.
 */
export function modelCallsFor(db: BetterSqlite3.Database, runIds: readonly string[]): ModelCallUsage[] {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'usage'").get() !== undefined;
  if (!has || runIds.length === 0) return [];
  const q = db.prepare('SELECT * FROM usage WHERE run_id = ? ORDER BY at, key');
  return runIds.flatMap((id) =>
    (q.all(id) as UsageRow[]).map((r) => ({
      id: r.key,
      runId: r.run_id,
      model: r.model ?? 'unknown',
      ...(PROVIDERS[r.agent] ? { provider: PROVIDERS[r.agent] } : {}),
      startedAt: r.at,
      inputTokens: r.input_tokens,
      outputTokens: r.output_tokens,
      cacheReadTokens: r.cache_read_tokens,
      cacheWriteTokens: r.cache_write_tokens,
      costUsd: r.cost_usd,
      costSource: r.cost_source,
    })),
  );
}

