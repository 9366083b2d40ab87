/**
 * `airlock hooks install|uninstall|status`: puts Airlock's shim into each agent's hook config, takes
 * it out again, and proves it works with a canary. The merge rules are pure (core/hooks); this file
 * does the I/O: backups, atomic writes, Codex trust, and running the installed command.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { READ_PROBE_COMMAND, canaryPayload, judgeCanary, type HookAnswer } from '../../../core/hooks/canary';
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
  type Agent,
  type Scope,
} from '../../../core/hooks/installEntries';
import { HookConfigError, backupOnce, codexConfigToml, configPath, readJsonConfig, readText, removeFile, writeAtomic, type HookPaths } from './configFiles';

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
  if (agent === 'cline') {
    const text = readText(file);
    if (text !== undefined && clineScriptCommand(text) === undefined) {
      throw new HookConfigError(`${file} already exists and is not Airlock's; Cline runs one PreToolUse script, so merge by hand (call: ${command})`, file);
    }
    const want = clineScript(command);
    if (text === want) return { agent, scope, file, changed: false };
    if (text === undefined) writeCreated(ctx, [...readCreated(ctx), file]);
    writeAtomic(file, want, 0o755);
    return { agent, scope, file, changed: true };
  }
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
  if (agent === 'cline') {
    const text = readText(file);
    if (text === undefined || clineScriptCommand(text) === undefined) return { agent, scope, file, changed: false, removedFile: false };
    removeFile(file);
    forget();
    return { agent, scope, file, changed: true, removedFile: true };
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
  /** Codex only: is the trust entry in config.toml present and matching? */
  trusted?: boolean;
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

function inspect(agent: Agent, scope: Scope, ctx: InstallerContext): StatusRow {
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
  return { agent, scope, file, state: 'OK', detail: 'installed', command };
}

/** Every agent's user-scope state, plus project-scope rows that exist; canaries for the installed ones. */
export async function status(ctx: InstallerContext, opts: { agents?: readonly Agent[]; includeProject?: boolean; canaryTimeoutMs?: number } = {}): Promise<StatusRow[]> {
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
        const [bad, good] = await Promise.all([
          runHookCommand(r.command!, canaryPayload(r.agent, cwd), cwd, env, timeout),
          runHookCommand(r.command!, canaryPayload(r.agent, cwd, READ_PROBE_COMMAND), cwd, env, timeout),
        ]);
        const v = judgeCanary(r.agent, bad);
        if (!v.denied) {
          r.state = 'BROKEN';
          r.detail = `${r.detail}; canary NOT denied: ${v.detail}${bad.stderr.trim() ? ` [stderr: ${bad.stderr.trim().split('\n')[0]!.slice(0, 200)}]` : ''}`;
          return;
        }
        const control = judgeCanary(r.agent, good);
        if (control.denied && !killed) {
          r.state = 'BROKEN';
          r.detail = `${r.detail}; the hook denies even a read-only \`${READ_PROBE_COMMAND}\` (${control.detail}): it blocks everything instead of judging`;
          return;
        }
        r.detail = `${r.detail}; canary denied (${v.detail})${killed ? '; kill switch latched: everything is denied' : ''}`;
      }),
  );
  return rows;
}
