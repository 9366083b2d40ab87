/**
 * `airlock hooks install <agent>|all [--scope user|project] [--project DIR] [--json]`
 * `airlock hooks uninstall <agent>|all [--scope user|project] [--project DIR] [--json]`
 * `airlock hooks status [--project DIR] [--json]`   (exit 1 when an installed agent fails its canary)
 */
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { AGENTS, isAgent, type Agent, type Scope } from '../core/hooks/installEntries';
import { airlockHome } from '../node/environment';
import { HookConfigError } from '../node/agents/install/configFiles';
import { install, uninstall, type InstallerContext } from '../node/agents/install/installer';
import { status } from '../node/agents/install/status';
import { installTelemetry, uninstallTelemetry } from '../node/agents/install/telemetry';
import { otlpEndpointFor } from '../node/usage/otlp/port';
import { strictArgs, UsageError } from './usageError';

/** The absolute dist/cli.js this process runs from (argv[1] may be the `airlock` bin symlink). */
function cliPath(): string {
  const argv1 = process.argv[1];
  if (argv1) {
    try {
      return realpathSync(argv1);
    } catch {
      /* fall through */
    }
  }
  return resolve(__filename);
}

export function installerContext(projectDir: string | undefined, env: NodeJS.ProcessEnv = process.env): InstallerContext {
  const home = env.HOME && env.HOME.length > 0 ? env.HOME : homedir();
  const ctx: InstallerContext = {
    home,
    projectDir: resolve(projectDir ?? process.cwd()),
    airlockHome: airlockHome(env),
    nodePath: process.execPath,
    cliPath: cliPath(),
    env,
  };
  if (env.CODEX_HOME) ctx.codexHome = env.CODEX_HOME;
  return ctx;
}

export async function runHooks(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'status' && sub !== 'install' && sub !== 'uninstall') throw new UsageError(sub ? `airlock hooks: unknown subcommand ${sub} (install, uninstall, status)` : 'airlock hooks: install, uninstall or status');
  const parsed = strictArgs(`hooks ${sub}`, rest, sub === 'status' ? { project: { type: 'string' }, json: { type: 'boolean' } } : sub === 'uninstall' ? { scope: { type: 'string' }, project: { type: 'string' }, json: { type: 'boolean' } } : { scope: { type: 'string' }, project: { type: 'string' }, json: { type: 'boolean' }, 'no-telemetry': { type: 'boolean' } }, true);
  const values = parsed.values as { scope?: string; project?: string; json?: boolean; 'no-telemetry'?: boolean };
  const positionals = parsed.positionals;
  const scope = (values.scope ?? 'user') as Scope;
  if (scope !== 'user' && scope !== 'project') throw new UsageError('--scope must be user or project');
  const ctx = installerContext(values.project);
  // OpenCode / Kilo plugins report usage to the receiver themselves (unless telemetry is declined).
  if (sub === 'install' && values['no-telemetry'] !== true) ctx.otlpEndpoint = otlpEndpointFor(ctx.airlockHome);
  const json = values.json === true;

  if (sub === 'status') {
    if (positionals.length > 0) throw new UsageError(`airlock hooks status takes no agent (got ${positionals.join(' ')})`);
    const rows = await status(ctx);
    if (json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else {
      for (const r of rows) {
        const facts = [r.trusted === undefined ? '' : `trusted: ${r.trusted ? 'yes' : 'NO'}`, r.fires === undefined ? '' : `fires: ${r.fires ? 'yes' : 'NO'}`, r.checkedAgainst ? `checked against ${r.checkedAgainst}` : ''].filter(Boolean).join('; ');
        process.stdout.write(`${r.state.padEnd(8)}${r.agent.padEnd(9)}${r.scope.padEnd(9)}${r.file}\n${' '.repeat(8)}${r.detail}\n${facts ? `${' '.repeat(8)}${facts}\n` : ''}`);
      }
    }
    return rows.some((r) => r.state === 'BROKEN') ? 1 : 0;
  }
    if (positionals.length !== 1) throw new UsageError(`airlock hooks ${sub}: name one agent (${AGENTS.join(', ')}) or all`);
  const name = positionals[0]!;
  const agents: Agent[] = name === 'all' ? [...AGENTS].filter((a) => !(scope === 'project' && a === 'codex')) : isAgent(name) ? [name] : [];
  if (agents.length === 0) throw new UsageError(`airlock hooks ${sub}: unknown agent ${name} (${AGENTS.join(', ')}, all)`);
  let failed = false;
  const results: unknown[] = [];
  for (const agent of agents) {
    try {
      // Telemetry (OTLP to Airlock's receiver) goes in after the hook and comes out before it.
      const tOut = sub === 'uninstall' ? uninstallTelemetry(agent, scope, ctx) : undefined;
      const r = sub === 'install' ? install(agent, scope, ctx) : uninstall(agent, scope, ctx);
      const tIn = sub === 'install' && values['no-telemetry'] !== true ? installTelemetry(agent, scope, ctx, otlpEndpointFor(ctx.airlockHome)) : undefined;
      const t = tIn ?? tOut;
      results.push(t ? { ...r, telemetry: t } : r);
      if (!json) {
        const what = sub === 'install' ? (r.changed ? 'installed' : 'already installed') : r.changed ? ('removedFile' in r && r.removedFile ? 'removed (file deleted)' : 'removed') : 'not installed';
        process.stdout.write(`${agent}: ${what}  ${r.file}\n`);
        if ('backup' in r && r.backup) process.stdout.write(`  backup: ${r.backup}\n`);
        if ('trust' in r && r.trust) process.stdout.write(`  trusted in ${r.trust.file} (${r.trust.hash})\n`);
        if (t?.changed) process.stdout.write(`  telemetry ${sub === 'install' ? `to ${otlpEndpointFor(ctx.airlockHome)} set` : 'removed'} in ${t.file}\n`);
        else if (tIn?.skipped && !['cursor', 'cline', 'opencode', 'kilo'].includes(agent)) process.stdout.write(`  telemetry not set: ${tIn.skipped}\n`);
      }
    } catch (e) {
      failed = true;
      const msg = e instanceof HookConfigError ? e.message : `${(e as Error).message}`;
      results.push({ agent, error: msg, file: e instanceof HookConfigError ? e.path : undefined });
      if (!json) process.stderr.write(`airlock: ${agent}: ${msg}\n`);
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  if (sub === 'install' && !failed && !json) process.stdout.write('check it with: airlock hooks status\n');
  return failed ? 1 : 0;
}
