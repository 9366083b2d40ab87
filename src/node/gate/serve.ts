/**
 * The headless gate: bridge + ledger + policy in one process (`airlock serve`), for machines
 * without the editor, CI and tests. The extension hosts the same parts in-process.
 *
 * Shutdown (SIGTERM, SIGINT, or an authenticated /v1/stop from `airlock kill`): stop accepting,
 * deny pending asks, let in-flight requests finish, close the ledger, remove the discovery file
 * (if it is still ours), resolve `stopped` with exit code 0.
 */
import { PendingApprovals } from './approvals';
import { lazyQueue } from './approvalQueue';
import { startBridge } from '../bridge/server';
import { bridgeSocketPath, newToken, readDiscovery, readKillFlag, removeDiscoveryIfOurs, sweepBridgeSockets, writeDiscovery, ensurePrivateDir } from '../bridge/discovery';
import { isAlive } from './processTree';
import { Gate, summarize, type GateLedger } from './gate';
import { anchorPathFor, Ledger } from '../ledger/ledger';
import { otlpPortFor, startOtlpReceiverWithFallback } from '../usage/otlp/receiver';
import { UsageStore, usageStoreOptionsFromEnv } from '../usage/usage';
import { RunEnds } from '../ledger/runEnds';
import type { HookRequest } from '../../core/protocol/bridge';
import { describeIntegrity } from '../../core/run/ledgerCheck';
import { CheckpointStore, checkpointSettingsFromEnv, type CheckpointSettings } from '../checkpoints/store';
import { GateCheckpoints } from '../checkpoints/gateCheckpoints';
import { gatedAgentsFor } from '../agents/gatedAgents';

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
  /** The editor passes its own approvals (a person answers); default: headless, never allows. */
  approver?: PendingApprovals;
  /** An already opened ledger (the editor opens it, or a stand-in when it cannot); closed on stop. */
  ledger?: GateLedger & { close(): void };
  /** Sees every authenticated hook request before it is judged (the editor records agent PIDs). */
  observeHook?: (req: HookRequest) => void;
  /** Called after each hook request was judged and recorded (the editor refreshes the current run). */
  afterHook?: (req: HookRequest) => void;
  /**
   * Workspace checkpoints (default on, settings from the environment): snapshotable effects are
   * checkpointed and run as reversible. `false` (or AIRLOCK_CHECKPOINTS=off) turns them off.
   */
  checkpoints?: Partial<CheckpointSettings> | false;
  /** A run with no call for this long ends ("idle"); 0 = never. Default: AIRLOCK_RUN_IDLE_MINUTES, else 30 minutes. */
  runIdleMs?: number;
}

/** The idle timeout from the environment (AIRLOCK_RUN_IDLE_MINUTES; 0 turns it off), else 30 minutes. */
export function runIdleMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.AIRLOCK_RUN_IDLE_MINUTES;
  const n = v === undefined || v.trim() === '' ? 30 : Number(v);
  return Number.isFinite(n) && n >= 0 ? n * 60_000 : 30 * 60_000;
}

export interface Served {
  url: string;
  /** The bridge's Unix domain socket (the discovery file's `socket`), if it listens on one. */
  socket: string | undefined;
  /** The OTLP/HTTP receiver's base URL (agents' OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlp: string | null;
  discovery: string;
  token: string;
  stop(reason: string): Promise<number>;
  stopped: Promise<number>;
  gate: Gate;
  approvals: PendingApprovals;
  /** The usage and budget store (undefined when the ledger is a broken stand-in). */
  usage: UsageStore | undefined;
  /** New bridge token now (the old one gets 401 from this moment); rewrites the discovery file if still ours. */
  rotate(): string;
}

export async function serveGate(o: ServeOptions): Promise<Served> {
  ensurePrivateDir(o.home);
  const ledger = o.ledger ?? Ledger.open(o.ledgerPath, { anchor: anchorPathFor(o.home, o.ledgerPath) });
  // A broken ledger does not stop the gate (it still decides and records), but it is said loudly.
  if (ledger instanceof Ledger && !ledger.integrity.ok) for (const line of describeIntegrity(ledger.integrity)) o.log(line);
  // Without the editor's approvals no person is connected: asks are queued and answered at once.
  const queue = lazyQueue(o.home, o.log);
  const approver = o.approver ?? new PendingApprovals({ headless: true, queue: queue.get, log: o.log, summarize: (r) => summarize(r.action, r.toolName) });
  // Usage needs the real ledger database; a broken-ledger stand-in has none, so budgets (if any) deny.
  let usage: UsageStore | undefined;
  if (ledger instanceof Ledger) {
    try {
      usage = new UsageStore(ledger, { ...usageStoreOptionsFromEnv(), log: o.log });
    } catch (e) {
      o.log(`usage store unavailable (${(e as Error).message}): budgets in the policy will deny`);
    }
  }
  const cpSettings = o.checkpoints === undefined ? checkpointSettingsFromEnv(process.env) : o.checkpoints;
  const checkpoints = cpSettings === false ? undefined : new GateCheckpoints(new CheckpointStore(o.home, cpSettings), o.log);
  // Housekeeping at start: checkpoints past their age, then the oldest past the size cap (in the background).
  if (checkpoints) void checkpoints.store.prune().then((r) => r.removed && o.log(`checkpoints: pruned ${r.removed}`), () => undefined);
  let runEnds: RunEnds | undefined;
  if (ledger instanceof Ledger) {
    try {
      runEnds = new RunEnds(ledger.database());
    } catch (e) {
      o.log(`run ends cannot be recorded (${(e as Error).message})`);
    }
  }
  const gate = new Gate({ ledger, approver, writerThread: true, ...(usage ? { usage } : {}), ...(checkpoints ? { checkpoints } : {}), ...(runEnds ? { runEnds } : {}), mode: o.mode, home: o.home, workspaceRoots: o.workspaceRoots, log: o.log, ...(o.workspacePolicy ? { workspacePolicy: o.workspacePolicy } : {}) });
  gate.currentPolicy(); // load (and report) the policy before the first request
  let token = newToken();
  let stopping: Promise<number> | undefined;
  let resolveStopped: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  sweepBridgeSockets(o.home, o.log, isAlive);
  const socketPath = bridgeSocketPath(o.home);
  const bridge = await startBridge({
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(socketPath !== undefined ? { socketPath } : {}),
    token,
    log: o.log,
    handlers: {
      hook: (req) => {
        try {
          o.observeHook?.(req);
        } catch (e) {
          o.log(`hook observer failed: ${(e as Error)?.message ?? String(e)}`);
        }
        const answer = gate.hook(req);
        if (!o.afterHook) return answer;
        return answer.finally(() => {
          try {
            o.afterHook?.(req);
          } catch (e) {
            o.log(`after-hook observer failed: ${(e as Error)?.message ?? String(e)}`);
          }
        });
      },
      stop: (reason) => void stop(reason),
      sessionEnd: (agent, sessionId, reason, transcriptPath) => gate.endSession(agent, sessionId, reason, transcriptPath),
      health: () => ({ ok: true, pid: process.pid, mode: o.mode, pending: approver.pending(), paused: gate.paused ?? null, killed: readKillFlag(o.home).killed, ledgerIntact: ledger instanceof Ledger ? ledger.integrity.ok : false, policies: gate.policyStatus(), gatedAgents: [...gatedAgentsFor(o.workspaceRoots[0] ?? process.cwd())] }),
    },
  });
  const otlp = usage ? await startOtlpReceiverWithFallback({ port: o.otlpPort ?? otlpPortFor(o.home), log: o.log, onData: (signal, data) => usage.ingestOtlp(signal, data) }) : undefined;
  const idleMs = o.runIdleMs ?? runIdleMsFromEnv();
  const sweep = idleMs > 0 ? setInterval(() => {
    try {
      gate.endIdleRuns(idleMs);
    } catch (e) {
      o.log(`idle run sweep failed: ${(e as Error).message}`);
    }
  }, Math.max(1000, Math.min(60_000, Math.floor(idleMs / 2)))) : undefined;
  sweep?.unref();
  const startedAt = new Date().toISOString();
  const where = { version: 1 as const, url: bridge.url, ...(bridge.socket !== undefined ? { socket: bridge.socket } : {}) };
  writeDiscovery(o.discovery, { ...where, token, pid: process.pid, startedAt });
  const rotate = (): string => {
    const old = token;
    token = newToken();
    bridge.rotate(token);
    const cur = readDiscovery(o.discovery);
    if (cur.ok && cur.discovery.token === old) writeDiscovery(o.discovery, { ...where, token, pid: process.pid, startedAt });
    return token;
  };

  const stop = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      o.log(`stopping: ${reason}`);
      if (sweep) clearInterval(sweep);
      const closing = Promise.all([bridge.close(), otlp?.close()]);
      await gate.close();
      await closing;
      ledger.close();
      queue.close();
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
    socket: bridge.socket,
    otlp: otlp?.url ?? null,
    discovery: o.discovery,
    get token() {
      return token;
    },
    stop,
    stopped,
    gate,
    approvals: approver,
    usage,
    rotate,
  };
}
