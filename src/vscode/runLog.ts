/**
 * Wires the run log panel to the gate host: pending approvals become cards, the host's status
 * becomes the panel's state, and a decision from a card goes to the same approval queue as the
 * notification's buttons (bound to the action hash the card showed).
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { GateControl } from '../core/gateControl';
import { pendingCard } from '../core/present';
import { MAX_ALERTS, type GateState } from '../core/protocol/panel';
import type { RunLogQueries } from '../core/run/runLogQueries';
import type { DeadLetterPort, RunLogDeps } from './panel/controller';
import { registerRunLogPanel } from './panel/runLogPanel';

export function registerRunLog(context: vscode.ExtensionContext, gate: GateControl, queries: () => RunLogQueries, log: vscode.LogOutputChannel, deadLetters?: DeadLetterPort, undo?: RunLogDeps['undo']): void {
  const changed = new vscode.EventEmitter<void>();
  context.subscriptions.push(changed);
  const offApprovals = gate.approvals.subscribe({ pending: () => changed.fire(), settled: () => changed.fire() });
  const offStatus = gate.onStatus(() => changed.fire());
  context.subscriptions.push({ dispose: () => (offApprovals(), offStatus()) });
  const person = (() => {
    try {
      return os.userInfo().username;
    } catch {
      return 'a person in VS Code';
    }
  })();
  let opened: RunLogQueries | undefined;
  // Opened on first use: the ledger file exists once the gate has started.
  const lazy = new Proxy({} as RunLogQueries, {
    get: (_t, prop: keyof RunLogQueries) => {
      opened ??= queries();
      const v = opened[prop];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(opened) : v;
    },
  });
  registerRunLogPanel(context, {
    queries: lazy,
    pending: () => gate.approvals.list().map(pendingCard),
    state: (): GateState => {
      const s = gate.status();
      const g = s.gate === 'armed' || s.gate === 'paused' || s.gate === 'killed' ? s.gate : 'paused';
      const reason = s.reason ?? (s.gate === 'starting' || s.gate === 'stopped' ? `gate ${s.gate}` : s.ledger.ok ? undefined : `ledger unavailable: ${s.ledger.error}`);
      const alerts = s.ledgerIntegrity?.slice(0, MAX_ALERTS).map((l) => l.trim().slice(0, 4000));
      return { gate: g, pending: s.pending, ...(reason ? { reason: reason.slice(0, 500) } : {}), ...(alerts?.length ? { alerts } : {}) };
    },
    onDidChange: (l) => changed.event(l),
    decide: (stepId, a) => {
      const by = `${person} (run log panel, ${a.gesture})`;
      const r =
        a.decision === 'deny' ? gate.approvals.decide(stepId, { decision: 'deny', reason: 'rejected in the Airlock run log panel' })
        : a.scope === 'run' ? gate.approvals.allowForRun(stepId, a.actionHash, by)
        : gate.approvals.decide(stepId, { decision: 'allow', by, actionHash: a.actionHash });
      if (r !== 'decided') log.warn(`panel decision on ${stepId} not applied: ${r}`);
      return r === 'decided';
    },
    log: { info: (m) => log.info(m), warn: (m) => log.warn(m) },
    ...(deadLetters ? { deadLetters } : {}),
    ...(undo ? { undo } : {}),
  });
}
