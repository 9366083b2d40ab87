/**
 * `airlock mcp install|uninstall <agent>`: puts Airlock's MCP server (`node …/dist/cli.js mcp`) into
 * another agent's MCP configuration under the name `airlock`, and takes it out again. The same care
 * as the hook installers (src/node/agents/install/configFiles.ts): strict parse (a file that is not a
 * JSON object is never overwritten), one timestamped backup beside the file, atomic writes, other
 * settings untouched (indentation kept), and uninstall returns the file to what it was (a file or an
 * `mcpServers` object Airlock created is removed again).
 *
 * Where each agent reads MCP servers:
 *   claude   project: <project>/.mcp.json            user: ~/.claude.json           (mcpServers)
 *   codex    user:    $CODEX_HOME/config.toml (~/.codex/config.toml)  [mcp_servers.airlock]
 *   gemini   project: <project>/.gemini/settings.json user: ~/.gemini/settings.json (mcpServers)
 *   cursor   project: <project>/.cursor/mcp.json      user: ~/.cursor/mcp.json       (mcpServers)
 *   copilot  project: <project>/.vscode/mcp.json                                     (servers)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatJson, isObject } from '../../core/hooks/installEntries';
import { HookConfigError, backupOnce, readJsonConfig, readText, removeFile, writeAtomic, type HookPaths } from '../agents/install/configFiles';

export const MCP_INSTALL_AGENTS = ['claude', 'codex', 'gemini', 'cursor', 'copilot'] as const;
export type McpAgent = (typeof MCP_INSTALL_AGENTS)[number];
export type McpScope = 'user' | 'project';
export const SERVER_NAME = 'airlock';

export function isMcpAgent(s: string): s is McpAgent {
  return (MCP_INSTALL_AGENTS as readonly string[]).includes(s);
}

/** The scope used when none is given: the project for VS Code (its user config lives in the profile), else the user. */
export function defaultScope(agent: McpAgent): McpScope {
  return agent === 'copilot' ? 'project' : 'user';
}

export interface McpInstallContext extends HookPaths {
  airlockHome: string;
  nodePath: string;
  cliPath: string;
  now?: () => Date;
}

export function mcpConfigPath(agent: McpAgent, scope: McpScope, p: HookPaths): string {
  const user = scope === 'user';
  const base = user ? p.home : resolve(p.projectDir);
  switch (agent) {
    case 'claude':
      return user ? join(base, '.claude.json') : join(base, '.mcp.json');
    case 'codex':
      if (!user) throw new HookConfigError('Codex reads MCP servers from $CODEX_HOME/config.toml: use --scope user', join(base, '.codex', 'config.toml'));
      return join(p.codexHome && p.codexHome.length > 0 ? resolve(p.codexHome) : join(base, '.codex'), 'config.toml');
    case 'gemini':
      return join(base, '.gemini', 'settings.json');
    case 'cursor':
      return join(base, '.cursor', 'mcp.json');
    case 'copilot':
      if (user) throw new HookConfigError("VS Code keeps user MCP servers in its profile; the Airlock extension registers its server there itself. Use --scope project for <project>/.vscode/mcp.json", join(p.home, '.vscode', 'mcp.json'));
      return join(base, '.vscode', 'mcp.json');
  }
}

/** The server entry each agent gets (absolute node and cli.js, so PATH cannot break it). */
export function serverEntry(agent: McpAgent, ctx: Pick<McpInstallContext, 'nodePath' | 'cliPath' | 'airlockHome'>): Record<string, unknown> {
  const base = { command: ctx.nodePath, args: [ctx.cliPath, 'mcp'], env: { AIRLOCK_HOME: ctx.airlockHome } };
  // Claude Code connects MCP servers in the background and may send the first turn before they are
  // up (the model then never sees Airlock's tools); `alwaysLoad` makes it wait for this one and keeps
  // its tools loaded rather than deferred behind a tool search.
  if (agent === 'claude') return { type: 'stdio', ...base, alwaysLoad: true };
  if (agent === 'copilot') return { type: 'stdio', ...base };
  return base;
}

/** Is this entry Airlock's (so install may replace it and uninstall may remove it)? */
export function isAirlockServer(entry: unknown): boolean {
  if (!isObject(entry)) return false;
  const args = Array.isArray(entry.args) ? entry.args : [];
  const cmd = typeof entry.command === 'string' ? entry.command : '';
  const runsCli = args.some((a) => typeof a === 'string' && /(?:^|[/\\])dist[/\\]cli\.js$/.test(a)) || /(?:^|[/\\])airlock$/.test(cmd);
  return runsCli && args.includes('mcp');
}

const containerOf = (agent: McpAgent): string => (agent === 'copilot' ? 'servers' : 'mcpServers');

// --- record of what Airlock created (files, container objects), so uninstall removes exactly that ---
interface Created {
  files: string[];
  containers: string[];
}
const recordFile = (ctx: McpInstallContext) => join(ctx.airlockHome, 'mcp-installed.json');
function readCreated(ctx: McpInstallContext): Created {
  try {
    const v = JSON.parse(readFileSync(recordFile(ctx), 'utf8')) as Partial<Created>;
    return { files: Array.isArray(v.files) ? v.files.filter((x) => typeof x === 'string') : [], containers: Array.isArray(v.containers) ? v.containers.filter((x) => typeof x === 'string') : [] };
  } catch {
    return { files: [], containers: [] };
  }
}
function writeCreated(ctx: McpInstallContext, c: Created): void {
  mkdirSync(ctx.airlockHome, { recursive: true, mode: 0o700 });
  writeFileSync(recordFile(ctx), `${JSON.stringify({ files: [...new Set(c.files)].sort(), containers: [...new Set(c.containers)].sort() }, null, 2)}\n`, { mode: 0o600 });
}

export interface McpInstallOutcome {
  agent: McpAgent;
  scope: McpScope;
  file: string;
  changed: boolean;
  backup?: string;
  removedFile?: boolean;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function installMcp(agent: McpAgent, scope: McpScope, ctx: McpInstallContext): McpInstallOutcome {
  const file = mcpConfigPath(agent, scope, ctx);
  const now = (ctx.now ?? (() => new Date()))();
  if (agent === 'codex') return installCodex(file, scope, ctx, now);
  const { text, value } = readJsonConfig(file);
  const config: Record<string, unknown> = value ? { ...value } : {};
  const key = containerOf(agent);
  const had = config[key];
  if (had !== undefined && !isObject(had)) throw new HookConfigError(`${file}: "${key}" is not an object; Airlock will not overwrite it`, file);
  const servers: Record<string, unknown> = isObject(had) ? { ...had } : {};
  const want = serverEntry(agent, ctx);
  if (servers[SERVER_NAME] !== undefined && !isAirlockServer(servers[SERVER_NAME])) throw new HookConfigError(`${file}: an MCP server named "${SERVER_NAME}" exists and is not Airlock's; rename it first`, file);
  if (sameJson(servers[SERVER_NAME], want)) return { agent, scope, file, changed: false };
  servers[SERVER_NAME] = want;
  config[key] = servers;
  const out: McpInstallOutcome = { agent, scope, file, changed: true };
  const backup = backupOnce(file, now);
  if (backup) out.backup = backup;
  const rec = readCreated(ctx);
  if (text === undefined) rec.files.push(file);
  if (had === undefined) rec.containers.push(`${file}#${key}`);
  writeCreated(ctx, rec);
  writeAtomic(file, formatJson(config, text));
  return out;
}

export function uninstallMcp(agent: McpAgent, scope: McpScope, ctx: McpInstallContext): McpInstallOutcome {
  const file = mcpConfigPath(agent, scope, ctx);
  if (agent === 'codex') return uninstallCodex(file, scope, ctx);
  const { text, value } = readJsonConfig(file);
  const key = containerOf(agent);
  if (!value || !isObject(value[key]) || !isAirlockServer((value[key] as Record<string, unknown>)[SERVER_NAME])) return { agent, scope, file, changed: false };
  const rec = readCreated(ctx);
  const config: Record<string, unknown> = { ...value };
  const servers = { ...(value[key] as Record<string, unknown>) };
  delete servers[SERVER_NAME];
  const containerOurs = rec.containers.includes(`${file}#${key}`);
  if (Object.keys(servers).length === 0 && containerOurs) delete config[key];
  else config[key] = servers;
  const forget = () => writeCreated(ctx, { files: rec.files.filter((f) => f !== file), containers: rec.containers.filter((c) => c !== `${file}#${key}`) });
  if (Object.keys(config).length === 0 && rec.files.includes(file)) {
    removeFile(file);
    forget();
    return { agent, scope, file, changed: true, removedFile: true };
  }
  writeAtomic(file, formatJson(config, text));
  if (!(key in config)) forget();
  return { agent, scope, file, changed: true, removedFile: false };
}

// --- Codex: a TOML table, edited line by line (everything else kept byte for byte) ---------------

const CODEX_HEADER = `[mcp_servers.${SERVER_NAME}]`;
const tomlString = (s: string): string => JSON.stringify(s).replace(/[\u007f]/g, '\\u007f');

export function codexBlock(ctx: Pick<McpInstallContext, 'nodePath' | 'cliPath' | 'airlockHome'>): string {
  return [CODEX_HEADER, `command = ${tomlString(ctx.nodePath)}`, `args = [${[ctx.cliPath, 'mcp'].map(tomlString).join(', ')}]`, `env = { AIRLOCK_HOME = ${tomlString(ctx.airlockHome)} }`].join('\n');
}

/** [start, end) of the `[mcp_servers.airlock]` table and its sub-tables, or undefined. */
function codexRange(lines: string[]): [number, number] | undefined {
  const isOurs = (l: string): boolean => {
    const t = l.trim();
    return t === CODEX_HEADER || t.startsWith(`[mcp_servers.${SERVER_NAME}.`) || t === `[mcp_servers."${SERVER_NAME}"]`;
  };
  const start = lines.findIndex(isOurs);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && (!/^\s*\[/.test(lines[end]!) || isOurs(lines[end]!))) end++;
  while (end > start + 1 && lines[end - 1]!.trim() === '') end--;
  return [start, end];
}

function installCodex(file: string, scope: McpScope, ctx: McpInstallContext, now: Date): McpInstallOutcome {
  const text = readText(file);
  const before = text ?? '';
  if (/^\s*mcp_servers\s*=|^\s*\[mcp_servers\]\s*$[\s\S]*?^\s*airlock\s*=/m.test(before)) throw new HookConfigError(`${file}: an "airlock" MCP server is defined inline; Airlock will not rewrite it`, file);
  const lines = before.split('\n');
  const range = codexRange(lines);
  const block = codexBlock(ctx);
  let after: string;
  if (range) {
    const current = lines.slice(range[0], range[1]).join('\n');
    if (!/(^|\n)args = \[[^\n]*dist[/\\]cli\.js", "mcp"\]/.test(current)) throw new HookConfigError(`${file}: [mcp_servers.${SERVER_NAME}] exists and is not Airlock's; rename it first`, file);
    if (current === block) return { agent: 'codex', scope, file, changed: false };
    lines.splice(range[0], range[1] - range[0], ...block.split('\n'));
    after = lines.join('\n');
  } else {
    const base = before.length === 0 ? '' : before.endsWith('\n') ? before : `${before}\n`;
    const sep = base.length === 0 || base.endsWith('\n\n') ? '' : '\n';
    after = `${base}${sep}${block}\n`;
  }
  const out: McpInstallOutcome = { agent: 'codex', scope, file, changed: true };
  const backup = backupOnce(file, now);
  if (backup) out.backup = backup;
  if (text === undefined) {
    const rec = readCreated(ctx);
    rec.files.push(file);
    writeCreated(ctx, rec);
  }
  writeAtomic(file, after);
  return out;
}

function uninstallCodex(file: string, scope: McpScope, ctx: McpInstallContext): McpInstallOutcome {
  const text = readText(file);
  if (text === undefined) return { agent: 'codex', scope, file, changed: false };
  const lines = text.split('\n');
  const range = codexRange(lines);
  if (!range) return { agent: 'codex', scope, file, changed: false };
  const current = lines.slice(range[0], range[1]).join('\n');
  if (!/(^|\n)args = \[[^\n]*dist[/\\]cli\.js", "mcp"\]/.test(current)) return { agent: 'codex', scope, file, changed: false };
  let [start, end] = range;
  // Drop the blank line install put before the table (or the one after it when it was first).
  if (start > 0 && lines[start - 1]!.trim() === '') start--;
  else if (end < lines.length && lines[end]!.trim() === '' && end + 1 < lines.length) end++;
  lines.splice(start, end - start);
  const after = lines.join('\n');
  const rec = readCreated(ctx);
  if (after.trim() === '' && rec.files.includes(file)) {
    removeFile(file);
    writeCreated(ctx, { ...rec, files: rec.files.filter((f) => f !== file) });
    return { agent: 'codex', scope, file, changed: true, removedFile: true };
  }
  writeAtomic(file, after);
  return { agent: 'codex', scope, file, changed: true, removedFile: false };
}
