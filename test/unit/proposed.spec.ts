// The diff editor's right side: what the file would contain, and the size of the change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileAction } from '../../src/core/action';
import { diffStats, formatDiffStats, proposedContent } from '../../src/core/proposed';

const f = (o: Partial<FileAction>): FileAction => ({ kind: 'file', op: 'edit', path: '/ws/a.ts', cwd: '/ws', workspaceRoots: ['/ws'], ...o });

describe('proposed content', () => {
  it('write/create: the content sent', () => {
    assert.deepEqual(proposedContent(f({ op: 'write', content: 'x\n' }), 'old\n'), { ok: true, text: 'x\n' });
  });
  it('edit: one occurrence replaced in the current text', () => {
    assert.deepEqual(proposedContent(f({ oldString: 'b', newString: 'B' }), 'a\nb\nc\n'), { ok: true, text: 'a\nB\nc\n' });
  });
  it('edit: refuses an ambiguous or stale edit instead of guessing', () => {
    assert.equal(proposedContent(f({ oldString: 'a', newString: 'A' }), 'a a').ok, false);
    assert.equal(proposedContent(f({ oldString: 'zz', newString: 'A' }), 'a').ok, false);
    assert.equal(proposedContent(f({ oldString: 'a', newString: 'A' }), undefined).ok, false);
  });
  it('counts hunks and lines', () => {
    const before = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    const after = before.replace('line 2', 'LINE 2').replace('line 25', 'LINE 25\nextra');
    const s = diffStats(before, after);
    assert.deepEqual(s, { hunks: 2, added: 3, removed: 2 });
    assert.equal(formatDiffStats(s), '+3 −2 in 2 hunks');
  });
});
