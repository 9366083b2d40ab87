/**
 * The approval view: what a person sees before approving, for the editor's surfaces (notification,
 * modal, diff title, review document): the derived effect first, then the exact thing that will
 * run, with every character that could hide or reorder text made visible (by present.ts, the one
 * detector shared with the panel's cards).
 *
 * Architecture Invariants:
 * - The exact text is never truncated here. A surface too small for it must link to a view that
 *   shows all of it, and must not offer Approve before that view (see vscode/approvals.ts).
 * - The agent's own description is never mixed into the effect: it is labelled as an unverified claim.
 * - Irreversible, unknown and security-config actions are `critical`: they need a deliberate gesture
 *   and are never cached.
 */
import type { Action } from './action';
import { rankOf, type Effect, type EffectKind, type Flags, type Reversibility } from './effects';
import { revealSegments } from './present';

export type InvisibleClass = 'control' | 'bidi' | 'zero-width' | 'space';

function classOf(cp: number): InvisibleClass {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 'control';
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x200e || cp === 0x200f || cp === 0x061c) return 'bidi';
  if (cp === 0x00a0 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000 || cp === 0x1680) return 'space';
  return 'zero-width';
}

export interface Revealed {
  /** The text with each invisible character replaced by a visible marker <U+XXXX NAME>. */
  text: string;
  /** What was found, per code point, so a surface can warn ("contains 2 bidi controls"). */
  found: { class: InvisibleClass; codePoint: string; name: string; count: number }[];
}

/**
 * present.ts's markers, plus: in multi-line text each line break is marked with ⏎ (a command with a
 * hidden second line is the classic trick). Nothing is removed or shortened.
 */
export function revealInvisible(input: string): Revealed {
  const multiline = input.includes('\n');
  const counts = new Map<string, { class: InvisibleClass; name: string; count: number }>();
  let out = '';
  for (const s of revealSegments(input)) {
    if ('text' in s) {
      out += multiline ? s.text.replace(/\n/g, '⏎\n') : s.text;
      continue;
    }
    const seen = counts.get(s.code);
    if (seen) seen.count++;
    else counts.set(s.code, { class: classOf(parseInt(s.code.slice(2), 16)), name: s.name, count: 1 });
    out += `<${s.code} ${s.name}>`;
  }
  return { text: out, found: [...counts.entries()].map(([codePoint, v]) => ({ class: v.class, codePoint, name: v.name, count: v.count })) };
}

/** "2 bidi controls, 1 zero-width character" — empty when nothing was hidden. */
export function invisibleWarning(r: Revealed): string {
  if (r.found.length === 0) return '';
  const by = new Map<InvisibleClass, number>();
  for (const f of r.found) by.set(f.class, (by.get(f.class) ?? 0) + f.count);
  const label: Record<InvisibleClass, [string, string]> = {
    control: ['control character', 'control characters'],
    bidi: ['bidi control', 'bidi controls'],
    'zero-width': ['zero-width character', 'zero-width characters'],
    space: ['unusual space', 'unusual spaces'],
  };
  return `contains ${[...by.entries()].map(([c, n]) => `${n} ${label[c][n === 1 ? 0 : 1]}`).join(', ')} (shown as <U+…>)`;
}

const VERBS: Record<EffectKind, string> = {
  read: 'reads',
  create: 'creates',
  write: 'modifies',
  overwrite: 'overwrites',
  delete: 'deletes',
  exec: 'runs code',
  network: 'sends over the network / changes remote state',
  permissions: 'changes permissions',
  process: 'signals or stops processes',
  unknown: 'does something Airlock could not analyse',
};
/** Effect kinds in the order a person should read them: worst first. */
const KIND_ORDER: EffectKind[] = ['unknown', 'delete', 'overwrite', 'network', 'permissions', 'process', 'exec', 'write', 'create', 'read'];

export const REVERSIBILITY_LABEL: Record<Reversibility, string> = {
  read: 'read-only',
  reversible: 'reversible',
  recoverable: 'recoverable with manual work',
  irreversible: 'IRREVERSIBLE',
  unknown: 'UNKNOWN (treated as irreversible)',
};

export interface EffectInput {
  reversibility: Reversibility;
  effects: readonly Effect[];
  flags: Flags;
}

export interface EffectSummary {
  /** One sentence, worst effect first: "IRREVERSIBLE: deletes 3 targets (2 outside the workspace); runs code". */
  headline: string;
  /** One line per effect: verb, target, markers. Never shortened. */
  lines: string[];
  /** Flag words for badges: outside workspace, security config, secrets, network, unreviewed code. */
  badges: string[];
}

/** The derived effect of an action, in words, worst first. */
export function effectBreakdown(d: EffectInput): EffectSummary {
  const groups = new Map<EffectKind, Effect[]>();
  for (const e of d.effects) groups.set(e.kind, [...(groups.get(e.kind) ?? []), e]);
  const parts: string[] = [];
  for (const kind of KIND_ORDER) {
    const g = groups.get(kind);
    if (!g || (kind === 'read' && groups.size > 1)) continue;
    const targets = [...new Set(g.map((e) => e.target).filter((t): t is string => !!t))];
    const outside = g.filter((e) => e.outsideWorkspace).length;
    let p = VERBS[kind];
    if (targets.length === 1) p += ` ${targets[0]}`;
    else if (targets.length > 1) p += ` ${targets.length} targets`;
    if (outside > 0) p += targets.length > 1 || outside > 1 ? ` (${outside} outside the workspace)` : ' (outside the workspace)';
    parts.push(p);
  }
  if (parts.length === 0) parts.push('no effect Airlock could derive');
  const badges = [
    d.flags.securityConfig ? 'security config' : '',
    d.flags.secrets ? 'secrets' : '',
    d.flags.outsideWorkspace ? 'outside the workspace' : '',
    d.flags.network ? 'network' : '',
    d.flags.exec ? 'runs unreviewed code' : '',
  ].filter((b) => b);
  const sorted = [...d.effects].sort((a, b) => rankOf(b.reversibility) - rankOf(a.reversibility));
  const lines = sorted.map((e) => {
    const marks = [e.outsideWorkspace ? 'outside workspace' : '', e.securityConfig ? 'security config' : '', e.secrets ? 'secrets' : '', e.exec ? 'unreviewed code' : ''].filter((m) => m);
    return `${REVERSIBILITY_LABEL[e.reversibility]} · ${e.detail}${e.target && !e.detail.includes(e.target) ? ` (${e.target})` : ''}${marks.length ? ` [${marks.join(', ')}]` : ''}`;
  });
  return { headline: `${REVERSIBILITY_LABEL[d.reversibility]}: ${parts.join('; ')}`, lines, badges };
}

/** The exact thing that will run, as text, before revealing invisibles. Complete: nothing elided. */
export function exactText(a: Action): { label: string; text: string } {
  switch (a.kind) {
    case 'shell':
      return { label: `shell command (in ${a.cwd})`, text: a.command };
    case 'file': {
      const head = a.op === 'rename' ? `rename ${a.path} -> ${a.newPath ?? '?'}` : a.op === 'chmod' ? `chmod ${a.mode ?? '?'} ${a.path}` : `${a.op} ${a.path}`;
      if (a.op === 'edit') return { label: 'file edit', text: `${head}\n--- replace:\n${a.oldString ?? ''}\n--- with:\n${a.newString ?? ''}` };
      return { label: 'file operation', text: head };
    }
    case 'sql':
      return { label: `SQL (${a.dialect}${a.connection ? `, connection ${a.connection}` : ''})`, text: a.sql };
    case 'http':
      return { label: 'HTTP request', text: `${a.method} ${a.url}${a.body ? `\n\n${a.body}` : ''}` };
    case 'mcp':
      return { label: `MCP tool ${a.server}/${a.tool}`, text: JSON.stringify(a.args, null, 2) };
  }
}

/** Irreversible, unknown and security-config actions need a deliberate gesture and are never cached. */
export function isCritical(d: EffectInput): boolean {
  return rankOf(d.reversibility) >= rankOf('irreversible') || d.flags.securityConfig;
}

export interface ApprovalView {
  critical: boolean;
  title: string;
  summary: EffectSummary;
  exact: { label: string; text: string; warning: string };
  /** The agent's own words, labelled: never part of the effect. */
  claim?: string;
  reasons: string[];
}

export interface PresentInput extends EffectInput {
  agent: string;
  toolName: string;
  action?: Action;
  description?: string;
  reasons: readonly string[];
}

/** Everything a surface needs to show one pending approval. */
export function presentApproval(r: PresentInput): ApprovalView {
  const summary = effectBreakdown(r);
  const ex = r.action ? exactText(r.action) : { label: `${r.toolName} call`, text: r.toolName };
  const revealed = revealInvisible(ex.text);
  const claim = r.description ? `Agent says (unverified): ${revealInvisible(r.description).text}` : undefined;
  return {
    critical: isCritical(r),
    title: `${r.agent} wants to: ${summary.headline}`,
    summary,
    exact: { label: ex.label, text: revealed.text, warning: invisibleWarning(revealed) },
    ...(claim ? { claim } : {}),
    reasons: [...r.reasons],
  };
}

/**
 * The word a person types to approve a critical action: the target's last path segment or the
 * program, lower-case, letters/digits/.-_ only, so it cannot be typed by accident with Enter.
 * Falls back to "approve".
 */
export function confirmationWord(a: Action | undefined): string {
  let w = '';
  if (a?.kind === 'file') w = a.path.split('/').filter((s) => s).pop() ?? '';
  else if (a?.kind === 'shell') w = a.command.trim().split(/\s+/)[0]?.split('/').pop() ?? '';
  else if (a?.kind === 'mcp') w = a.tool;
  w = w.toLowerCase().replace(/[^a-z0-9._-]/g, '');
  return w.length >= 2 && w.length <= 40 ? w : 'approve';
}
