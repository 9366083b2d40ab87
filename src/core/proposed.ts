/**
 * Proposed file content for the diff editor: what the file would contain if the pending write or
 * edit ran, and the size of the change (the `diff` package), for the diff title and notification.
 * Pure: the editor reads the current file and hands its text in.
 */
import { structuredPatch } from 'diff';
import type { FileAction } from './action';

export type Proposed = { ok: true; text: string } | { ok: false; reason: string };

/** The file's text after the action, from its current text (undefined = the file does not exist). */
export function proposedContent(a: FileAction, current: string | undefined): Proposed {
  if (a.op === 'write' || a.op === 'create') return a.content !== undefined ? { ok: true, text: a.content } : { ok: false, reason: 'the agent sent no content' };
  if (a.op === 'edit') {
    if (current === undefined) return { ok: false, reason: 'the file does not exist' };
    const old = a.oldString ?? '';
    const i = old === '' ? -1 : current.indexOf(old);
    if (i < 0) return { ok: false, reason: 'the text to replace is not in the file as it is now' };
    // Like the agents' Edit tools: one occurrence replaced (a second one makes the edit ambiguous).
    if (current.indexOf(old, i + 1) >= 0) return { ok: false, reason: 'the text to replace occurs more than once; the agent must say which' };
    return { ok: true, text: current.slice(0, i) + (a.newString ?? '') + current.slice(i + old.length) };
  }
  return { ok: false, reason: `no proposed content for ${a.op}` };
}

export interface DiffStats {
  hunks: number;
  added: number;
  removed: number;
}

export function diffStats(before: string, after: string): DiffStats {
  const p = structuredPatch('current', 'proposed', before, after, '', '', { context: 3 });
  let added = 0;
  let removed = 0;
  for (const h of p.hunks) for (const l of h.lines) {
    if (l.startsWith('+')) added++;
    else if (l.startsWith('-')) removed++;
  }
  return { hunks: p.hunks.length, added, removed };
}

/** "+12 −3 in 2 hunks" */
export function formatDiffStats(s: DiffStats): string {
  return `+${s.added} −${s.removed} in ${s.hunks} hunk${s.hunks === 1 ? '' : 's'}`;
}
