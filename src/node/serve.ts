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
import { Ledger } from './ledger';
import { otlpPortFor, startOtlpReceiverWithFallback } from './otlp/receiver';
import { UsageStore, usageStoreOptionsFromEnv } from './usage';

export interface ServeOptions {
  home: string;
  ledgerPath: string;
  discovery: string;
  mode: 'interactive' | 'ci';
  workspaceRoots: string[];
  workspacePolicy?: string;
  port?: number;
  /** OTLP receiver port (default: otlpPortFor(home); 0 = random). */
  otlpPort?: number;
  log: (line: string) => void;
  /** Install SIGTERM/SIGINT handlers (the CLI does; in-process tests do not). */
  signals?: boolean;
}

export interface Served {
  url: string;
  /** The OTLP/HTTP receiver's base URL (agents' OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlp: string;
  discovery: string;
  token: string;
  stop(reason: string): Promise<number>;
  stopped: Promise<number>;
}

export async function serveGate(o: ServeOptions): Promise<Served> {
  ensurePrivateDir(o.home);
  const ledger = Ledger.open(o.ledgerPath);
  const approver = new PendingApprovals();
  const usage = new UsageStore(ledger, { ...usageStoreOptionsFromEnv(), log: o.log });
  const gate = new Gate({ ledger, approver, usage, mode: o.mode, home: o.home, workspaceRoots: o.workspaceRoots, log: o.log, ...(o.workspacePolicy ? { workspacePolicy: o.workspacePolicy } : {}) });
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
      health: () => ({ ok: true, pid: process.pid, mode: o.mode, pending: approver.pending(), killed: readKillFlag(o.home).killed }),
    },
  });
  const otlp = await startOtlpReceiverWithFallback({ port: o.otlpPort ?? otlpPortFor(o.home), log: o.log, onData: (signal, data) => usage.ingestOtlp(signal, data) });
  writeDiscovery(o.discovery, { version: 1, url: bridge.url, token, pid: process.pid, startedAt: new Date().toISOString() });

  const stop = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      o.log(`stopping: ${reason}`);
      const closing = Promise.all([bridge.close(), otlp.close()]);
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
  return { url: bridge.url, otlp: otlp.url, discovery: o.discovery, token, stop, stopped };
}
