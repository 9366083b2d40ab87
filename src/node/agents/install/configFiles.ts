/**
 * Where each agent keeps its hook configuration, and the careful file operations used to change it:
 * strict parse (a file that is not valid JSON is never overwritten), a timestamped backup next to
 * the file the first time Airlock touches it, and atomic writes (temp file + rename, mode kept,
 * symlinked config files written through to their target).
 */
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, copyFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { isObject, type Agent, type Scope } from '../../../core/hooks/installEntries';
import type { PluginAgent } from './plugins';

export class HookConfigError extends Error {
  constructor(message: string, readonly path: string) {
    super(message);
  }
}

export interface HookPaths {
  /** The user's home (the agent's, which is normally the person's). */
  home: string;
  /** $CODEX_HOME when set. */
  codexHome?: string;
  /** Project folder for --scope project. */
  projectDir: string;
}

/** The config file Airlock writes for an agent and scope. */
export function configPath(agent: Agent, scope: Scope, p: HookPaths): string {
  const user = scope === 'user';
  const base = user ? p.home : resolve(p.projectDir);
  switch (agent) {
    case 'claude':
      return join(base, '.claude', 'settings.json');
    case 'copilot':
      return user ? join(base, '.copilot', 'hooks', 'airlock.json') : join(base, '.github', 'hooks', 'airlock.json');
    case 'cursor':
      return join(base, '.cursor', 'hooks.json');
    case 'codex':
      if (!user) throw new HookConfigError('Codex reads hooks only from $CODEX_HOME/hooks.json: use --scope user', join(base, '.codex', 'hooks.json'));
      return join(p.codexHome && p.codexHome.length > 0 ? resolve(p.codexHome) : join(base, '.codex'), 'hooks.json');
    case 'gemini':
      return join(base, '.gemini', 'settings.json');
    case 'qwen':
      return join(base, '.qwen', 'settings.json');
    case 'cline':
      return user ? clineScriptPath(p) : join(base, '.clinerules', 'hooks', 'PreToolUse');
    // Plugin agents: the plugin file.
    case 'opencode':
    case 'kilo':
      return pluginPath(agent, scope, p);
  }
}

/** Where an agent loads Airlock's plugin from (user: its config folder; project: the project's). */
export function pluginPath(agent: PluginAgent, scope: Scope, p: HookPaths): string {
  const user = scope === 'user';
  const base = user ? p.home : resolve(p.projectDir);
  switch (agent) {
    case 'opencode':
      return user ? join(base, '.config', 'opencode', 'plugins', 'airlock.js') : join(base, '.opencode', 'plugins', 'airlock.js');
    case 'kilo':
      return user ? join(base, '.config', 'kilo', 'plugins', 'airlock.js') : join(base, '.kilo', 'plugins', 'airlock.js');
  }
}

/** Cline's user-level hook script (read by Cline 3.x and by the Cline VS Code extension). */
export function clineScriptPath(p: HookPaths): string {
  return join(p.home, 'Documents', 'Cline', 'Hooks', 'PreToolUse');
}

export function codexConfigToml(hooksJson: string): string {
  return join(dirname(hooksJson), 'config.toml');
}

/** Follows a symlinked config file to the file that really holds it (so a rename does not replace the link). */
export function writeTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HookConfigError(`cannot read ${path}: ${(e as Error).message}`, path);
  }
}

/** Parses a JSON config; refuses (throws with the path) anything that is not a JSON object. */
export function readJsonConfig(path: string): { text: string | undefined; value: Record<string, unknown> | undefined } {
  const text = readText(path);
  if (text === undefined) return { text, value: undefined };
  if (text.trim() === '') return { text, value: undefined };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HookConfigError(`${path} is not valid JSON (${(e as Error).message}); fix or move it, Airlock will not overwrite it`, path);
  }
  if (!isObject(v)) throw new HookConfigError(`${path} does not hold a JSON object; Airlock will not overwrite it`, path);
  return { text, value: v as Record<string, unknown> };
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** Copies the file to `<file>.airlock-backup-<UTC stamp>` unless an Airlock backup of it already exists. */
export function backupOnce(path: string, now: Date): string | undefined {
  if (!existsSync(path)) return undefined;
  const dir = dirname(path);
  const prefix = `${basename(path)}.airlock-backup-`;
  const existing = readdirSync(dir).filter((f) => f.startsWith(prefix)).sort();
  if (existing.length > 0) return join(dir, existing[0]!);
  const dest = join(dir, `${prefix}${stamp(now)}`);
  copyFileSync(path, dest);
  return dest;
}

/** Atomic replace: write a temp file beside the target, fsync, rename over it. Keeps the old mode. */
export function writeAtomic(path: string, text: string, mode?: number): void {
  const target = writeTarget(path);
  mkdirSync(dirname(target), { recursive: true });
  let keepMode = mode;
  if (keepMode === undefined) {
    try {
      keepMode = statSync(target).mode & 0o7777;
    } catch {
      keepMode = 0o644;
    }
  }
  const tmp = join(dirname(target), `.${basename(target)}.airlock-tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, 'wx', keepMode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(tmp, keepMode);
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
}

export function removeFile(path: string): void {
  try {
    unlinkSync(writeTarget(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
