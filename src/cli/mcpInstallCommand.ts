/**
 * `airlock mcp install <agent> [--scope user|project] [--project DIR] [--json]` and
 * `airlock mcp uninstall <agent> …`: Airlock's MCP server in another agent's MCP config
 * (src/node/mcp/install.ts does the merging, backups and removal).
 */
import { HookConfigError } from '../node/agents/install/configFiles';
import { MCP_INSTALL_AGENTS, defaultScope, installMcp, isMcpAgent, uninstallMcp, type McpScope } from '../node/mcp/install';
import { strictArgs, UsageError } from './usageError';
import { installerContext } from './hooksCommand';

export async function runMcpInstall(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const parsed = strictArgs(`mcp ${sub}`, rest, { scope: { type: 'string' }, project: { type: 'string' }, json: { type: 'boolean' } }, true);
  const values = parsed.values as { scope?: string; project?: string; json?: boolean };
  const positionals = parsed.positionals;
  const agent = positionals[0];
  if (positionals.length !== 1 || !agent || !isMcpAgent(agent)) throw new UsageError(`mcp ${sub} takes one agent: ${MCP_INSTALL_AGENTS.join(', ')}`);
  if (values.scope !== undefined && values.scope !== 'user' && values.scope !== 'project') throw new UsageError('--scope takes user or project');
  const scope: McpScope = (values.scope as McpScope | undefined) ?? defaultScope(agent);
  const ctx = installerContext(values.project);
  try {
    const r = sub === 'install' ? installMcp(agent, scope, ctx) : uninstallMcp(agent, scope, ctx);
    if (values.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else process.stdout.write(`${agent} (${scope}): ${r.changed ? (sub === 'install' ? 'installed in' : r.removedFile ? 'removed (file deleted):' : 'removed from') : sub === 'install' ? 'already installed in' : 'not installed in'} ${r.file}${r.backup ? ` (backup ${r.backup})` : ''}\n`);
    return 0;
  } catch (e) {
    if (e instanceof HookConfigError) {
      process.stderr.write(`airlock mcp ${sub}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
