/** Text rendering of decisions for the terminal. What the person sees is what will run. */
import type { Decision } from '../core/judge';

const LABEL = { allow: 'ALLOW', ask: 'ASK', deny: 'DENY' } as const;

/** Make control, bidi and zero-width characters visible (T19–T21). */
export function visible(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, (ch) => `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

export function renderDecision(d: Decision, subject: string): string {
  const lines = [`${LABEL[d.decision]}  ${d.reversibility}  ${visible(subject)}`];
  for (const e of d.effects) lines.push(`  - ${e.kind} [${e.reversibility}] ${visible(e.detail)}`);
  for (const r of d.reasons) lines.push(`  reason: ${visible(r)}`);
  if (d.rules.length) lines.push(`  rules: ${d.rules.join(', ')}`);
  for (const f of d.files ?? []) lines.push(`  read: ${visible(f.path)} (${f.sha256.startsWith('error:') ? f.sha256 : `sha256 ${f.sha256.slice(0, 16)}`})`);
  if (d.trustable?.length) lines.push(`  trustable in this workspace: ${d.trustable.map(visible).join(', ')} (airlock policy trust add <program>)`);
  return lines.join('\n');
}

export function decisionJson(d: Decision): Record<string, unknown> {
  return {
    decision: d.decision,
    reversibility: d.reversibility,
    effects: d.effects,
    flags: d.flags,
    reasons: d.reasons,
    rules: d.rules,
    commands: d.commands,
    cacheable: d.cacheable,
    actionHash: d.actionHash,
    policyHash: d.policyHash,
    ...(d.files?.length ? { files: d.files } : {}),
    ...(d.looked?.length ? { looked: d.looked } : {}),
    ...(d.trustable?.length ? { trustable: d.trustable } : {}),
  };
}

export const EXIT = { allow: 0, usage: 2, ask: 3, deny: 4 } as const;
