/**
 * What every part of `airlock hooks install|uninstall|status` shares: the installer's context (paths,
 * the node binary and CLI the installed command runs), the shim command written into each agent's
 * config, and Airlock's record of the config files it created (so uninstall deletes them instead of
 * leaving `{}` behind).
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { shimTimeoutMs, type Agent } from '../../../core/hooks/installEntries';
import type { HookPaths } from './configFiles';

export interface InstallerContext extends HookPaths {
  /** Airlock's state directory (records which config files Airlock created). */
  airlockHome: string;
  /** Absolute node binary and absolute dist/cli.js: the installed command uses both, so PATH cannot break it. */
  nodePath: string;
  cliPath: string;
  now?: () => Date;
  /** Environment for canary runs (AIRLOCK_HOME must match the shim's). */
  env?: NodeJS.ProcessEnv;
  /** Airlock's OTLP receiver, for plugins that report usage themselves (OpenCode, Kilo); none: no usage. */
  otlpEndpoint?: string;
}

export function quote(s: string): string {
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** dist/hook.js beside dist/cli.js: the lean shim entry (same argv), when it exists. */
export function hookEntry(cliPath: string): string {
  const lean = join(dirname(cliPath), 'hook.js');
  return existsSync(lean) ? lean : cliPath;
}

export function shimCommandFor(agent: Agent, ctx: Pick<InstallerContext, 'nodePath' | 'cliPath'>): string {
  const t = shimTimeoutMs(agent);
  return `${quote(ctx.nodePath)} ${quote(hookEntry(ctx.cliPath))} hook ${agent}${t === undefined ? '' : ` --timeout-ms ${t}`}`;
}

// --- record of the config files Airlock created (so uninstall can delete them, not leave `{}`) ---
const recordFile = (ctx: InstallerContext) => join(ctx.airlockHome, 'hooks-created.json');
export function readCreated(ctx: InstallerContext): string[] {
  try {
    const v = JSON.parse(readFileSync(recordFile(ctx), 'utf8')) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
export function writeCreated(ctx: InstallerContext, list: string[]): void {
  mkdirSync(ctx.airlockHome, { recursive: true, mode: 0o700 });
  writeFileSync(recordFile(ctx), `${JSON.stringify([...new Set(list)].sort(), null, 2)}\n`, { mode: 0o600 });
}

/** The shim's argv for a plugin (no shell: spawned directly). */
export function shimArgvFor(agent: Agent, ctx: Pick<InstallerContext, 'nodePath' | 'cliPath'>): string[] {
  const t = shimTimeoutMs(agent);
  return [ctx.nodePath, hookEntry(ctx.cliPath), 'hook', agent, ...(t === undefined ? [] : ['--timeout-ms', String(t)])];
}

