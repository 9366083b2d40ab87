/**
 * What a person sees before approving: pure presentation functions shared by every approval
 * surface (the panel's cards, the notification, the diff editor title).
 *
 * Architecture Invariants:
 * - What the person sees is what will run. `revealInvisible` never drops or truncates a character:
 *   every control, bidi, zero-width or deceptive-space code point becomes a visible, named marker,
 *   and everything else is kept as is. The segment form lets a UI style the markers so literal text
 *   that merely looks like a marker cannot pass for one.
 * - The derived effect leads (`effectSummary`), computed from the classifier's effects, never from
 *   the agent's own description, which is only ever shown as an unverified claim.
 */
import type { Action } from './action';
import { rankOf, type Effect, type EffectKind, type Reversibility } from './effects';
import type { Decision } from './judge';
import type { ApprovalRequest } from './run/approver';

/** One run of plain text, or one invisible/deceptive code point made visible. */
export type RevealSegment = { text: string } | { code: string; name: string };

/** Short names for the code points people most need to recognise. */
const NAMES: Record<number, string> = {
  0x00: 'NUL', 0x07: 'BEL', 0x08: 'BS', 0x09: 'TAB', 0x0b: 'VT', 0x0c: 'FF', 0x0d: 'CR', 0x1b: 'ESC', 0x7f: 'DEL',
  0x85: 'NEL', 0xa0: 'NBSP', 0xad: 'SOFT HYPHEN', 0x34f: 'CGJ', 0x61c: 'ALM', 0x115f: 'HANGUL FILLER', 0x1160: 'HANGUL FILLER',
  0x180e: 'MVS', 0x200b: 'ZWSP', 0x200c: 'ZWNJ', 0x200d: 'ZWJ', 0x200e: 'LRM', 0x200f: 'RLM',
  0x2028: 'LINE SEPARATOR', 0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LRE', 0x202b: 'RLE', 0x202c: 'PDF', 0x202d: 'LRO', 0x202e: 'RLO', 0x202f: 'NNBSP', 0x205f: 'MMSP',
  0x2060: 'WJ', 0x2061: 'FUNCTION APPLICATION', 0x2062: 'INVISIBLE TIMES', 0x2063: 'INVISIBLE SEPARATOR', 0x2064: 'INVISIBLE PLUS',
  0x2066: 'LRI', 0x2067: 'RLI', 0x2068: 'FSI', 0x2069: 'PDI', 0x3000: 'IDEOGRAPHIC SPACE', 0x3164: 'HANGUL FILLER',
  0xfeff: 'ZWNBSP/BOM', 0xffa0: 'HALFWIDTH HANGUL FILLER', 0xfff9: 'IAA', 0xfffa: 'IAS', 0xfffb: 'IAT',
};

/**
 * Is this code point one a person could not see, or could mistake for something else?
 * Newline (U+000A) is the one control kept as is: multi-line commands and SQL are legitimate and a
 * line break is visible. Every other C0/C1 control, bidi control, zero-width or default-ignorable
 * character, non-ASCII space, variation selector, tag character and lone surrogate is revealed.
 */
export function isInvisible(cp: number): boolean {
  if (cp === 0x0a) return false;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return true;
  if (cp === 0xa0 || cp === 0xad || cp === 0x34f || cp === 0x61c || cp === 0x115f || cp === 0x1160 || cp === 0x17b4 || cp === 0x17b5 || cp === 0x180e) return true;
  if (cp >= 0x180b && cp <= 0x180f) return true; // Mongolian variation selectors
  if (cp >= 0x2000 && cp <= 0x200f) return true; // odd-width spaces, ZWSP, ZWNJ, ZWJ, LRM, RLM
  if (cp >= 0x2028 && cp <= 0x202f) return true; // separators, bidi embeddings/overrides, NNBSP
  if (cp >= 0x205f && cp <= 0x206f) return true; // MMSP, WJ, invisible operators, isolates, deprecated formats
  if (cp === 0x3000 || cp === 0x3164 || cp === 0xfeff || cp === 0xffa0) return true;
  if (cp >= 0xfe00 && cp <= 0xfe0f) return true; // variation selectors
  if (cp >= 0xfff0 && cp <= 0xfffb) return true; // unassigned specials, interlinear annotation
  if (cp >= 0xd800 && cp <= 0xdfff) return true; // lone surrogate
  if (cp >= 0x1bca0 && cp <= 0x1bca3) return true; // shorthand format controls
  if (cp >= 0x1d173 && cp <= 0x1d17a) return true; // musical format controls
  if (cp >= 0xe0000 && cp <= 0xe0fff) return true; // tags and supplementary variation selectors
  return false;
}

const hex = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

function nameOf(cp: number): string {
  const n = NAMES[cp];
  if (n) return n;
  if (cp >= 0xd800 && cp <= 0xdfff) return 'LONE SURROGATE';
  if (cp >= 0xe0000 && cp <= 0xe007f) return 'TAG';
  if ((cp >= 0xfe00 && cp <= 0xfe0f) || cp >= 0xe0100) return 'VARIATION SELECTOR';
  if (cp >= 0x2000 && cp <= 0x200a) return 'SPACE';
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 'CONTROL';
  return 'INVISIBLE';
}

/** The text as segments: plain runs kept verbatim, each invisible code point its own marker. */
export function revealSegments(text: string): RevealSegment[] {
  const out: RevealSegment[] = [];
  let plain = '';
  // for..of walks code points; a lone surrogate comes through as its own one-unit string.
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (!isInvisible(cp)) {
      plain += ch;
      continue;
    }
    if (plain) out.push({ text: plain });
    plain = '';
    out.push({ code: hex(cp), name: nameOf(cp) });
  }
  if (plain) out.push({ text: plain });
  return out;
}

/**
 * The text with every invisible code point replaced by `<U+XXXX NAME>` (for plain-text surfaces such
 * as a notification). Nothing is dropped or truncated.
 */
export function revealInvisible(text: string): string {
  return revealSegments(text)
    .map((s) => ('text' in s ? s.text : `<${s.code} ${s.name}>`))
    .join('');
}

/** How many code points `revealInvisible` made visible. */
export function invisibleCount(text: string): number {
  return revealSegments(text).filter((s) => 'code' in s).length;
}

const VERB: Record<EffectKind, string> = {
  delete: 'deletes',
  overwrite: 'overwrites',
  write: 'writes',
  create: 'creates',
  network: 'sends or changes remotely',
  exec: 'runs',
  permissions: 'changes permissions of',
  process: 'signals processes',
  read: 'reads',
  unknown: 'could not analyze',
};

interface EffectLike {
  kind: EffectKind;
  reversibility: Reversibility;
  detail: string;
  target?: string;
  outsideWorkspace?: boolean;
  securityConfig?: boolean;
  secrets?: boolean;
  exec?: boolean;
}

/**
 * The derived effect in one line, worst first: a single effect reads as its classifier's own
 * sentence ("drops table orders"); several group by kind with counts ("deletes 214 targets, 3
 * outside the workspace; runs unread code"). Flags that make an approval riskier are appended.
 * Effects that only read are left out when anything else happens.
 */
export function effectSummary(d: { effects: readonly EffectLike[]; reversibility: Reversibility; flags?: Partial<Record<'securityConfig' | 'secrets' | 'exec' | 'outsideWorkspace', boolean>> }): string {
  const effects = [...d.effects].sort((a, b) => rankOf(b.reversibility) - rankOf(a.reversibility));
  const meaningful = effects.some((e) => e.kind !== 'read') ? effects.filter((e) => e.kind !== 'read') : effects;
  const parts: string[] = [];
  if (meaningful.length === 0) parts.push('no effect found');
  else if (meaningful.length === 1) parts.push(meaningful[0]!.detail);
  else {
    const groups = new Map<EffectKind, EffectLike[]>();
    for (const e of meaningful) groups.set(e.kind, [...(groups.get(e.kind) ?? []), e]);
    for (const [kind, es] of groups) {
      if (es.length === 1) {
        parts.push(es[0]!.detail);
        continue;
      }
      const outside = es.filter((e) => e.outsideWorkspace).length;
      parts.push(`${VERB[kind]} ${es.length} targets${outside ? `, ${outside} outside the workspace` : ''}`);
    }
  }
  const flag = (k: 'securityConfig' | 'secrets' | 'exec'): boolean => Boolean(d.flags?.[k]) || effects.some((e) => e[k]);
  const extra: string[] = [];
  if (flag('securityConfig')) extra.push('touches security configuration');
  if (flag('secrets')) extra.push('touches secrets');
  if (flag('exec') && !parts.some((p) => /\bruns\b/.test(p))) extra.push('runs code nobody has read');
  return [...parts, ...extra].join('; ');
}

/** The exact text that would run, before revealing: command line, SQL, file operation, request, tool call. */
export function actionText(a: Action): string {
  switch (a.kind) {
    case 'shell':
      return a.command;
    case 'sql':
      return a.connection ? `-- ${a.dialect} · ${a.connection}\n${a.sql}` : a.sql;
    case 'http':
      return a.body !== undefined ? `${a.method} ${a.url}\n${a.body}` : `${a.method} ${a.url}`;
    case 'mcp':
      return `${a.server} · ${a.tool} ${JSON.stringify(a.args)}`;
    case 'file': {
      let head = `${a.op} ${a.path}`;
      if (a.newPath) head += ` → ${a.newPath}`;
      if (a.mode !== undefined) head += ` mode ${a.mode}`;
      if (a.content !== undefined) return `${head}\n${a.content}`;
      if (a.oldString !== undefined || a.newString !== undefined) return `${head}\n--- replace\n${a.oldString ?? ''}\n+++ with\n${a.newString ?? ''}`;
      return head;
    }
  }
}

/** An approval card as every surface shows it (the panel renders it; h-ext's notification may too). */
export interface PendingCard {
  stepId: string;
  runId: string;
  agent: string;
  tool: string;
  /** The derived effect, first thing the person reads. */
  effectSummary: string;
  reversibility: Reversibility;
  /** The exact text that would run, invisible characters as markers, never truncated. */
  command: RevealSegment[];
  invisibleCount: number;
  /** The agent's own description: an unverified claim, revealed the same way. */
  claim?: RevealSegment[];
  reasons: string[];
  rules: string[];
  actionHash: string;
  /** Epoch ms: after this the gate denies (never approves). */
  deadlineAt: number;
  /** Irreversible or unknown: needs a deliberate gesture, never cached. */
  irreversible: boolean;
  securityConfig: boolean;
  /** "Allow for this run" may be offered (reversible classes only). */
  cacheable: boolean;
}

/** Needs the deliberate gesture: irreversible, unknown, or security configuration. */
export function needsDeliberateGesture(d: Pick<Decision, 'reversibility' | 'flags'>): boolean {
  return d.reversibility === 'irreversible' || d.reversibility === 'unknown' || d.flags.securityConfig;
}

/** Build the card for a pending approval. Pure: the host calls it for each `ApprovalRequest`. */
export function pendingCard(req: ApprovalRequest): PendingCard {
  const d = req.decision;
  const text = req.action ? actionText(req.action) : `${req.toolName} (no normalized action: judged as an unknown tool)`;
  const deliberate = needsDeliberateGesture(d);
  return {
    stepId: req.stepId,
    runId: req.runId,
    agent: req.agent,
    tool: req.toolName,
    effectSummary: effectSummary(d),
    reversibility: d.reversibility,
    command: revealSegments(text),
    invisibleCount: invisibleCount(text),
    ...(req.description ? { claim: revealSegments(req.description) } : {}),
    reasons: d.reasons,
    rules: d.rules,
    actionHash: d.actionHash,
    deadlineAt: req.deadlineAt,
    irreversible: d.reversibility === 'irreversible' || d.reversibility === 'unknown',
    securityConfig: d.flags.securityConfig,
    cacheable: d.cacheable && !deliberate,
  };
}

/** The word a person types to approve an irreversible or security-config card. */
export const CONFIRM_WORD = 'approve';

export type { Effect };
