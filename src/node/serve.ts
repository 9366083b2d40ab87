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
import { newToken, readKillFlag, removeDiscoveryIfOurs, writeDiscovery, ensurePrivateDir } from './discovery';
import { Gate } from './gate';
import { anchorPathFor, Ledger } from './ledger';
import { describeIntegrity } from '../core/run/ledgerCheck';

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
}

export interface Served {
  url: string;
  discovery: string;
  token: string;
  stop(reason: string): Promise<number>;
  stopped: Promise<number>;
}

export async function serveGate(o: ServeOptions): Promise<Served> {
  ensurePrivateDir(o.home);
  const ledger = Ledger.open(o.ledgerPath, { anchor: anchorPathFor(o.home, o.ledgerPath) });
  // A broken ledger does not stop the gate (it still decides and records), but it is said loudly.
  for (const line of describeIntegrity(ledger.integrity)) if (!ledger.integrity.ok) o.log(line);
  const approver = new PendingApprovals();
  const gate = new Gate({ ledger, approver, mode: o.mode, home: o.home, workspaceRoots: o.workspaceRoots, log: o.log, ...(o.workspacePolicy ? { workspacePolicy: o.workspacePolicy } : {}) });
  gate.currentPolicy(); // load (and report) the policy before the first request
  const token = newToken();
  let stopping: Promise<number> | undefined;
  let resolveStopped: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  const bridge = await startBridge({
    ...(o.port !== undefined ? { port: o.port } : {}),
    token,
    log: o.log,
    handlers: {
      hook: (req) => gate.hook(req),
      stop: (reason) => void stop(reason),
      health: () => ({ ok: true, pid: process.pid, mode: o.mode, pending: approver.pending(), killed: readKillFlag(o.home).killed, ledgerIntact: ledger.integrity.ok }),
    },
  });
  writeDiscovery(o.discovery, { version: 1, url: bridge.url, token, pid: process.pid, startedAt: new Date().toISOString() });

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
  return { url: bridge.url, discovery: o.discovery, token, stop, stopped };
}
