/**
 * The workspace policy review: what a workspace's .airlock/policy.json would permit beyond the
 * person's own policy (ignored until they accept that exact file content), as items and as the
 * read-only document the editor shows. Pure.
 */
import { buildEffectivePolicy, describeMatch, loosenings, type ParseResult } from './layers';
import type { Policy } from './schema';

export interface LooseningItem {
  /** One line: "rule allow-rm allows commands rm", "autonomy for shell raised from ... to ...". */
  what: string;
  ruleId?: string;
  match?: string;
  decision?: string;
  reason?: string;
}

/** The loosenings of `workspace` relative to the user's policy (baseline + user layer). */
export function workspaceLoosenings(workspace: Policy, user: Policy | undefined): LooseningItem[] {
  const userEffective = buildEffectivePolicy(user ? { user } : {});
  const loose = loosenings(workspace, userEffective);
  // loosenings() lists the allow rules first, in file order, then the other entries.
  const allowRules = workspace.rules.filter((r) => r.decision === 'allow');
  return loose.map((l, i) => {
    const r = i < allowRules.length ? allowRules[i] : undefined;
    return r ? { what: l.what, ruleId: r.id, match: describeMatch(r), decision: r.decision, reason: r.reason } : { what: l.what };
  });
}

export interface PolicyReview {
  path: string;
  /** SHA-256 of the exact file content reviewed (what an acceptance is bound to). */
  hash: string;
  /** The file as read; undefined when it could not be parsed (then `error`). */
  error?: string;
  items: LooseningItem[];
  acknowledged: boolean;
  content: string;
}

/** Build the review from the file's text and the user's policy. */
export function reviewOf(path: string, content: string, hash: string, parsed: ParseResult, user: Policy | undefined, acknowledged: ReadonlySet<string>): PolicyReview {
  if (!parsed.ok) return { path, hash, error: parsed.error, items: [], acknowledged: false, content };
  return { path, hash, items: workspaceLoosenings(parsed.policy, user), acknowledged: acknowledged.has(hash), content };
}

/** Does this review need the person (loosenings not yet accepted)? */
export function needsAcceptance(r: PolicyReview): boolean {
  return !r.error && !r.acknowledged && r.items.length > 0;
}

export function reviewHeadline(r: PolicyReview): string {
  const n = r.items.length;
  return `This workspace's Airlock policy would permit ${n} thing${n === 1 ? '' : 's'} your policy denies today`;
}

/** The read-only review document (markdown). */
export function renderReview(r: PolicyReview): string {
  const out = [`# Workspace policy review`, '', `File: ${r.path}`, `Content SHA-256: ${r.hash}`, ''];
  if (r.error) {
    out.push(`This file is not a valid Airlock policy (${r.error}). Airlock uses the last valid copy plus the baseline; nothing here can be accepted.`);
    return out.join('\n');
  }
  if (r.items.length === 0) out.push('This file only tightens your policy: it applies without acceptance.');
  else {
    out.push(
      r.acknowledged ? `You accepted this exact content. It permits ${r.items.length} thing(s) beyond your own policy:` : `${reviewHeadline(r)}. Until you accept this exact content, Airlock ignores these entries (everything else in the file, which only tightens, applies now):`,
      '',
    );
    r.items.forEach((it, i) => {
      if (it.ruleId) out.push(`${i + 1}. Rule \`${it.ruleId}\`: decision **${it.decision}** for ${it.match}${it.reason ? ` — "${it.reason}"` : ''}`);
      else out.push(`${i + 1}. ${it.what}`);
    });
    out.push('', 'Denies in any layer still win, and irreversible or unknown actions are still asked about whatever this file says.');
    if (!r.acknowledged) out.push('', `Accepting records this SHA-256 outside the workspace. If the file changes afterwards, the acceptance no longer applies and you are asked again.`);
  }
  const fence = '`'.repeat(Math.max(3, ...[...r.content.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  out.push('', '## File content', '', `${fence}json`, r.content, fence, '');
  return out.join('\n');
}
