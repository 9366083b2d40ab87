/**
 * `airlock hooks install|uninstall`: puts Airlock's shim into each agent's hook config and takes it
 * out again. The merge rules are pure (core/hooks); this file does the I/O: backups, atomic writes,
 * Codex trust, the files Airlock owns for file agents (Cline's scripts, the OpenCode / Kilo plugin).
 * `status.ts` proves an installed entry works with a canary; `context.ts` holds what both share.
 */
import { dirname, join } from 'node:path';
import { pluginArgv, pluginSource } from './plugins';
import { codexPositionsAfterRemoval, codexTrustHash, codexTrustKey, removeCodexTrust, renameCodexTrust, upsertCodexTrust } from '../../../core/hooks/codexTrust';
import {
  clineScript,
  clineScriptCommand,
  findJson,
  formatJson,
  installJson,
  isAirlockCommand,
  isObject,
  isOnlySkeleton,
  uninstallJson,
  handlerCommand,
  isFileAgent,
  type Agent,
  type FileAgent,
  type Scope,
} from '../../../core/hooks/installEntries';
import { HookConfigError, backupOnce, codexConfigToml, configPath, pluginPath, readJsonConfig, readText, removeFile, writeAtomic } from './configFiles';
import { readCreated, shimArgvFor, shimCommandFor, writeCreated, type InstallerContext } from './context';

export type { InstallerContext } from './context';
export { shimArgvFor, shimCommandFor } from './context';

export interface InstallOutcome {
  agent: Agent;
  scope: Scope;
  file: string;
  changed: boolean;
  backup?: string;
  /** Codex: the trust entry written into config.toml. */
  trust?: { file: string; key: string; hash: string };
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
function ownedFiles(agent: FileAgent, scope: Scope, ctx: InstallerContext): Array<{ path: string; text: string; mode: number; argvOf: (t: string) => unknown; optional?: boolean }> {
  if (agent === 'cline') {
    // PreToolUse gates each call; TaskComplete (Cline's agent_end) ends the run and reads the task's final usage.
    const pre = configPath('cline', scope, ctx);
    const script = { text: clineScript(shimCommandFor('cline', ctx)), mode: 0o755, argvOf: clineScriptCommand };
    // TaskComplete is optional: a person's own script there is left alone (the usage then waits for the next call).
    return [{ path: pre, ...script }, { path: join(dirname(pre), 'TaskComplete'), ...script, optional: true }];
  }
  return [{ path: pluginPath(agent, scope, ctx), text: pluginSource(agent, shimArgvFor(agent, ctx), ctx.otlpEndpoint), mode: 0o644, argvOf: (t) => pluginArgv(t, agent) }];
}

function installFiles(agent: FileAgent, scope: Scope, ctx: InstallerContext, now: Date): InstallOutcome {
  const files = ownedFiles(agent, scope, ctx);
  // Refuse before writing anything: a file of the person's own is never overwritten.
  const theirs = (f: (typeof files)[number]) => {
    const text = readText(f.path);
    return text !== undefined && f.argvOf(text) === undefined;
  };
  for (const f of files) {
    if (f.optional) continue;
    if (theirs(f)) {
      throw new HookConfigError(`${f.path} already exists and is not Airlock's; merge by hand (Airlock's version calls: ${shimCommandFor(agent, ctx)})`, f.path);
    }
  }
  let changed = false;
  for (const f of files) {
    if (f.optional && theirs(f)) continue;
    const text = readText(f.path);
    if (text === f.text) continue;
    if (text === undefined) writeCreated(ctx, [...readCreated(ctx), f.path]);
    else backupOnce(f.path, now);
    writeAtomic(f.path, f.text, f.mode);
    changed = true;
  }
  return { agent, scope, file: files[0]!.path, changed };
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

