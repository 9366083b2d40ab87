/**
 * Model-call usage out of decoded OTLP data, per agent. Pure functions over decoded records.
 *
 * Sources (names observed with Claude Code 2.1.197 on this machine; Codex and Gemini CLI from their
 * documentation, not observed here):
 * - Claude Code log events `claude_code.api_request` (model, input_tokens, output_tokens,
 *   cache_read_tokens, cache_creation_tokens, cost_usd, request_id, session.id, event.sequence),
 *   `claude_code.user_prompt` (a person's turn); metrics
 *   `claude_code.cost.usage` (USD) and `claude_code.token.usage` (by `type`).
 * - Codex `codex.sse_event` with event.kind `response.completed` (input_token_count includes
 *   cached_token_count; conversation.id), `codex.user_prompt`.
 * - Gemini CLI `gemini_cli.api_response` (input_token_count includes cached_content_token_count;
 *   thoughts_token_count is billed as output), `gemini_cli.user_prompt`; metric `gemini_cli.token.usage`.
 * - Qwen Code (a Gemini CLI fork; service.name `qwen-code`, observed with 0.24.4): the same events
 *   and attributes named `qwen-code.api_response`, `qwen-code.user_prompt`, `qwen-code.token.usage`.
 * - Any agent's GenAI semantic-convention spans with `gen_ai.usage.*` attributes: among them the
 *   spans Airlock's OpenCode / Kilo plugin sends for each model call (service.name `opencode` /
 *   `kilo`, src/node/agents/install/plugins.ts). A span's cost of exactly 0 for a call that used
 *   tokens is not a price (OpenCode reports 0 for a model it has no price for): the table prices it.
 */
import { createHash } from 'node:crypto';
import type { AgentName } from '../../../core/protocol/bridge';
import type { Tokens } from '../../../core/run/pricing';
import type { Attrs, Decoded, LogEvent, Scalar } from './decode';

export interface UsageCall {
  agent: AgentName;
  sessionId: string;
  /** Dedup key shared by every source that reports the same model call. */
  key: string;
  model?: string;
  tokens: Tokens;
  /** The agent's own dollar figure, when it reported one. */
  agentCostUsd?: number;
  at: Date;
  /** The tool call that followed this model call, when ids allow. */
  toolUseId?: string;
  source: 'otlp' | 'transcript' | 'rollout';
  /**
   * 'content': the key is this source's own (no id shared with the other sources, e.g. no API request
   * id), so the store matches the call to another source's report of it by its content (session,
   * model, token counts) instead of counting it twice.
   */
  match?: 'content';
}

export interface PersonMark {
  agent: AgentName;
  sessionId: string;
  at: Date;
}

export interface MetricTotal {
  agent: AgentName;
  sessionId: string;
  model: string;
  /** 'cost' (USD) or 'tokens:<type>'. */
  metric: string;
  value: number;
  /** 1 delta, 2 cumulative, 0 gauge. */
  temporality: number;
  /** The series: every attribute of the point and its resource except volatile ones (hashed). */
  series: string;
  /** The point's aggregation window start (a cumulative series keeps it; each delta window has its own). */
  start: string;
  /** The point's time (the end of its window). */
  time: string;
}

export interface Extracted {
  calls: UsageCall[];
  persons: PersonMark[];
  totals: MetricTotal[];
}


export function agentOf(resource: Attrs, name: string): AgentName | undefined {
  const svc = String(resource['service.name'] ?? '').toLowerCase();
  if (svc.startsWith('claude') || name.startsWith('claude_code.')) return 'claude';
  if (svc.startsWith('codex') || name.startsWith('codex.')) return 'codex';
  if (svc.startsWith('gemini') || name.startsWith('gemini_cli.')) return 'gemini';
  if (svc.startsWith('qwen-code') || name.startsWith('qwen-code.')) return 'qwen';
  if (svc === 'opencode') return 'opencode';
  if (svc === 'kilo') return 'kilo';
  if (svc.includes('copilot')) return 'copilot';
  if (svc.includes('cursor')) return 'cursor';
  if (svc.includes('cline')) return 'cline';
  return undefined;
}

const n = (v: Scalar | undefined): number => {
  const x = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(x) && x >= 0 ? x : 0;
};
const optNum = (v: Scalar | undefined): number | undefined => {
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(x) && x >= 0 ? x : undefined;
};
const str = (v: Scalar | undefined): string | undefined => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);

function timeOf(e: { attributes: Attrs; timeUnixNano: string }): Date {
  const ts = str(e.attributes['event.timestamp']);
  if (ts) {
    const d = new Date(ts);
    if (!Number.isNaN(d.getTime())) return d;
  }
  const ns = BigInt(e.timeUnixNano || '0');
  return new Date(Number(ns / 1_000_000n));
}

const shortName = (e: LogEvent): string => e.name.replace(/^(claude_code|codex|gemini_cli|qwen-code)\./, '');

function hashKey(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/**
 * Everything usable in one decoded request. OTLP events carry no id linking a model call to the tool
 * call that followed it (Claude Code's tool_decision events come before or after the api_request
 * event depending on hook timing, observed), so OTLP rows are not attributed to steps; the
 * transcript, which lists the tool_use ids of each message, attributes them exactly.
 */
export function extractUsage(data: Decoded): Extracted {
  const out: Extracted = { calls: [], persons: [], totals: [] };
  const logs = data.logs
    .map((e, i) => ({ e, i, agent: agentOf(e.resource, e.name) }))
    .filter((x): x is { e: LogEvent; i: number; agent: AgentName } => x.agent !== undefined)
    // Within a session, Claude Code numbers its events: process them in that order.
    .sort((a, b) => (n(a.e.attributes['event.sequence']) - n(b.e.attributes['event.sequence'])) || a.i - b.i);
  for (const { e, agent } of logs) {
    const a = e.attributes;
    const name = shortName(e);
    const sessionId = str(a['session.id']) ?? str(a['conversation.id']) ?? str(a['gen_ai.conversation.id']);
    if (!sessionId) continue;
    const at = timeOf(e);
    if (name === 'user_prompt') {
      out.persons.push({ agent, sessionId, at });
      continue;
    }
    let call: Omit<UsageCall, 'agent' | 'sessionId' | 'at' | 'source'> | undefined;
    if (agent === 'claude' && name === 'api_request') {
      const req = str(a.request_id);
      call = {
        key: req ? `claude:${sessionId}:${req}` : `claude:otlp:${hashKey([sessionId, a['prompt.id'], a['event.sequence'], a['event.timestamp']])}`,
        ...(req ? {} : { match: 'content' as const }),
        model: str(a.model),
        tokens: { input: n(a.input_tokens), output: n(a.output_tokens), cacheRead: n(a.cache_read_tokens), cacheWrite: n(a.cache_creation_tokens) },
        ...(optNum(a.cost_usd) !== undefined ? { agentCostUsd: optNum(a.cost_usd)! } : {}),
      };
    } else if (agent === 'codex' && name === 'sse_event' && str(a['event.kind']) === 'response.completed') {
      const cached = n(a.cached_token_count);
      call = {
        key: `codex:otlp:${hashKey([sessionId, a['event.timestamp'], a.input_token_count, a.output_token_count, e.timeUnixNano])}`,
        match: 'content' as const,
        model: str(a.model),
        tokens: { input: Math.max(0, n(a.input_token_count) - cached), output: n(a.output_token_count), cacheRead: cached, cacheWrite: 0 },
      };
    } else if ((agent === 'gemini' || agent === 'qwen') && name === 'api_response') {
      const cached = n(a.cached_content_token_count);
      call = {
        key: `${agent}:otlp:${hashKey([sessionId, a.prompt_id, a['event.timestamp'], e.timeUnixNano, a.total_token_count])}`,
        match: 'content' as const,
        model: str(a.model),
        tokens: { input: Math.max(0, n(a.input_token_count) - cached), output: n(a.output_token_count) + n(a.thoughts_token_count), cacheRead: cached, cacheWrite: 0 },
      };
    }
    if (!call) continue;
    out.calls.push({ ...call, agent, sessionId, at, source: 'otlp' });
  }

  for (const m of data.metrics) {
    const agent = agentOf(m.resource, m.name);
    const sessionId = str(m.attributes['session.id']);
    if (!agent || !sessionId) continue;
    const model = str(m.attributes.model) ?? '';
    const series = hashKey([m.name, Object.entries(m.attributes).sort(([a], [b]) => (a < b ? -1 : 1)), Object.entries(m.resource).sort(([a], [b]) => (a < b ? -1 : 1))]);
    const base = { agent, sessionId, model, value: m.value, temporality: m.temporality, series, start: m.startTimeUnixNano, time: m.timeUnixNano };
    if (m.name === 'claude_code.cost.usage') out.totals.push({ ...base, metric: 'cost' });
    else if (m.name === 'claude_code.token.usage' || m.name === 'gemini_cli.token.usage' || m.name === 'qwen-code.token.usage') out.totals.push({ ...base, metric: `tokens:${str(m.attributes.type) ?? 'unknown'}` });
  }

  for (const s of data.spans) {
    const a = s.attributes;
    if (a['gen_ai.usage.input_tokens'] === undefined && a['gen_ai.usage.output_tokens'] === undefined) continue;
    const agent = agentOf(s.resource, s.name);
    const sessionId = str(a['gen_ai.conversation.id']) ?? str(a['session.id']) ?? str(s.resource['session.id']);
    if (!agent || !sessionId) continue;
    const cacheRead = n(a['gen_ai.usage.cache_read.input_tokens']);
    const cacheWrite = n(a['gen_ai.usage.cache_creation.input_tokens']);
    const tokens = { input: Math.max(0, n(a['gen_ai.usage.input_tokens']) - cacheRead - cacheWrite), output: n(a['gen_ai.usage.output_tokens']), cacheRead, cacheWrite };
    const reported = optNum(a['gen_ai.usage.cost']) ?? optNum(a['cost_usd']);
    const cost = reported === 0 && tokens.input + tokens.output + tokens.cacheRead + tokens.cacheWrite > 0 ? undefined : reported;
    out.calls.push({
      agent,
      sessionId,
      key: `span:${s.traceId}:${s.spanId}`,
      match: 'content',
      model: str(a['gen_ai.response.model']) ?? str(a['gen_ai.request.model']),
      // Semantic conventions count cached input inside gen_ai.usage.input_tokens.
      tokens,
      at: new Date(Number(BigInt(s.endTimeUnixNano || '0') / 1_000_000n)),
      source: 'otlp',
      ...(cost !== undefined ? { agentCostUsd: cost } : {}),
    });
  }
  return out;
}
