/**
 * `airlock hooks install|uninstall|status`: puts Airlock's shim into each agent's hook config, takes
 * it out again, and proves it works with a canary. The merge rules are pure (core/hooks); this file
 * does the I/O: backups, atomic writes, Codex trust, and running the installed command.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { READ_PROBE_COMMAND, canarySource, judgeCanary, type HookAnswer } from '../../../core/hooks/canary';
import { pluginArgv, pluginSource } from './plugins';
import type { Recorded } from '../../../core/hooks/recorded';
import { codexPositionsAfterRemoval, codexTrustHash, codexTrustKey, readCodexTrust, removeCodexTrust, renameCodexTrust, upsertCodexTrust } from '../../../core/hooks/codexTrust';
import {
  AGENTS,
  JSON_LAYOUTS,
  clineScript,
  clineScriptCommand,
  findJson,
  formatJson,
  installJson,
  isAirlockCommand,
  isObject,
  isOnlySkeleton,
  uninstallJson,
  shimTimeoutMs,
  handlerCommand,
  isFileAgent,
  type Agent,
  type FileAgent,
  type Scope,
} from '../../../core/hooks/installEntries';
import { HookConfigError, backupOnce, codexConfigToml, configPath, pluginPath, readJsonConfig, readText, removeFile, writeAtomic, type HookPaths } from './configFiles';

export interface InstallerContext extends HookPaths {
  /** Airlock's state directory (records which config files Airlock created). */
  airlockHome: string;
  /** Absolute node binary and absolute dist/cli.js: the installed command uses both, so PATH cannot break it. */
  nodePath: string;
  cliPath: string;
  now?: () => Date;
  /** Environment for canary runs (AIRLOCK_HOME must match the shim's). */
  env?: NodeJS.ProcessEnv;
}

export interface InstallOutcome {
  agent: Agent;
  scope: Scope;
  file: string;
  changed: boolean;
  backup?: string;
  /** Codex: the trust entry written into config.toml. */
  trust?: { file: string; key: string; hash: string };
}

function quote(s: string): string {
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** dist/hook.js beside dist/cli.js: the lean shim entry (same argv), when it exists. */
function hookEntry(cliPath: string): string {
  const lean = join(dirname(cliPath), 'hook.js');
  return existsSync(lean) ? lean : cliPath;
}

export function shimCommandFor(agent: Agent, ctx: Pick<InstallerContext, 'nodePath' | 'cliPath'>): string {
  const t = shimTimeoutMs(agent);
  return `${quote(ctx.nodePath)} ${quote(hookEntry(ctx.cliPath))} hook ${agent}${t === undefined ? '' : ` --timeout-ms ${t}`}`;
}

// --- record of the config files Airlock created (so uninstall can delete them, not leave `{}`) ---
const recordFile = (ctx: InstallerContext) => join(ctx.airlockHome, 'hooks-created.json');
function readCreated(ctx: InstallerContext): string[] {
  try {
    const v = JSON.parse(readFileSync(recordFile(ctx), 'utf8')) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
function writeCreated(ctx: InstallerContext, list: string[]): void {
  mkdirSync(ctx.airlockHome, { recursive: true, mode: 0o700 });
  writeFileSync(recordFile(ctx), `${JSON.stringify([...new Set(list)].sort(), null, 2)}\n`, { mode: 0o600 });
}

export function install(agent: Agent, scope: Scope, ctx: InstallerContext): InstallOutcome {
  const file = configPath(agent, scope, ctx);
  const now = (ctx.now ?? (() => new Date()))();
  const command = shimCommandFor(agent, ctx);
  if (isFileAgent(agent)) return installFiles(agent, scope, ctx, now);
  const { text, value } = readJsonConfig(file);
  let merged;
  try {
    merged = installJson(agent, value, command);
  } catch (e) {
    throw new HookConfigError(`${file}: ${(e as Error).message}; Airlock will not overwrite it`, file);
  }
  const out: InstallOutcome = { agent, scope, file, changed: merged.changed };
  if (merged.changed) {
    const backup = backupOnce(file, now);
    if (backup) out.backup = backup;
    if (text === undefined) writeCreated(ctx, [...readCreated(ctx), file]);
    writeAtomic(file, formatJson(merged.config, text));
  }
  if (agent === 'codex') {
    const found = findJson('codex', merged.config).find((f) => f.command === command);
    if (!found || found.group === undefined || found.handler === undefined) throw new HookConfigError('internal: Airlock entry missing after install', file);
    const tomlPath = codexConfigToml(file);
    const key = codexTrustKey(file, found.group, found.handler);
    const hash = codexTrustHash(command);
    const before = readText(tomlPath) ?? '';
    const after = upsertCodexTrust(before, key, hash);
    if (after !== before) {
      if (readText(tomlPath) === undefined) writeCreated(ctx, [...readCreated(ctx), tomlPath]);
      backupOnce(tomlPath, now);
      writeAtomic(tomlPath, after);
      out.changed = true;
    }
    out.trust = { file: tomlPath, key, hash };
  }
  return out;
}

/** The file Airlock owns for a file agent: Cline's hook script, or the OpenCode / Kilo plugin. */
function ownedFiles(agent: FileAgent, scope: Scope, ctx: InstallerContext): Array<{ path: string; text: string; mode: number; argvOf: (t: string) => unknown }> {
  if (agent === 'cline') return [{ path: configPath('cline', scope, ctx), text: clineScript(shimCommandFor('cline', ctx)), mode: 0o755, argvOf: clineScriptCommand }];
  return [{ path: pluginPath(agent, scope, ctx), text: pluginSource(agent, shimArgvFor(agent, ctx)), mode: 0o644, argvOf: (t) => pluginArgv(t, agent) }];
}

function installFiles(agent: FileAgent, scope: Scope, ctx: InstallerContext, now: Date): InstallOutcome {
  const files = ownedFiles(agent, scope, ctx);
  // Refuse before writing anything: a file of the person's own is never overwritten.
  for (const f of files) {
    const text = readText(f.path);
    if (text !== undefined && f.argvOf(text) === undefined) {
      throw new HookConfigError(`${f.path} already exists and is not Airlock's; merge by hand (Airlock's version calls: ${shimCommandFor(agent, ctx)})`, f.path);
    }
  }
  let changed = false;
  for (const f of files) {
    const text = readText(f.path);
    if (text === f.text) continue;
    if (text === undefined) writeCreated(ctx, [...readCreated(ctx), f.path]);
    else backupOnce(f.path, now);
    writeAtomic(f.path, f.text, f.mode);
    changed = true;
  }
  return { agent, scope, file: files[0]!.path, changed };
}

/** The shim's argv for a plugin (no shell: spawned directly). */
export function shimArgvFor(agent: Agent, ctx: Pick<InstallerContext, 'nodePath' | 'cliPath'>): string[] {
  const t = shimTimeoutMs(agent);
  return [ctx.nodePath, hookEntry(ctx.cliPath), 'hook', agent, ...(t === undefined ? [] : ['--timeout-ms', String(t)])];
}

export interface UninstallOutcome {
  agent: Agent;
  scope: Scope;
  file: string;
  changed: boolean;
  removedFile: boolean;
}

export function uninstall(agent: Agent, scope: Scope, ctx: InstallerContext): UninstallOutcome {
  const file = configPath(agent, scope, ctx);
  const created = readCreated(ctx);
  const forget = () => writeCreated(ctx, readCreated(ctx).filter((f) => f !== file));
  if (isFileAgent(agent)) {
    let changed = false;
    for (const f of ownedFiles(agent, scope, ctx)) {
      const text = readText(f.path);
      if (text === undefined || f.argvOf(text) === undefined) continue;
      removeFile(f.path);
      writeCreated(ctx, readCreated(ctx).filter((x) => x !== f.path));
      changed = true;
    }
    return { agent, scope, file, changed, removedFile: changed };
  }
  const { text, value } = readJsonConfig(file);
  if (!value) return { agent, scope, file, changed: false, removedFile: false };
  if (agent === 'codex') uninstallCodexTrust(file, value, ctx);
  const res = uninstallJson(agent, value);
  if (!res.changed) return { agent, scope, file, changed: false, removedFile: false };
  // Delete the file only when Airlock created it (or it is Airlock's own file) and nothing else is left.
  const ours = created.includes(file) || (agent === 'copilot' && file.endsWith('airlock.json'));
  if (ours && isOnlySkeleton(agent, res.config)) {
    removeFile(file);
    forget();
    return { agent, scope, file, changed: true, removedFile: true };
  }
  writeAtomic(file, formatJson(res.config, text));
  return { agent, scope, file, changed: true, removedFile: false };
}

/** Removes Airlock's trust entries and re-keys the user's own ones whose positions shift. */
function uninstallCodexTrust(file: string, value: Record<string, unknown>, ctx: InstallerContext): void {
  const tomlPath = codexConfigToml(file);
  const before = readText(tomlPath);
  if (before === undefined) return;
  const hooks = isObject(value.hooks) ? value.hooks : {};
  const groups = Array.isArray(hooks.PreToolUse) ? hooks.PreToolUse : [];
  let toml = before;
  for (const f of findJson('codex', value)) {
    if (f.group !== undefined && f.handler !== undefined) toml = removeCodexTrust(toml, codexTrustKey(file, f.group, f.handler));
  }
  const moves = codexPositionsAfterRemoval(groups, (h) => isAirlockCommand(handlerCommand(h)));
  // Rename in ascending order: positions only ever move down, so no rename overwrites a pending one.
  for (const [from, to] of [...moves.entries()].sort((a, b) => cmpPos(a[0], b[0]))) {
    if (from === to) continue;
    const [fg, fh] = from.split(':');
    const [tg, th] = to.split(':');
    toml = renameCodexTrust(toml, codexTrustKey(file, Number(fg), Number(fh)), codexTrustKey(file, Number(tg), Number(th)));
  }
  if (toml === before) return;
  const created = readCreated(ctx);
  if (toml.trim() === '' && created.includes(tomlPath)) {
    removeFile(tomlPath);
    writeCreated(ctx, created.filter((f) => f !== tomlPath));
    return;
  }
  backupOnce(tomlPath, (ctx.now ?? (() => new Date()))());
  writeAtomic(tomlPath, toml);
}

function cmpPos(a: string, b: string): number {
  const [ag, ah] = a.split(':').map(Number);
  const [bg, bh] = b.split(':').map(Number);
  return ag! - bg! || ah! - bh!;
}

// --- status ---------------------------------------------------------------------------------

export type HookState = 'OK' | 'MISSING' | 'BROKEN';

export interface StatusRow {
  agent: Agent;
  scope: Scope;
  file: string;
  state: HookState;
  detail: string;
  command?: string;
  /** Plugin agents: the plugin's shim argv (the plugin itself is what the canary runs). */
  plugin?: string[];
  /**
   * Does the agent run this entry at all? Codex: the trust entry in config.toml; Gemini: the
   * project folder is trusted (Gemini loads no hooks, user ones included, in an untrusted folder);
   * Copilot and Qwen project hooks: the project folder is trusted. Absent where nothing gates it.
   */
  trusted?: boolean;
  /** The canary fired: the entry denied the destructive probe and let the read through. */
  fires?: boolean;
  /** The agent payload the canary used, and its version ("cline 3.0.65 (recorded from the real agent)"). */
  checkedAgainst?: string;
}

/** Runs the installed command itself with the agent's payload for `rm -rf ~`, as the agent would. */
export function runHookCommand(command: string, payload: unknown, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<HookAnswer> {
  return new Promise((resolveRun) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolveRun({ exitCode: null, stdout, stderr: stderr + String(e), timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ exitCode: code, stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => undefined); // a hook that exits without reading stdin
    child.stdin.end(JSON.stringify(payload));
  });
}

function inspect(agent: Agent, scope: Scope, ctx: HookPaths): StatusRow {
  let file = '';
  try {
    file = configPath(agent, scope, ctx);
  } catch (e) {
    return { agent, scope, file: (e as HookConfigError).path ?? '', state: 'MISSING', detail: (e as Error).message };
  }
  if (agent === 'cline') {
    const text = readText(file);
    const command = text === undefined ? undefined : clineScriptCommand(text);
    if (text === undefined) return { agent, scope, file, state: 'MISSING', detail: 'no PreToolUse script' };
    if (!command) return { agent, scope, file, state: 'MISSING', detail: 'a PreToolUse script exists but it is not Airlock’s' };
    return { agent, scope, file, state: 'OK', detail: 'installed', command };
  }
  if (agent === 'opencode' || agent === 'kilo') {
    const text = readText(file);
    if (text === undefined) return { agent, scope, file, state: 'MISSING', detail: 'no Airlock plugin' };
    const argv = pluginArgv(text, agent);
    if (!argv) return { agent, scope, file, state: 'MISSING', detail: 'a plugin file of that name exists but it is not Airlock’s' };
    return { agent, scope, file, state: 'OK', detail: 'plugin installed', plugin: argv, command: argv.map(quote).join(' ') };
  }
  let value;
  try {
    value = readJsonConfig(file).value;
  } catch (e) {
    return { agent, scope, file, state: 'BROKEN', detail: (e as Error).message };
  }
  const found = findJson(agent, value);
  if (found.length === 0) return { agent, scope, file, state: 'MISSING', detail: existsSync(file) ? 'no Airlock entry' : 'no config file' };
  const missingEvents = JSON_LAYOUTS[agent].events.filter((e) => !found.some((f) => f.event === e));
  const command = found[0]!.command;
  if (missingEvents.length > 0) return { agent, scope, file, state: 'BROKEN', detail: `Airlock entry missing for ${missingEvents.join(', ')}`, command };
  if (agent === 'codex') {
    const f = found[0]!;
    const key = codexTrustKey(file, f.group ?? 0, f.handler ?? 0);
    const recorded = readCodexTrust(readText(codexConfigToml(file)) ?? '', key);
    const trusted = recorded === codexTrustHash(command);
    if (!trusted) return { agent, scope, file, state: 'BROKEN', detail: `hook not trusted in ${codexConfigToml(file)} (Codex skips it silently): run airlock hooks install codex`, command, trusted };
    return { agent, scope, file, state: 'OK', detail: 'installed and trusted', command, trusted };
  }
  const row: StatusRow = { agent, scope, file, state: 'OK', detail: 'installed', command };
  const trust = folderTrust(agent, scope, ctx);
  if (trust) {
    row.trusted = trust.trusted;
    row.detail += `; ${trust.detail}`;
  }
  return row;
}

/** Folder trust that decides whether the agent runs the hook in the project folder at all. */
export function folderTrust(agent: Agent, scope: Scope, ctx: HookPaths): { trusted: boolean; detail: string } | undefined {
  const dir = resolve(ctx.projectDir);
  if (agent === 'gemini') {
    // Gemini CLI: no hooks at all (user hooks included) in a folder the person has not trusted.
    const file = join(ctx.home, '.gemini', 'trustedFolders.json');
    let rules: Record<string, unknown> = {};
    try {
      const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (isObject(v)) rules = v;
    } catch {
      /* no trust recorded */
    }
    const hit = Object.entries(rules).find(([folder, how]) => {
      const f = resolve(folder);
      if (how === 'TRUST_FOLDER') return dir === f || dir.startsWith(`${f}/`);
      if (how === 'TRUST_PARENT') return dir.startsWith(`${dirname(f)}/`) || dir === dirname(f);
      return false;
    });
    return hit
      ? { trusted: true, detail: `${dir} is trusted in ${file}` }
      : { trusted: false, detail: `${dir} is not trusted in ${file}: Gemini CLI loads no hooks there (trust the folder in Gemini first)` };
  }
  if (agent === 'copilot' && scope === 'project') {
    const file = join(ctx.home, '.copilot', 'config.json');
    let folders: unknown[] = [];
    try {
      const v = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      folders = Array.isArray(v.trusted_folders) ? v.trusted_folders : Array.isArray(v.trustedFolders) ? v.trustedFolders : [];
    } catch {
      /* none */
    }
    const ok = folders.some((f) => typeof f === 'string' && (dir === resolve(f) || dir.startsWith(`${resolve(f)}/`)));
    return ok ? { trusted: true, detail: `${dir} is a trusted folder in ${file}` } : { trusted: false, detail: `${dir} is not a trusted folder in ${file}: Copilot CLI ignores project hooks there` };
  }
  return undefined;
}

/** Runs an installed plugin (as its agent would load it) with the recorded arguments of its hook. */
const PLUGIN_RUNNER = String.raw`
const [file, agent, payloadJson] = process.argv.slice(1);
const print = (o) => process.stdout.write(JSON.stringify({ airlockPluginRun: true, ...o }) + '\n');
(async () => {
  const src = require('node:fs').readFileSync(file, 'utf8');
  const payload = JSON.parse(payloadJson);
  const mod = await import('data:text/javascript;base64,' + Buffer.from(src).toString('base64'));
  const plugin = Object.values(mod).find((x) => typeof x === 'function');
  const hooks = await plugin({ directory: process.cwd(), worktree: process.cwd() });
  try {
    await hooks['tool.execute.before'](payload.input, payload.output);
    print({ blocked: false });
  } catch (e) {
    print({ blocked: true, reason: String(e && e.message) });
  }
})().catch((e) => print({ error: String(e && e.stack || e) }));
`;

function runPlugin(row: StatusRow, payload: unknown, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number, nodePath: string): Promise<HookAnswer> {
  const argv = [nodePath, '-e', PLUGIN_RUNNER, row.file, row.agent, JSON.stringify(payload)];
  return runHookCommand(argv.map(quote).join(' '), {}, cwd, env, timeoutMs);
}

/**
 * The agents whose Airlock hook entries are installed and would run for work in `projectDir`: the
 * user-scope entry or the project's own, read from the agents' config files (no canary: cheap
 * enough for every judgement). An entry the agent skips (Codex without its trust entry, Gemini or
 * Copilot in a folder they do not trust) does not count. Never throws: an unreadable config is
 * not installed.
 */
export function installedAgents(p: HookPaths): Agent[] {
  const out: Agent[] = [];
  for (const agent of AGENTS) {
    for (const scope of ['user', 'project'] as const) {
      if (scope === 'project' && agent === 'codex') continue;
      let row: StatusRow;
      try {
        row = inspect(agent, scope, p);
      } catch {
        continue;
      }
      if (row.state === 'OK' && row.trusted !== false) {
        out.push(agent);
        break;
      }
    }
  }
  return out;
}

export interface StatusOptions {
  agents?: readonly Agent[];
  includeProject?: boolean;
  canaryTimeoutMs?: number;
  /** Replaces the recorded payload of an agent (tests feed one from another version). */
  recordedOverride?: Partial<Record<Agent, Recorded>>;
}

/** Every agent's user-scope state, plus project-scope rows that exist; canaries for the installed ones. */
export async function status(ctx: InstallerContext, opts: StatusOptions = {}): Promise<StatusRow[]> {
  const rows: StatusRow[] = [];
  for (const agent of opts.agents ?? AGENTS) {
    rows.push(inspect(agent, 'user', ctx));
    if (opts.includeProject !== false && agent !== 'codex') {
      const p = inspect(agent, 'project', ctx);
      if (p.state !== 'MISSING') rows.push(p);
    }
  }
  const env = { ...(ctx.env ?? process.env), AIRLOCK_HOME: ctx.airlockHome, AIRLOCK_CANARY: '1' };
  const killed = existsSync(join(ctx.airlockHome, 'killed'));
  const timeout = opts.canaryTimeoutMs ?? 20_000;
  await Promise.all(
    rows
      .filter((r) => r.state === 'OK' && r.command)
      .map(async (r) => {
        const cwd = ctx.projectDir && existsSync(ctx.projectDir) ? ctx.projectDir : dirname(r.file);
        const entry = r.plugin ? 'plugin' : r.agent === 'cline' ? 'script' : 'config';
        const override = opts.recordedOverride?.[r.agent];
        const bad = canarySource(r.agent, entry, cwd, undefined, override);
        const good = canarySource(r.agent, entry, cwd, READ_PROBE_COMMAND, override);
        r.checkedAgainst = bad.checkedAgainst;
        const run = (payload: unknown) => (r.plugin ? runPlugin(r, payload, cwd, env, timeout, ctx.nodePath) : runHookCommand(r.command!, payload, cwd, env, timeout));
        const [ba, ga] = await Promise.all([run(bad.payload), run(good.payload)]);
        const v = judgeCanary(r.agent, ba);
        const control = judgeCanary(r.agent, ga);
        const rejected = /malformed hook payload|not a [A-Za-z ]+ (hook|plugin) payload/.exec(`${v.detail} ${control.detail} ${ba.stderr} ${ga.stderr}`);
        r.fires = false;
        if (rejected) {
          r.state = 'BROKEN';
          r.detail = `${r.detail}; not working: the shim rejects ${bad.checkedAgainst}'s payload, so every call is refused (${control.detail.slice(0, 300)})`;
          return;
        }
        if (!v.denied) {
          r.state = 'BROKEN';
          r.detail = `${r.detail}; canary NOT denied: ${v.detail}${ba.stderr.trim() ? ` [stderr: ${ba.stderr.trim().split('\n')[0]!.slice(0, 200)}]` : ''}`;
          return;
        }
        if (control.denied && !killed) {
          r.state = 'BROKEN';
          r.detail = `${r.detail}; the hook denies even a read-only \`${READ_PROBE_COMMAND}\` (${control.detail}): it blocks everything instead of judging`;
          return;
        }
        r.fires = true;
        r.detail = `${r.detail}; canary denied (${v.detail})${killed ? '; kill switch latched: everything is denied' : ''}`;
      }),
  );
  return rows;
}
