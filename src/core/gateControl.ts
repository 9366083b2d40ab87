/**
 * The editor's view of the in-process gate: one status value, the controls the status bar and
 * commands use, and the pending approvals. Implemented in node/gateHost.ts; the editor side
 * (src/vscode) depends only on these types, so node/ and vscode/ never import each other.
 */
import type { ApprovalQueue } from './run/approver';

/** armed: judging; paused: a person paused every run; killed: the kill flag is latched; stopped: no gate in this window. */
export type GateState = 'starting' | 'armed' | 'paused' | 'killed' | 'stopped';

export type LedgerState = { ok: true; path: string } | { ok: false; path: string; error: string };

export interface AirlockStatus {
  gate: GateState;
  /** Why paused / killed / stopped. */
  reason?: string;
  ledger: LedgerState;
  pending: number;
  /** Cost of the current run in USD, when a cost source is attached. */
  costUsd?: number;
  /** The bridge this window serves, and who answers agents started outside the editor. */
  bridge?: { url: string; discovery: string; defaultDiscovery: 'ours' | 'other' | 'none'; otherPid?: number };
}

export interface EndedTree {
  root: number;
  label: string;
  killed: number[];
  survivors: number[];
  skipped?: string;
}

export interface KillReport {
  at: string;
  reason: string;
  deniedPending: number;
  trees: EndedTree[];
  stoppedOtherGate?: string;
}

export interface GateControl {
  readonly approvals: ApprovalQueue;
  /** What agents in this window's terminals get as AIRLOCK_DISCOVERY (a path, never the token). */
  readonly discoveryPath: string;
  readonly home: string;
  status(): AirlockStatus;
  onStatus(listener: (s: AirlockStatus) => void): () => void;
  pause(reason: string): void;
  resume(): void;
  /** Latch, rotate, deny pending, end agent trees (plus agents under these terminal shells), stop servers. */
  kill(reason: string, terminalShellPids: readonly number[]): Promise<KillReport>;
  /** A person un-latched it in the editor: clear the flag and start the gate again. */
  unkill(): Promise<void>;
  /** Known agent processes (from hook sessions), for the status tooltip and the kill confirmation. */
  agents(): { agent: string; sessionId: string; pid: number; label: string }[];
}

/** One agent's hook state (the canary result included), as `airlock hooks status` reports it. */
export interface AgentHookRow {
  agent: string;
  scope: 'user' | 'project';
  file: string;
  state: 'OK' | 'MISSING' | 'BROKEN';
  detail: string;
}

/** Connect / disconnect agents from the editor (the hook installer behind `airlock hooks`). */
export interface AgentHooks {
  readonly agents: readonly string[];
  install(agent: string, scope: 'user' | 'project'): Promise<{ file: string; changed: boolean; backup?: string }>;
  uninstall(agent: string, scope: 'user' | 'project'): Promise<{ file: string; changed: boolean }>;
  /** State and canary of one agent (or all). */
  status(agent?: string): Promise<AgentHookRow[]>;
}
