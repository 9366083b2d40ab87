/**
 * What a person sees before approving: the derived effect first, then the exact thing that will
 * run, with every character that could hide or reorder text made visible. Pure: the notification,
 * the modal, the diff title and the panel card all render from these functions.
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

/** Characters that change how text reads without being seen, by range, with a short name. */
const INVISIBLE_NAMES: Record<number, string> = {
  0x00: 'NUL', 0x07: 'BEL', 0x08: 'BS', 0x0b: 'VT', 0x0c: 'FF', 0x0d: 'CR', 0x1b: 'ESC', 0x7f: 'DEL',
  0x00a0: 'NBSP', 0x00ad: 'SOFT HYPHEN', 0x034f: 'CGJ', 0x061c: 'ALM', 0x115f: 'HANGUL FILLER', 0x1160: 'HANGUL FILLER',
  0x180e: 'MVS', 0x200b: 'ZWSP', 0x200c: 'ZWNJ', 0x200d: 'ZWJ', 0x200e: 'LRM', 0x200f: 'RLM',
  0x2028: 'LINE SEPARATOR', 0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LRE', 0x202b: 'RLE', 0x202c: 'PDF', 0x202d: 'LRO', 0x202e: 'RLO',
  0x2060: 'WJ', 0x2061: 'FUNCTION APPLICATION', 0x2062: 'INVISIBLE TIMES', 0x2063: 'INVISIBLE SEPARATOR', 0x2064: 'INVISIBLE PLUS',
  0x2066: 'LRI', 0x2067: 'RLI', 0x2068: 'FSI', 0x2069: 'PDI',
  0x3164: 'HANGUL FILLER', 0xfeff: 'BOM/ZWNBSP', 0xffa0: 'HALFWIDTH HANGUL FILLER',
};

export type InvisibleClass = 'control' | 'bidi' | 'zero-width' | 'space';

function classOf(cp: number): InvisibleClass | undefined {
  if (cp === 0x0a || cp === 0x09) return undefined; // newline and tab are shown as themselves (marked below)
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp <= 0x9f)) return 'control';
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x200e || cp === 0x200f || cp === 0x061c) return 'bidi';
  if (
    (cp >= 0x200b && cp <= 0x200d) || (cp >= 0x2060 && cp <= 0x2064) || cp === 0xfeff || cp === 0x180e || cp === 0x00ad || cp === 0x034f ||
    cp === 0x115f || cp === 0x1160 || cp === 0x3164 || cp === 0xffa0 || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0000 && cp <= 0xe007f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  ) return 'zero-width';
  if (cp === 0x00a0 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000 || cp === 0x1680) return 'space';
  return undefined;
}

export interface Revealed {
  /** The text with each invisible character replaced by a visible marker ⟦U+XXXX NAME⟧. */
  text: string;
  /** What was found, per class, so a surface can warn ("contains 2 bidi controls"). */
  found: { class: InvisibleClass; codePoint: string; name: string; count: number }[];
}

const hex = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Make control, bidi, zero-width and unusual space characters visible. Newlines stay line breaks but
 * are marked with ⏎ when the text has more than one line (a command with a hidden second line is
 * the classic trick); tabs become ⇥. Nothing is removed or shortened.
 */
export function revealInvisible(input: string): Revealed {
  const counts = new Map<number, { class: InvisibleClass; count: number }>();
  const multiline = input.includes('\n');
  let out = '';
  for (const ch of input) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x0a) {
      out += multiline ? '⏎\n' : '\n';
      continue;
    }
    if (cp === 0x09) {
      out += '⇥';
      continue;
    }
    const c = classOf(cp);
    if (!c) {
      out += ch;
      continue;
    }
    const seen = counts.get(cp);
    if (seen) seen.count++;
    else counts.set(cp, { class: c, count: 1 });
    out += `⟦${hex(cp)}${INVISIBLE_NAMES[cp] ? ` ${INVISIBLE_NAMES[cp]}` : ''}⟧`;
  }
  const found = [...counts.entries()].map(([cp, v]) => ({ class: v.class, codePoint: hex(cp), name: INVISIBLE_NAMES[cp] ?? c0Name(cp), count: v.count }));
  return { text: out, found };
}

function c0Name(cp: number): string {
  if (cp >= 0xfe00 && cp <= 0xfe0f) return 'VARIATION SELECTOR';
  if (cp >= 0xe0000 && cp <= 0xe007f) return 'TAG';
  return cp < 0x20 || (cp >= 0x80 && cp <= 0x9f) ? 'CONTROL' : 'SPACE';
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
  return `contains ${[...by.entries()].map(([c, n]) => `${n} ${label[c][n === 1 ? 0 : 1]}`).join(', ')} (shown as ⟦U+…⟧)`;
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
export function effectSummary(d: EffectInput): EffectSummary {
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
  const summary = effectSummary(r);
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
