/**
 * The headless gate: bridge + ledger + policy in one process (`airlock serve`), for machines
 * without the editor, CI and tests. The extension hosts the same parts in-process.
 *
 * Shutdown (SIGTERM, SIGINT, or an authenticated /v1/stop from `airlock kill`): stop accepting,
 * deny pending asks, let in-flight requests finish, close the ledger, remove the discovery file
 * (if it is still ours), resolve `stopped` with exit code 0.
 */
import { PendingApprovals } from './approvals';
import { startBridge } from './bridge';
import { newToken, readDiscovery, readKillFlag, removeDiscoveryIfOurs, writeDiscovery, ensurePrivateDir } from './discovery';
import { Gate, type GateLedger } from './gate';
import { Ledger } from './ledger';
import type { HookRequest } from '../core/protocol/bridge';

export interface ServeOptions {
  home: string;
  ledgerPath: string;
  discovery: string;
  mode: 'interactive' | 'ci';
  workspaceRoots: string[];
  workspacePolicy?: string;
  port?: number;
  log: (line: string) => void;
  /** Install SIGTERM/SIGINT handlers (the CLI does; in-process tests do not). */
  signals?: boolean;
  /** The editor passes its own approvals (a person answers); default: headless, never allows. */
  approver?: PendingApprovals;
  /** An already opened ledger (the editor opens it, or a stand-in when it cannot); closed on stop. */
  ledger?: GateLedger & { close(): void };
  /** Sees every authenticated hook request before it is judged (the editor records agent PIDs). */
  observeHook?: (req: HookRequest) => void;
}

export interface Served {
  url: string;
  discovery: string;
  token: string;
  stop(reason: string): Promise<number>;
  stopped: Promise<number>;
  gate: Gate;
  approvals: PendingApprovals;
  /** New bridge token now (the old one gets 401 from this moment); rewrites the discovery file if still ours. */
  rotate(): string;
}

export async function serveGate(o: ServeOptions): Promise<Served> {
  ensurePrivateDir(o.home);
  const ledger = o.ledger ?? Ledger.open(o.ledgerPath);
  const approver = o.approver ?? new PendingApprovals();
  const gate = new Gate({ ledger, approver, mode: o.mode, home: o.home, workspaceRoots: o.workspaceRoots, log: o.log, ...(o.workspacePolicy ? { workspacePolicy: o.workspacePolicy } : {}) });
  gate.currentPolicy(); // load (and report) the policy before the first request
  let token = newToken();
  let stopping: Promise<number> | undefined;
  let resolveStopped: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  const bridge = await startBridge({
    ...(o.port !== undefined ? { port: o.port } : {}),
    token,
    log: o.log,
    handlers: {
      hook: (req) => {
        try {
          o.observeHook?.(req);
        } catch (e) {
          o.log(`hook observer failed: ${(e as Error)?.message ?? String(e)}`);
        }
        return gate.hook(req);
      },
      stop: (reason) => void stop(reason),
      health: () => ({ ok: true, pid: process.pid, mode: o.mode, pending: approver.pending(), paused: gate.paused ?? null, killed: readKillFlag(o.home).killed }),
    },
  });
  const startedAt = new Date().toISOString();
  writeDiscovery(o.discovery, { version: 1, url: bridge.url, token, pid: process.pid, startedAt });
  const rotate = (): string => {
    const old = token;
    token = newToken();
    bridge.rotate(token);
    const cur = readDiscovery(o.discovery);
    if (cur.ok && cur.discovery.token === old) writeDiscovery(o.discovery, { version: 1, url: bridge.url, token, pid: process.pid, startedAt });
    return token;
  };

  const stop = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      o.log(`stopping: ${reason}`);
      const closing = bridge.close();
      await gate.close();
      await closing;
      ledger.close();
      removeDiscoveryIfOurs(o.discovery, token);
      return 0;
    })().then(
      (code) => {
        resolveStopped(code);
        return code;
      },
      (e: unknown) => {
        o.log(`error while stopping: ${(e as Error)?.message ?? String(e)}`);
        resolveStopped(1);
        return 1;
      },
    );
    return stopping;
  };
  if (o.signals !== false) {
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  }
  return {
    url: bridge.url,
    discovery: o.discovery,
    get token() {
      return token;
    },
    stop,
    stopped,
    gate,
    approvals: approver,
    rotate,
  };
}
