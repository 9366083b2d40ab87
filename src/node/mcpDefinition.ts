/**
 * How the editor starts `airlock mcp` for its MCP server definition provider: the bundled CLI run by
 * the Node that runs the extension host (desktop VS Code: Electron's binary with
 * ELECTRON_RUN_AS_NODE=1; code-server: node itself, where the variable is ignored), pointed at THIS
 * window's discovery file so every call is judged by the window's gate and its asks show in this
 * editor. `--gate bridge`: when the window's gate is not running the server refuses to start rather
 * than judging on its own.
 */
import { join } from 'node:path';
import { DISCOVERY_ENV } from './discovery';

export interface McpLaunch {
  label: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Changes when the tools may have changed (the editor then offers to refresh them). */
  version: string;
}

export interface McpLaunchOptions {
  extensionPath: string;
  extensionVersion: string;
  /** process.execPath of the extension host. */
  execPath: string;
  discoveryPath: string;
  home: string;
  workspaceRoots: string[];
}

export function airlockMcpLaunch(o: McpLaunchOptions): McpLaunch {
  return {
    label: 'Airlock',
    command: o.execPath,
    args: [join(o.extensionPath, 'dist', 'cli.js'), 'mcp', '--gate', 'bridge', ...o.workspaceRoots.flatMap((r) => ['--workspace', r])],
    env: { ELECTRON_RUN_AS_NODE: '1', [DISCOVERY_ENV]: o.discoveryPath, AIRLOCK_HOME: o.home },
    ...(o.workspaceRoots[0] ? { cwd: o.workspaceRoots[0] } : {}),
    version: o.extensionVersion,
  };
}
