/**
 * The status bar as a rendering of one state value: a pure function from AirlockStatus to what the
 * item shows. The editor adapter (vscode/statusBar.ts) only copies these fields onto the item.
 */
import type { AirlockStatus, BudgetView } from './gateControl';
import type { BudgetState } from './run/budget';

export interface StatusView {
  /** Text with codicons. */
  text: string;
  tooltip: string;
  /** error = red background (killed, ledger broken), warning = yellow (paused, pending approvals). */
  tone: 'normal' | 'warning' | 'error';
  /** Accessibility label (no codicons). */
  label: string;
}

export function formatUsd(v: number): string {
  return v >= 100 ? `$${v.toFixed(0)}` : v >= 1 ? `$${v.toFixed(2)}` : `$${v.toFixed(v >= 0.01 ? 2 : 4)}`;
}

export function renderStatus(s: AirlockStatus): StatusView {
  const parts: string[] = [];
  const words: string[] = [];
  const tips: string[] = [];
  let tone: StatusView['tone'] = 'normal';
  switch (s.gate) {
    case 'armed':
      parts.push('$(shield) Airlock');
      words.push('Airlock armed');
      tips.push('Airlock is armed: every agent action is judged; destructive ones wait for you.');
      break;
    case 'starting':
      parts.push('$(loading~spin) Airlock');
      words.push('Airlock starting');
      tips.push('Airlock is starting its gate.');
      break;
    case 'paused':
      parts.push('$(debug-pause) Airlock paused');
      words.push('Airlock paused');
      tips.push(`Paused: agents' actions are denied until you resume.${s.reason ? ` (${s.reason})` : ''}`);
      tone = 'warning';
      break;
    case 'killed':
      parts.push('$(circle-slash) Airlock KILLED');
      words.push('Airlock killed');
      tips.push(`Kill switch latched: nothing runs until you un-latch it here.${s.reason ? ` Reason: ${s.reason}` : ''}`);
      tone = 'error';
      break;
    case 'stopped':
      parts.push('$(debug-disconnect) Airlock stopped');
      words.push('Airlock stopped');
      tips.push(`The gate is not running in this window; agents fall back to the offline judge (reads only).${s.reason ? ` (${s.reason})` : ''}`);
      tone = 'warning';
      break;
  }
  if (!s.ledger.ok) {
    parts.push('$(error) ledger');
    words.push('ledger broken');
    tips.push(`Run ledger unavailable (${s.ledger.error}): every action that changes something is DENIED until it works again.`);
    tone = 'error';
  }
  if (s.pending > 0) {
    parts.push(`$(bell-dot) ${s.pending}`);
    words.push(`${s.pending} pending approval${s.pending === 1 ? '' : 's'}`);
    tips.push(`${s.pending} action${s.pending === 1 ? '' : 's'} waiting for your approval.`);
    if (tone === 'normal') tone = 'warning';
  }
  if (s.ledgerIntegrity?.length) {
    // A broken hash chain, a deleted or replaced ledger: the history can no longer be trusted.
    parts.push('$(warning) ledger tampered');
    words.push('ledger tampered');
    const first = (s.ledgerIntegrity[1] ?? s.ledgerIntegrity[0] ?? '').trim();
    tips.push(`LEDGER TAMPERED: ${first}${s.ledgerIntegrity.length > 2 ? ` (and ${s.ledgerIntegrity.length - 2} more)` : ''}. Run \`airlock verify\` for the full report.`);
    tone = 'error';
  }
  if (s.run?.status === 'paused') {
    parts.push('$(debug-pause) run paused');
    words.push('current run paused');
    tips.push(`The current ${s.run.agent} run is paused${s.run.statusReason ? `: ${s.run.statusReason}` : ''}. Resume it from the menu (Airlock: Resume Run).`);
    if (tone === 'normal') tone = 'warning';
  }
  const b = s.budget;
  if (s.costUsd !== undefined || b) {
    const cost = formatUsd(s.costUsd ?? 0);
    const pct = b ? `${Math.floor(b.fraction * 100)} %` : '';
    if (b?.exhausted) {
      parts.push(`$(warning) ${cost} budget reached`);
      words.push(`run cost ${cost}, budget of ${formatUsd(b.limitUsd)} reached`);
      tips.push(`Budget reached (${b.detail}): the gate denies this run until you raise it (Airlock: Raise Budget for This Run).`);
      if (tone === 'normal') tone = 'warning';
    } else if (b?.warn) {
      parts.push(`$(warning) ${cost} (${pct})`);
      words.push(`run cost ${cost}, ${pct} of its budget`);
      tips.push(`Budget nearly spent (${b.detail}).`);
      if (tone === 'normal') tone = 'warning';
    } else {
      if (s.costUsd !== undefined) parts.push(cost);
      if (s.costUsd !== undefined) words.push(`run cost ${cost}`);
      tips.push(b ? `Current run cost ${cost} (${b.detail}).` : `Current run cost ${cost}.`);
    }
  }
  if (s.bridge) {
    tips.push(s.bridge.defaultDiscovery === 'other' ? `Agents started outside VS Code are answered by another Airlock gate (pid ${s.bridge.otherPid ?? '?'}).` : s.bridge.defaultDiscovery === 'ours' ? 'Agents started outside VS Code are answered by this window too.' : '');
  }
  tips.push('Click for the Airlock menu.');
  return { text: parts.join(' · '), tooltip: tips.filter((t) => t).join('\n'), tone, label: words.join(', ') };
}

/** The status bar's view of a budget state; undefined when the policy sets no budget. */
export function budgetView(s: BudgetState): BudgetView | undefined {
  if (s.limit === undefined) return undefined;
  return { fraction: s.fraction, warn: s.warn, exhausted: s.exhausted, limitUsd: s.limit, detail: s.detail };
}
