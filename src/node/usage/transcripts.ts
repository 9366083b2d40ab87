/**
 * Fallback usage readers for what agents write to disk, read incrementally (only the bytes added
 * since the last read, complete lines only).
 *
 * - Claude Code: `<config>/projects/<cwd slug>/<session id>.jsonl`, sub-agents in
 *   `<config>/projects/<cwd slug>/<session id>/subagents/**\/agent-*.jsonl` (observed with 2.1.197).
 *   Assistant lines carry `message.usage`, `message.id`, `requestId`; a message streamed as several
 *   content blocks is written as several lines with the same id: deduplicated by message id. The
 *   tool_use blocks of a message are the steps that followed that model call (exact attribution).
 *   Claude Code writes the assistant line before it runs the tool's PreToolUse hook, so the gate can
 *   count the call that produced the tool call it is judging.
 * - Codex: `<CODEX_HOME>/sessions/YYYY/MM/DD/rollout-*-<session id>.jsonl`, `event_msg` lines with
 *   `payload.type == "token_count"` and `payload.info.last_token_usage` (per call) /
 *   `total_token_usage`; the model from `turn_context` lines. (Format from Codex's source and docs;
 *   compressed `.jsonl.zst` files are not read.)
 * - Cline 3.x: `<data dir>/sessions/<root session id>/<root session id>.messages.json` (data dir
 *   `CLINE_DATA_DIR` or `--data-dir`, default `~/.cline/data`; observed with 3.0.65), one JSON document
 *   that Cline rewrites after each model call: assistant messages carry `metrics` ({inputTokens,
 *   outputTokens, cacheReadTokens, cacheWriteTokens, cost?}, input counting the cached parts, as in
 *   Cline's own price formula) and `modelInfo.id`. Re-read whole when its size or time changes; the
 *   message id is the dedup key. Cline's hook payloads name the root session id, and its shim
 *   passes the file's path (src/node/agents/dialects/cline.ts).
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { UsageCall } from './otlp/extract';

const MAX_READ = 64 * 1024 * 1024;

/** Where one file was read up to. */
export interface Cursor {
  offset: number;
  /** Files read whole (Cline's session document): the modification time last read. */
  mtimeMs?: number;
  /** Codex: the model named by the latest turn_context line. */
  model?: string;
}

/** New complete lines of `file` after `cursor.offset`; advances the cursor. */
export function readNewLines(file: string, cursor: Cursor): string[] {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return [];
  }
  if (size < cursor.offset) cursor.offset = 0; // truncated or replaced: read again (dedup keys make it harmless)
  if (size === cursor.offset) return [];
  const len = Math.min(size - cursor.offset, MAX_READ);
  const buf = Buffer.alloc(len);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, len, cursor.offset);
  } finally {
    closeSync(fd);
  }
  const end = buf.lastIndexOf(0x0a);
  if (end < 0) return [];
  cursor.offset += end + 1;
  return buf.subarray(0, end).toString('utf8').split('\n').filter((l) => l.trim().length > 0);
}

/** A whole file when it changed since the cursor saw it (size or modification time), else undefined. */
export function readIfChanged(file: string, cursor: Cursor): string | undefined {
  let st;
  try {
    st = statSync(file);
  } catch {
    return undefined;
  }
  if (!st.isFile() || st.size > MAX_READ || (st.size === cursor.offset && st.mtimeMs === cursor.mtimeMs)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  cursor.offset = st.size;
  cursor.mtimeMs = st.mtimeMs;
  return text;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

function parse(line: string): Obj | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Usage calls in Claude Code transcript lines (deduplicated by message id, last line wins). */
export function claudeTranscriptCalls(lines: string[], fallbackSession?: string): UsageCall[] {
  const byId = new Map<string, UsageCall>();
  for (const line of lines) {
    const d = parse(line);
    if (!d || d.type !== 'assistant' || !isObj(d.message)) continue;
    const m = d.message;
    const u = m.usage;
    if (!isObj(u) || typeof m.id !== 'string') continue;
    const sessionId = typeof d.sessionId === 'string' ? d.sessionId : fallbackSession;
    if (!sessionId) continue;
    const reqId = typeof d.requestId === 'string' ? d.requestId : undefined;
    const tools = Array.isArray(m.content) ? m.content.filter((c): c is Obj => isObj(c) && c.type === 'tool_use' && typeof c.id === 'string').map((c) => c.id as string) : [];
    const prev = byId.get(m.id);
    const at = typeof d.timestamp === 'string' && !Number.isNaN(Date.parse(d.timestamp)) ? new Date(d.timestamp) : new Date(0);
    const call: UsageCall = {
      agent: 'claude',
      sessionId,
      // The same key the OTLP api_request event gets (session + its request_id), so both sources merge.
      key: reqId ? `claude:${sessionId}:${reqId}` : `claude:${sessionId}:msg:${m.id}`,
      ...(reqId ? {} : { match: 'content' as const }),
      ...(typeof m.model === 'string' ? { model: m.model } : {}),
      tokens: { input: num(u.input_tokens), output: num(u.output_tokens), cacheRead: num(u.cache_read_input_tokens), cacheWrite: num(u.cache_creation_input_tokens) },
      at: prev?.at ?? at,
      source: 'transcript',
      ...(prev?.toolUseId ? { toolUseId: prev.toolUseId } : tools[0] ? { toolUseId: tools[0] } : {}),
    };
    byId.set(m.id, call);
  }
  // `<synthetic>` messages (errors Claude Code writes itself) cost nothing and were never billed.
  return [...byId.values()].filter((c) => c.model !== '<synthetic>');
}

/** Usage calls in Codex rollout lines: one per `token_count` event (its last_token_usage). */
export function codexRolloutCalls(lines: string[], sessionId: string, cursor: Cursor, file: string, lineBase: number): UsageCall[] {
  const out: UsageCall[] = [];
  lines.forEach((line, i) => {
    const d = parse(line);
    if (!d || !isObj(d.payload)) return;
    const p = d.payload;
    if (d.type === 'turn_context' && typeof p.model === 'string') cursor.model = p.model;
    if (d.type !== 'event_msg' || p.type !== 'token_count' || !isObj(p.info) || !isObj(p.info.last_token_usage)) return;
    const u = p.info.last_token_usage;
    const cached = num(u.cached_input_tokens);
    const at = typeof d.timestamp === 'string' && !Number.isNaN(Date.parse(d.timestamp)) ? new Date(d.timestamp) : new Date(0);
    out.push({
      agent: 'codex',
      sessionId,
      key: `codex:rollout:${basename(file)}:${lineBase + i}:${typeof d.timestamp === 'string' ? d.timestamp : ''}`,
      match: 'content',
      ...(cursor.model ? { model: cursor.model } : {}),
      // OpenAI counts cached input inside input_tokens and reasoning inside output_tokens.
      tokens: { input: Math.max(0, num(u.input_tokens) - cached), output: num(u.output_tokens), cacheRead: cached, cacheWrite: 0 },
      at,
      source: 'rollout',
    });
  });
  return out;
}

/** Is `file` a Cline session document (`<id>/<id>.messages.json`)? Only such a path is read. */
export function isClineSessionFile(file: string): boolean {
  const m = /^([A-Za-z0-9._-]{1,200})\.messages\.json$/.exec(basename(file));
  return m !== null && basename(join(file, '..')) === m[1];
}

/**
 * Usage calls in a Cline session document: one per assistant message with metrics. `sessionId` is
 * the run's session (the task id Cline's hooks send); the key is the root session and message id.
 */
export function clineSessionCalls(text: string, sessionId: string, file: string): UsageCall[] {
  const d = parse(text);
  if (!d || !Array.isArray(d.messages)) return [];
  const root = basename(file).replace(/\.messages\.json$/, '');
  const out: UsageCall[] = [];
  for (const m of d.messages) {
    if (!isObj(m) || m.role !== 'assistant' || typeof m.id !== 'string' || !isObj(m.metrics)) continue;
    const u = m.metrics;
    const cacheRead = num(u.cacheReadTokens);
    const cacheWrite = num(u.cacheWriteTokens);
    const tokens = { input: Math.max(0, num(u.inputTokens) - cacheRead - cacheWrite), output: num(u.outputTokens), cacheRead, cacheWrite };
    // Cline's cost is 0 when it has no price for the model: not a price, the table's is used.
    const cost = typeof u.cost === 'number' && Number.isFinite(u.cost) && u.cost > 0 ? u.cost : undefined;
    const model = isObj(m.modelInfo) && typeof m.modelInfo.id === 'string' ? m.modelInfo.id : undefined;
    out.push({
      agent: 'cline',
      sessionId,
      key: `cline:${root}:${m.id}`,
      ...(model ? { model } : {}),
      tokens,
      ...(cost !== undefined ? { agentCostUsd: cost } : {}),
      at: typeof m.ts === 'number' && Number.isFinite(m.ts) ? new Date(m.ts) : new Date(0),
      source: 'transcript',
    });
  }
  return out;
}

function listJsonl(dir: string, depth: number): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() && depth > 0 ? listJsonl(join(dir, e.name), depth - 1) : e.isFile() && e.name.endsWith('.jsonl') ? [join(dir, e.name)] : []));
}

/** Claude Code's transcript files for a session (main file first, then sub-agents), under each config dir. */
export function claudeTranscriptFiles(configDirs: string[], sessionId: string): string[] {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(sessionId)) return [];
  const out: string[] = [];
  for (const cfg of configDirs) {
    const projects = join(cfg, 'projects');
    let dirs: string[];
    try {
      dirs = readdirSync(projects, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(projects, e.name));
    } catch {
      continue;
    }
    // Every project folder is looked in on every call: a missing file is the usual answer, so it is
    // asked without an exception (~10 µs each, ~0.4 ms a call with 50 projects).
    for (const d of dirs) {
      const main = join(d, `${sessionId}.jsonl`);
      try {
        if (!statSync(main, { throwIfNoEntry: false })?.isFile()) continue;
      } catch {
        continue;
      }
      out.push(main, ...listJsonl(join(d, sessionId, 'subagents'), 3));
    }
  }
  return out;
}

/** A session's main transcript file as the agent named it, and its sub-agents' files next to it. */
export function claudeTranscriptFilesAt(main: string): string[] {
  try {
    if (!statSync(main, { throwIfNoEntry: false })?.isFile()) return [];
  } catch {
    return [];
  }
  return [main, ...listJsonl(join(main.slice(0, -'.jsonl'.length), 'subagents'), 3)];
}

/** Codex rollout files for a session id (searches the dated folders). */
export function codexRolloutFiles(codexHome: string, sessionId: string): string[] {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(sessionId)) return [];
  return listJsonl(join(codexHome, 'sessions'), 3).filter((f) => basename(f).startsWith('rollout-') && basename(f).includes(sessionId));
}
