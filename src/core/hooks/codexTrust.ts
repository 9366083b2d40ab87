/**
 * Codex runs a user hook only once it is trusted in `config.toml` (RECIPES.md 2b); an untrusted hook
 * is skipped without a word and the agent then runs unguarded. The trust entry is
 *   [hooks.state."<abs hooks.json>:pre_tool_use:<group>:<handler>"]
 *   trusted_hash = "sha256:<hex>"
 * where <hex> is the SHA-256 of the compact, key-sorted JSON of
 *   {"event_name":"pre_tool_use","hooks":[{"async":false,"command":…,"timeout":600,"type":"command"}],"matcher":"*"}
 * (the handler's own timeout when it sets one). The TOML edits here are line-based and touch only
 * that one table, so the rest of the user's config.toml (comments included) stays as it was.
 */
import { canonicalJson, sha256 } from '../hash';

export const CODEX_DEFAULT_TIMEOUT_SEC = 600;

export function codexTrustKey(hooksJsonPath: string, group: number, handler: number, event = 'pre_tool_use'): string {
  return `${hooksJsonPath}:${event}:${group}:${handler}`;
}

export function codexTrustHash(command: string, opts: { matcher?: string; timeoutSec?: number; event?: string } = {}): string {
  const value = {
    event_name: opts.event ?? 'pre_tool_use',
    hooks: [{ async: false, command, timeout: opts.timeoutSec ?? CODEX_DEFAULT_TIMEOUT_SEC, type: 'command' }],
    matcher: opts.matcher ?? '*',
  };
  return `sha256:${sha256(canonicalJson(value))}`;
}

/** TOML basic-string quoting for a table key. */
function tomlQuote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

function headerFor(key: string): string {
  return `[hooks.state.${tomlQuote(key)}]`;
}

/** Line range [start, end) of the table with exactly this key, or undefined. */
function findTable(lines: string[], key: string): [number, number] | undefined {
  const header = headerFor(key);
  const start = lines.findIndex((l) => l.trim() === header);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && !/^\s*\[/.test(lines[end]!)) end++;
  // Leave trailing blank lines to whatever follows.
  while (end > start + 1 && lines[end - 1]!.trim() === '') end--;
  return [start, end];
}

/** The trusted_hash recorded for a key, if any. */
export function readCodexTrust(toml: string, key: string): string | undefined {
  const lines = toml.split('\n');
  const range = findTable(lines, key);
  if (!range) return undefined;
  for (let i = range[0] + 1; i < range[1]; i++) {
    const m = /^\s*trusted_hash\s*=\s*"([^"]*)"/.exec(lines[i]!);
    if (m) return m[1];
  }
  return undefined;
}

/** Writes (or replaces) the trust table for one key; everything else is kept byte for byte. */
export function upsertCodexTrust(toml: string, key: string, hash: string): string {
  const lines = toml.split('\n');
  const range = findTable(lines, key);
  const body = [headerFor(key), `trusted_hash = ${tomlQuote(hash)}`];
  if (range) {
    lines.splice(range[0], range[1] - range[0], ...body);
    return lines.join('\n');
  }
  const base = toml.length === 0 ? '' : toml.endsWith('\n') ? toml : `${toml}\n`;
  const sep = base.length === 0 || base.endsWith('\n\n') ? '' : '\n';
  return `${base}${sep}${body.join('\n')}\n`;
}

/** Removes the trust table for one key (and the blank line Airlock put before it). */
export function removeCodexTrust(toml: string, key: string): string {
  const lines = toml.split('\n');
  const range = findTable(lines, key);
  if (!range) return toml;
  let [start, end] = range;
  // Drop the separating blank line added by upsert, and the trailing one if the table was last.
  if (start > 0 && lines[start - 1]!.trim() === '') start--;
  else if (end < lines.length && lines[end]!.trim() === '' && end + 1 < lines.length) end++;
  lines.splice(start, end - start);
  return lines.join('\n');
}

/** Renames a trust table's key (its hash stays valid: the hash covers the group, not its position). */
export function renameCodexTrust(toml: string, from: string, to: string): string {
  if (from === to) return toml;
  const lines = toml.split('\n');
  const range = findTable(lines, from);
  if (!range) return toml;
  lines[range[0]] = headerFor(to);
  return lines.join('\n');
}

/**
 * Where each PreToolUse handler of a Codex hooks.json moves when Airlock's handlers are removed:
 * "g:h" before -> "g:h" after, for the handlers that stay. Trust keys carry these positions.
 */
export function codexPositionsAfterRemoval(groups: unknown[], isOurs: (handler: unknown) => boolean): Map<string, string> {
  const map = new Map<string, string>();
  let newG = 0;
  groups.forEach((g, gi) => {
    const hooks = typeof g === 'object' && g !== null && Array.isArray((g as { hooks?: unknown }).hooks) ? ((g as { hooks: unknown[] }).hooks) : [];
    let newH = 0;
    hooks.forEach((h, hi) => {
      if (isOurs(h)) return;
      map.set(`${gi}:${hi}`, `${newG}:${newH}`);
      newH++;
    });
    if (newH > 0 || hooks.length === 0) newG++;
  });
  return map;
}
