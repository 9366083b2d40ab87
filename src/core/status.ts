/**
 * The status bar as a rendering of one state value: a pure function from AirlockStatus to what the
 * item shows. The editor adapter (vscode/statusBar.ts) only copies these fields onto the item.
 */
import type { AirlockStatus } from './gateControl';

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
  if (s.costUsd !== undefined) {
    parts.push(formatUsd(s.costUsd));
    words.push(`run cost ${formatUsd(s.costUsd)}`);
  }
  if (s.bridge) {
    tips.push(s.bridge.defaultDiscovery === 'other' ? `Agents started outside VS Code are answered by another Airlock gate (pid ${s.bridge.otherPid ?? '?'}).` : s.bridge.defaultDiscovery === 'ours' ? 'Agents started outside VS Code are answered by this window too.' : '');
  }
  tips.push('Click for the Airlock menu.');
  return { text: parts.join(' · '), tooltip: tips.filter((t) => t).join('\n'), tone, label: words.join(', ') };
}
