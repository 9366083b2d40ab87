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
  /** The current run: the run with the most recent step in the ledger. */
  run?: CurrentRun;
  /** The current run's budget under the policy (absent when the policy sets no budget). */
  budget?: BudgetView;
  /** Ledger integrity problems found at start (describeIntegrity lines, headline first); absent when intact. */
  ledgerIntegrity?: string[];
  /** The bridge this window serves, and who answers agents started outside the editor. */
  bridge?: { url: string; discovery: string; defaultDiscovery: 'ours' | 'other' | 'none'; otherPid?: number };
}

export interface CurrentRun {
  id: string;
  agent: string;
  /** The ledger's run status ('active', 'paused', ...). */
  status: string;
  /** Why it is paused (a loop signal), when it is. */
  statusReason?: string;
}

/** The binding budget scope (the one nearest its limit) of the current run. */
export interface BudgetView {
  /** spent / limit of the binding scope (1 or more when exhausted). */
  fraction: number;
  /** At or past 80 % of the limit (or model calls with no known price). */
  warn: boolean;
  /** At or past the limit: the gate denies the run until a person raises it. */
  exhausted: boolean;
  limitUsd: number;
  /** One line for the tooltip ("run $0.41 of $0.50; day ..."). */
  detail: string;
}

/** A person raised the current run's budget: the new state, or why it could not be raised. */
export type BudgetRaise = { ok: true; runId: string; budget: BudgetView | undefined } | { ok: false; error: string };

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
  /** A person authorizes `extraUsd` more for the current run (and today, if the day's budget stopped it). */
  raiseRunBudget(extraUsd: number, by: string): BudgetRaise;
  /** A person resumes the current run when a loop signal paused it. Returns the run id, or an error. */
  resumeRun(): { ok: true; runId: string } | { ok: false; error: string };
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
