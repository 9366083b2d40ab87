/**
 * The hook installer (node/agents/install) as the editor uses it: the installed command runs the
 * extension's own dist/hook.js with a real Node.js binary. In desktop VS Code the extension host is
 * Electron, whose binary is not `node`, so a `node` on PATH is used (Node >= 20); without one,
 * installing from the editor fails with a message saying so.
 */
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AgentHookRow, AgentHooks } from '../../../core/gateControl';
import { AGENTS, isAgent } from '../../../core/hooks/installEntries';
import { install, uninstall, type InstallerContext } from './installer';
import { status } from './status';

/** A Node.js binary that runs plain scripts: this process when it is Node, else `node` on PATH. */
export function findNode(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!process.versions.electron) return process.execPath;
  try {
    const p = execFileSync(process.platform === 'win32' ? 'where' : 'which', ['node'], { encoding: 'utf8', env, timeout: 5000 }).split('\n')[0]?.trim();
    if (!p) return undefined;
    const v = execFileSync(p, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 5000 }).trim();
    return Number(v.split('.')[0]) >= 20 ? p : undefined;
  } catch {
    return undefined;
  }
}

export interface EditorHooksOptions {
  extensionPath: string;
  airlockHome: string;
  projectDir: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export function editorAgentHooks(o: EditorHooksOptions): AgentHooks {
  const ctx = (): InstallerContext => {
    const env = o.env ?? process.env;
    const nodePath = findNode(env);
    if (!nodePath) throw new Error('no Node.js >= 20 found on PATH: the hook needs one to run (install Node.js, or run `airlock hooks install` from a terminal)');
    const c: InstallerContext = {
      home: env.HOME && env.HOME.length > 0 ? env.HOME : homedir(),
      projectDir: o.projectDir ?? process.cwd(),
      airlockHome: o.airlockHome,
      nodePath,
      cliPath: join(o.extensionPath, 'dist', 'cli.js'),
      env,
    };
    if (env.CODEX_HOME) c.codexHome = env.CODEX_HOME;
    return c;
  };
  const agentOf = (a: string) => {
    if (!isAgent(a)) throw new Error(`unknown agent ${a}`);
    return a;
  };
  return {
    agents: AGENTS,
    install: async (agent, scope) => {
      const r = install(agentOf(agent), scope, ctx());
      return { file: r.file, changed: r.changed, ...(r.backup ? { backup: r.backup } : {}) };
    },
    uninstall: async (agent, scope) => {
      const r = uninstall(agentOf(agent), scope, ctx());
      return { file: r.file, changed: r.changed };
    },
    status: async (agent) => {
      const rows = await status(ctx(), agent ? { agents: [agentOf(agent)] } : {});
      return rows.map((r): AgentHookRow => ({ agent: r.agent, scope: r.scope, file: r.file, state: r.state, detail: r.detail }));
    },
  };
}
