/**
 * Airlock's tools as VS Code language model tools (Copilot agent mode): the package.json
 * contributions generated from the same contracts as the MCP server, and the inline confirmation a
 * person sees for a call the gate would ask about. Pure: the judging lives in src/node/mcp/lmTools.ts,
 * the registration in src/vscode/lmTools.ts.
 *
 * The names carry a prefix (`airlock_read_file`) so they never collide with the editor's or other
 * extensions' tools of the same plain name.
 */
import type { Action } from '../action';
import { effectBreakdown, exactText, revealInvisible, invisibleWarning, isCritical, REVERSIBILITY_LABEL } from '../approvalView';
import type { Effect, Flags, Reversibility } from '../effects';
import type { ToolListing } from './contract';

export const LM_TOOL_PREFIX = 'airlock_';

export function lmToolName(tool: string): string {
  return `${LM_TOOL_PREFIX}${tool}`;
}

/** The Airlock tool behind a language model tool name, or undefined. */
export function airlockToolOf(lmName: string): string | undefined {
  return lmName.startsWith(LM_TOOL_PREFIX) ? lmName.slice(LM_TOOL_PREFIX.length) : undefined;
}

/** One `contributes.languageModelTools` entry. */
export interface LmToolContribution {
  name: string;
  displayName: string;
  toolReferenceName: string;
  canBeReferencedInPrompt: boolean;
  icon: string;
  tags: string[];
  userDescription: string;
  modelDescription: string;
  inputSchema: Record<string, unknown>;
}

/** The package.json entries, derived from the contracts (a unit test fails when they disagree). */
export function languageModelToolContributions(listings: readonly ToolListing[]): LmToolContribution[] {
  return listings.map((l) => ({
    name: lmToolName(l.name),
    displayName: `Airlock: ${l.title}`,
    toolReferenceName: lmToolName(l.name),
    canBeReferencedInPrompt: true,
    icon: '$(shield)',
    tags: ['airlock', l.annotations.readOnlyHint ? 'read-only' : 'side-effects'],
    userDescription: `${l.title}, judged by the Airlock gate and recorded in the run log.`,
    modelDescription: l.description,
    inputSchema: l.inputSchema,
  }));
}

/** What the gate would decide for a call, judged without acting (prepareInvocation). */
export type ToolPreview =
  | {
      kind: 'judged';
      tool: string;
      decision: 'allow' | 'ask' | 'deny';
      reversibility: Reversibility;
      effects: Effect[];
      flags: Flags;
      reasons: string[];
      rules: string[];
      action?: Action;
    }
  /** The call fails before the gate (malformed, unknown connection, conflict): nothing to confirm. */
  | { kind: 'fails'; tool: string; code: string; message: string };

export interface PreparedView {
  invocationMessage: string;
  /** Present only when the gate would ask: Copilot's inline confirmation (markdown message). */
  confirmation?: { title: string; message: string };
}

/** A code fence longer than any backtick run in the text, so nothing can close it early. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

const escapeMd = (s: string): string => s.replace(/([\\`*_{}[\]()#+!<>|~])/g, '\\$1');

/**
 * The invocation message and, for calls the gate would ask about, the inline confirmation: the
 * derived effect first, then the exact action (invisible characters revealed), then the gate's
 * reasons, and what happens next (Airlock still asks in its own approval view, bound to the exact
 * action: this confirmation can be switched off in Copilot, Airlock's cannot).
 */
export function preparedView(p: ToolPreview): PreparedView {
  if (p.kind === 'fails') return { invocationMessage: `Airlock ${p.tool}: will fail before running (${p.code}: ${p.message})` };
  const summary = effectBreakdown(p);
  if (p.decision === 'allow') return { invocationMessage: `Airlock ${p.tool}: ${summary.headline}` };
  if (p.decision === 'deny') return { invocationMessage: `Airlock ${p.tool}: the gate will refuse this (${p.reasons.join('; ')})` };
  const ex = p.action ? exactText(p.action) : { label: `${p.tool} call`, text: p.tool };
  const revealed = revealInvisible(ex.text);
  const warning = invisibleWarning(revealed);
  const critical = isCritical(p);
  const lines = [
    `**${escapeMd(summary.headline)}**`,
    '',
    ...summary.lines.map((l) => `- ${escapeMd(l)}`),
    ...(summary.badges.length ? ['', `Flags: ${summary.badges.map(escapeMd).join(', ')}`] : []),
    '',
    `${escapeMd(ex.label)}${warning ? ` (${escapeMd(warning)})` : ''}:`,
    '',
    fenced(revealed.text),
    '',
    `Why Airlock asks: ${p.reasons.map(escapeMd).join('; ') || 'policy'}${p.rules.length ? ` (rules: ${p.rules.map(escapeMd).join(', ')})` : ''}`,
    '',
    `Continue sends the call to Airlock's gate, which asks you again in its own approval view, bound to this exact action${critical ? ' (irreversible: you will type a confirmation word)' : ''}. Cancel stops it here.`,
  ];
  return {
    invocationMessage: `Airlock ${p.tool}: waiting for the gate (${REVERSIBILITY_LABEL[p.reversibility]})`,
    confirmation: { title: `Airlock: ${critical ? 'IRREVERSIBLE — ' : ''}${p.tool} needs your approval`, message: lines.join('\n') },
  };
}
