/**
 * How the editor starts `airlock mcp` for its MCP server definition provider: the bundled CLI run by
 * the Node that runs the extension host (desktop VS Code: Electron's binary with
 * ELECTRON_RUN_AS_NODE=1; code-server: node itself, where the variable is ignored), pointed at THIS
 * window's discovery file so every call is judged by the window's gate and its asks show in this
 * editor. `--gate bridge`: when the window's gate is not running the server refuses to start rather
 * than judging on its own.
 */
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DB_CONNECTIONS_ENV, encodeConnectionsEnv } from '../db/connections';
import { DISCOVERY_ENV } from '../bridge/discovery';
import type { DbSpec } from './databases';

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
  /**
   * The database connections configured in Airlock (URLs from the secret storage). They reach the
   * server through its own environment (AIRLOCK_DB_CONNECTIONS), never its command line; the
   * server removes the variable from its environment at start, so nothing it runs inherits it.
   */
  databases?: readonly DbSpec[];
}

export function airlockMcpLaunch(o: McpLaunchOptions): McpLaunch {
  return {
    label: 'Airlock',
    command: o.execPath,
    args: [join(o.extensionPath, 'dist', 'cli.js'), 'mcp', '--gate', 'bridge', ...o.workspaceRoots.flatMap((r) => ['--workspace', r])],
    env: { ELECTRON_RUN_AS_NODE: '1', [DISCOVERY_ENV]: o.discoveryPath, AIRLOCK_HOME: o.home, ...(o.databases?.length ? { [DB_CONNECTIONS_ENV]: encodeConnectionsEnv(o.databases) } : {}) },
    ...(o.workspaceRoots[0] ? { cwd: o.workspaceRoots[0] } : {}),
    // The editor restarts the server when the version changes: a connection added or removed changes it (a hash, not the URLs).
    version: o.databases?.length ? `${o.extensionVersion}+db.${createHash('sha256').update(encodeConnectionsEnv(o.databases)).digest('hex').slice(0, 12)}` : o.extensionVersion,
  };
}
