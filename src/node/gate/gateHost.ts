/**
 * The gate hosted in the editor's process: the same parts as `airlock serve` (bridge, ledger,
 * policy, pending approvals) with a person attached, plus pause and the kill switch.
 *
 * Discovery. Each editor window serves its own discovery file `<home>/editors/<pid>.json`, and its
 * terminals get that PATH in AIRLOCK_DISCOVERY (never the token), so an agent started in a window's
 * terminal is judged by that window (its workspace roots, its approval prompts). The default file
 * `<home>/bridge.json` (agents started outside any editor) is claimed only when no live gate owns
 * it: a running `airlock serve` or another window keeps it (checked with an authenticated health
 * call, re-checked every 30 s so a vacated file is taken over).
 *
 * Ledger. If the ledger cannot open (a native module built for another runtime, a locked or
 * corrupt file), the gate still starts with a stand-in whose every call throws: the gate then
 * denies everything that changes something ("cannot record, so do not act") and the status says
 * why. Reads still pass.
 *
 * Kill. Latch the flag (outside the workspace) -> rotate the bridge token -> deny every pending
 * approval and forget "allow for this run" grants -> end the agents' process trees -> stop the
 * bridge and remove our discovery files -> ask a gate owning the default discovery to stop. The
 * flag is also watched: `airlock kill` from a terminal runs the same steps here (except latching).
 */
import { existsSync, mkdirSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import type { AirlockStatus, BudgetRaise, GateControl, KillReport, LedgerState } from '../../core/gateControl';
import { describeIntegrity } from '../../core/run/ledgerCheck';
import { AllowForRun } from '../../core/run/allowRules';
import type { HookRequest } from '../../core/protocol/bridge';
import { PendingApprovals } from './approvals';
import { approvalQueuePath, lazyQueue, type QueuedApproval } from './approvalQueue';
import { ensurePrivateDir, killFlagPath, readDiscovery, readKillFlag, removeDiscoveryIfOurs, sweepEditorDiscovery as sweepDiscovery, unlatchKill, writeDiscovery } from '../bridge/discovery';
import type { GateLedger } from './gate';
import { anchorPathFor, Ledger } from '../ledger/ledger';
import type { SqliteDriverInfo } from '../ledger/sqlite';
import { isAlive, listProcesses, resolveAgentPid } from './processTree';
import type { AgentRecord } from './kill';
import { killSequence } from './hostKill';
import { currentRunInfo, raiseBudget, resumePausedRun } from './hostRun';
import { serveGate, type Served } from './serve';
import type { CheckpointSettings } from '../checkpoints/settings';

export type OpenLedger = (path: string) => GateLedger & { close(): void };

export interface GateHostOptions {
  home: string;
  workspaceRoots: string[];
  log: (line: string) => void;
  /** Default: `<home>/ledger.sqlite`. */
  ledgerPath?: string;
  /** Default: better-sqlite3 (node/ledger.ts). The integrator may pass a fallback opener. */
  openLedger?: OpenLedger;
  /** Default: `<home>/editors/<pid>.json`. */
  discoveryPath?: string;
  /** Default: `<home>/bridge.json` (agents outside the editor). */
  defaultDiscoveryPath?: string;
  /** How often the kill flag and the default discovery file are re-checked (ms). */
  watchIntervalMs?: number;
  /** "Allow for this run" grants (default: on, one hour). */
  allowForRun?: { enabled: boolean; ttlMs: number };
  /** The kill switch ends the agents' process trees (default true). */
  killEndsProcesses?: boolean;
  /** Workspace checkpoints (the editor's settings; default: from the environment). False: off. */
  checkpoints?: Partial<CheckpointSettings> | false;
  /** Optional cost of the current run (later: the OTLP receiver). */
  cost?: { current(): number | undefined; onChange(l: () => void): () => void };
}

/** A ledger stand-in whose every call throws: the gate then refuses whatever it cannot record. */
export function brokenLedger(error: string): GateLedger & { close(): void } {
  const fail = (): never => {
    throw new Error(`the run ledger is unavailable (${error})`);
  };
  return { runFor: fail, stepsOf: fail, appendStep: fail, setRunStatus: fail, close: () => undefined };
}

/** GET /v1/health with the file's token: is a live gate answering behind this discovery file? */
export { probeGate } from '../bridge/client';
import { probeGate as probeGateOf } from '../bridge/client';

/** Remove per-window discovery files of windows that are gone. */
export function sweepEditorDiscovery(dir: string, log: (l: string) => void): void {
  sweepDiscovery(dir, log, isAlive);
}


export class GateHost implements GateControl {
  readonly approvals: PendingApprovals;
  /** Asks queued while no person was connected (approvalQueue.ts), answered here by a person. */
  private readonly queue: ReturnType<typeof lazyQueue>;
  readonly discoveryPath: string;
  readonly home: string;
  private readonly defaultDiscovery: string;
  readonly ledgerPath: string;
  private served: Served | undefined;
  private state: AirlockStatus;
  private readonly listeners = new Set<(s: AirlockStatus) => void>();
  private readonly agentPids = new Map<string, AgentRecord>();
  private pausedReason: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private killing: Promise<KillReport> | undefined;
  private disposed = false;
  private readonly unsubscribe: (() => void)[] = [];
  /** The real ledger while served (undefined for a broken stand-in or a custom opener). */
  private ledger: Ledger | undefined;
  private offUsage: (() => void) | undefined;
  private runTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: GateHostOptions) {
    this.home = o.home;
    this.discoveryPath = o.discoveryPath ?? join(o.home, 'editors', `${process.pid}.json`);
    this.defaultDiscovery = o.defaultDiscoveryPath ?? join(o.home, 'bridge.json');
    this.ledgerPath = o.ledgerPath ?? join(o.home, 'ledger.sqlite');
    const grants = o.allowForRun?.enabled === false ? undefined : new AllowForRun(o.allowForRun?.ttlMs);
    this.queue = lazyQueue(o.home, o.log);
    // A person is connected here: asks wait for them; a step they approved in the queue answers its retry.
    this.approvals = new PendingApprovals({ ...(grants ? { grants } : {}), log: o.log, queue: this.queue.get });
    this.state = { gate: 'starting', ledger: { ok: true, path: this.ledgerPath }, pending: 0 };
    this.unsubscribe.push(this.approvals.subscribe({ pending: () => this.update({}), settled: () => this.update({}) }));
    if (o.cost) this.unsubscribe.push(o.cost.onChange(() => this.update({})));
  }

  status(): AirlockStatus {
    return this.state;
  }

  /** The gate serving this window right now (undefined while killed, stopped or starting). */
  currentGate(): Served['gate'] | undefined {
    return this.served?.gate;
  }

  /** The usage and budget store of the gate serving now (cost per run; undefined while not served). */
  usage(): Served['usage'] {
    return this.served?.usage;
  }

  /** The OTLP/HTTP receiver agents send their telemetry to (undefined while not served). */
  otlpUrl(): string | undefined {
    return this.served?.otlp ?? undefined;
  }

  onStatus(listener: (s: AirlockStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(patch: Partial<AirlockStatus>): void {
    const cost = this.o.cost?.current();
    const next: AirlockStatus = { ...this.state, ...patch, pending: this.approvals.pending() };
    if (cost !== undefined) next.costUsd = cost;
    for (const k of Object.keys(next) as (keyof AirlockStatus)[]) if (next[k] === undefined) delete next[k];
    this.state = next;
    for (const l of [...this.listeners]) {
      try {
        l(next);
      } catch (e) {
        this.o.log(`status listener failed: ${(e as Error).message}`);
      }
    }
  }

  /** Start (or restart after un-kill). Resolves with the status; never throws for a broken ledger. */
  async start(): Promise<AirlockStatus> {
    try {
      return await this.startOnce();
    } catch (e) {
      this.update({ gate: 'stopped', reason: `the gate could not start: ${(e as Error)?.message ?? String(e)}` });
      throw e;
    }
  }

  private async startOnce(): Promise<AirlockStatus> {
    if (this.disposed) throw new Error('GateHost is disposed');
    ensurePrivateDir(this.home);
    mkdirSync(join(this.home, 'editors'), { recursive: true, mode: 0o700 });
    sweepEditorDiscovery(join(this.home, 'editors'), this.o.log);
    this.watch();
    const kill = readKillFlag(this.home);
    if (kill.killed) {
      this.update({ gate: 'killed', reason: kill.flag.reason });
      this.o.log(`kill switch is latched (${kill.flag.reason}): the gate stays down until a person un-latches it`);
      return this.state;
    }
    let ledger: GateLedger & { close(): void };
    let ledgerState: LedgerState;
    try {
      ledger = (this.o.openLedger ?? ((p: string) => Ledger.open(p, { anchor: anchorPathFor(this.o.home, p) })))(this.ledgerPath);
      ledgerState = { ok: true, path: this.ledgerPath };
      // Which SQLite driver (better-sqlite3, or node:sqlite where the native binary does not load).
      const driver = (ledger as { driver?: SqliteDriverInfo }).driver;
      if (driver) this.o.log(`ledger ${this.ledgerPath} on ${driver.driver}${driver.fallbackReason ? ` (${driver.fallbackReason})` : ''}`);
    } catch (e) {
      const error = (e as Error)?.message ?? String(e);
      this.o.log(`LEDGER UNAVAILABLE (${error}): every action that changes something will be denied`);
      ledger = brokenLedger(error);
      ledgerState = { ok: false, path: this.ledgerPath, error };
    }
    const served = await serveGate({
      home: this.home,
      ledgerPath: this.ledgerPath,
      discovery: this.discoveryPath,
      mode: 'interactive',
      workspaceRoots: this.o.workspaceRoots,
      log: this.o.log,
      signals: false,
      approver: this.approvals,
      ledger,
      observeHook: (req) => this.recordAgent(req),
      afterHook: () => this.scheduleRunRefresh(),
      ...(this.o.checkpoints !== undefined ? { checkpoints: this.o.checkpoints } : {}),
    });
    this.served = served;
    this.ledger = ledger instanceof Ledger ? ledger : undefined;
    this.offUsage?.();
    this.offUsage = served.usage?.onChange(() => this.scheduleRunRefresh());
    // A broken chain, a deleted, replaced or truncated ledger: said loudly in the status bar and the panel.
    const integrity = ledger instanceof Ledger && !ledger.integrity.ok ? describeIntegrity(ledger.integrity) : undefined;
    served.gate.setPaused(this.pausedReason);
    void served.stopped.then(() => this.onServedStopped(served));
    const bridge = { url: served.url, discovery: this.discoveryPath, ...(await this.claimDefault()) };
    this.update({ gate: this.pausedReason ? 'paused' : 'armed', ledger: ledgerState, bridge, ledgerIntegrity: integrity, ...this.runInfo(), ...(this.pausedReason ? { reason: this.pausedReason } : { reason: undefined }) });
    this.o.log(`gate armed: bridge ${served.url}, discovery ${this.discoveryPath}, ledger ${ledgerState.ok ? this.ledgerPath : `UNAVAILABLE (${ledgerState.error})`}`);
    return this.state;
  }

  /** Claim the default discovery file unless a live gate owns it. */
  private async claimDefault(): Promise<{ defaultDiscovery: 'ours' | 'other' | 'none'; otherPid?: number }> {
    const s = this.served;
    if (!s) return { defaultDiscovery: 'none' };
    const cur = readDiscovery(this.defaultDiscovery);
    if (cur.ok && cur.discovery.token === s.token) return { defaultDiscovery: 'ours' };
    if (cur.ok && (await probeGateOf(cur.discovery))) return { defaultDiscovery: 'other', otherPid: cur.discovery.pid };
    writeDiscovery(this.defaultDiscovery, { version: 1, url: s.url, ...(s.socket !== undefined ? { socket: s.socket } : {}), token: s.token, pid: process.pid, startedAt: new Date().toISOString() });
    this.o.log(`answering agents outside the editor too (${this.defaultDiscovery})`);
    return { defaultDiscovery: 'ours' };
  }

  private watch(): void {
    if (this.timer) return;
    const interval = this.o.watchIntervalMs ?? 1000;
    // The flag may be latched from a terminal (`airlock kill`): act on it here as well.
    watchFile(killFlagPath(this.home), { interval, persistent: false }, () => void this.checkFlag());
    let ticks = 0;
    this.timer = setInterval(() => {
      void this.checkFlag();
      if (++ticks % Math.max(1, Math.round(30_000 / interval)) === 0 && this.served && this.state.bridge?.defaultDiscovery !== 'ours') {
        void this.claimDefault().then((b) => this.state.bridge && this.update({ bridge: { ...this.state.bridge, ...b } }));
      }
    }, interval);
    this.timer.unref();
  }

  private async checkFlag(): Promise<void> {
    const k = readKillFlag(this.home);
    if (k.killed && this.state.gate !== 'killed' && !this.killing) {
      this.o.log(`kill flag latched outside the editor (${k.flag.reason}): killing here too`);
      await this.kill(k.flag.reason, [], { latch: false });
    }
  }

  private onServedStopped(s: Served): void {
    if (this.served !== s) return;
    this.served = undefined;
    this.detachRun();
    if (this.killing || this.disposed) return;
    const k = readKillFlag(this.home);
    this.update(k.killed ? { gate: 'killed', reason: k.flag.reason } : { gate: 'stopped', reason: 'the gate was stopped over the bridge' });
  }

  private recordAgent(req: HookRequest): void {
    if (!req.agentPid) return;
    const key = `${req.agent}\0${req.sessionId}`;
    const had = this.agentPids.get(key);
    if (had && had.pid === req.agentPid) return;
    const table = listProcesses();
    const pid = resolveAgentPid(table, req.agentPid);
    const p = table.find((x) => x.pid === pid);
    const label = `${req.agent} (pid ${pid}${p ? `, ${p.comm}` : ''})`;
    this.agentPids.set(key, { agent: req.agent, sessionId: req.sessionId, pid, label });
  }

  /** The run with the most recent step in the ledger, its cost and its budget (all absent without a real ledger). */
  private runInfo(): Pick<AirlockStatus, 'run' | 'costUsd' | 'budget'> {
    return currentRunInfo(this.served, this.ledger, this.o.log);
  }

  /** Refresh the current run soon (coalesces a burst of hooks or OTLP batches into one read). */
  private scheduleRunRefresh(): void {
    if (this.runTimer || this.disposed) return;
    this.runTimer = setTimeout(() => {
      this.runTimer = undefined;
      if (this.served) this.update(this.runInfo());
    }, 25);
    this.runTimer.unref();
  }

  /** Re-read the current run now (after a person raised a budget or resumed a run). */
  refreshRun(): AirlockStatus {
    if (this.served) this.update(this.runInfo());
    return this.state;
  }

  private detachRun(): void {
    this.offUsage?.();
    this.offUsage = undefined;
    this.ledger = undefined;
    if (this.runTimer) clearTimeout(this.runTimer);
    this.runTimer = undefined;
  }

  raiseRunBudget(extraUsd: number, by: string): BudgetRaise {
    const r = raiseBudget(this.served, this.state.gate, this.runInfo().run, extraUsd, by, this.o.log);
    if (r.ok) this.refreshRun();
    return r;
  }

  resumeRun(): { ok: true; runId: string } | { ok: false; error: string } {
    const r = resumePausedRun(this.served, this.state.gate, this.runInfo().run, this.o.log);
    if (r.ok) this.refreshRun();
    return r;
  }

  agents(): AgentRecord[] {
    return [...this.agentPids.values()];
  }

  pause(reason: string): void {
    this.pausedReason = reason;
    this.served?.gate.setPaused(reason);
    this.approvals.denyAll(`paused by a person in VS Code: ${reason}`);
    if (this.state.gate === 'armed') this.update({ gate: 'paused', reason });
    this.o.log(`paused: ${reason}`);
  }

  resume(): void {
    this.pausedReason = undefined;
    this.served?.gate.setPaused(undefined);
    if (this.state.gate === 'paused') this.update({ gate: 'armed', reason: undefined });
    this.o.log('resumed');
  }

  kill(reason: string, terminalShellPids: readonly number[], opts: { latch?: boolean } = {}): Promise<KillReport> {
    this.killing ??= this.doKill(reason, terminalShellPids, opts.latch !== false).finally(() => (this.killing = undefined));
    return this.killing;
  }

  private async doKill(reason: string, terminalShellPids: readonly number[], latch: boolean): Promise<KillReport> {
    return killSequence({
      home: this.home, defaultDiscovery: this.defaultDiscovery, discoveryPath: this.discoveryPath, approvals: this.approvals, agentPids: this.agentPids,
      endProcesses: this.o.killEndsProcesses !== false, log: this.o.log, update: (patch) => this.update(patch),
      takeServed: () => {
        const served = this.served;
        this.served = undefined;
        this.detachRun();
        return served;
      },
      served: () => this.served,
    }, reason, terminalShellPids, latch);
  }

  async unkill(): Promise<void> {
    unlatchKill(this.home);
    this.o.log('kill switch un-latched by a person in the editor');
    if (!this.served) await this.start();
    else this.update({ gate: this.pausedReason ? 'paused' : 'armed', reason: this.pausedReason });
  }

  /** Steps queued while no person was connected, still waiting (the editor shows them on start). */
  queuedApprovals(): QueuedApproval[] {
    try {
      // Nothing was ever queued on this machine: do not create the file just to find that out.
      if (!existsSync(approvalQueuePath(this.home))) return [];
      return this.queue.get()?.list() ?? [];
    } catch (e) {
      this.o.log(`approval queue unreadable: ${(e as Error).message}`);
      return [];
    }
  }

  /** A person's answer to a queued step (an approval must carry the hash of the action shown). */
  decideQueued(id: number, answer: { decision: 'allow'; by: string; actionHash: string } | { decision: 'deny'; by: string }): 'decided' | 'gone' | 'changed' {
    return this.queue.get()?.decide(id, answer) ?? 'gone';
  }

  /** Stop everything this host started (deactivate). */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    unwatchFile(killFlagPath(this.home));
    for (const u of this.unsubscribe) u();
    const s = this.served;
    this.served = undefined;
    this.detachRun();
    if (s) {
      const token = s.token;
      await s.stop('the editor is closing');
      removeDiscoveryIfOurs(this.defaultDiscovery, token);
      removeDiscoveryIfOurs(this.discoveryPath, token);
    }
    this.queue.close();
  }
}


