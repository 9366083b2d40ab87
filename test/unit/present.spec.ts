// What a person sees before approving: invisible characters revealed, effect first, nothing cut.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyFlags } from '../../src/core/effects';
import { confirmationWord, effectSummary, exactText, isCritical, presentApproval, revealInvisible } from '../../src/core/present';
import { renderStatus } from '../../src/core/status';

describe('revealInvisible', () => {
  it('leaves ordinary text alone', () => {
    assert.deepEqual(revealInvisible('git status --short'), { text: 'git status --short', found: [] });
  });
  it('makes bidi controls visible (Trojan Source)', () => {
    const r = revealInvisible('echo "safe\u202E;rm -rf ~\u2066"');
    assert.equal(r.text, 'echo "safe⟦U+202E RLO⟧;rm -rf ~⟦U+2066 LRI⟧"');
    assert.deepEqual(r.found.map((f) => f.class), ['bidi', 'bidi']);
  });
  it('makes zero-width, control and odd spaces visible, counting repeats', () => {
    const r = revealInvisible('r\u200Bm\u200B -rf\u00A0/ \u001b[2K');
    assert.equal(r.text, 'r⟦U+200B ZWSP⟧m⟦U+200B ZWSP⟧ -rf⟦U+00A0 NBSP⟧/ ⟦U+001B ESC⟧[2K');
    assert.equal(r.found.find((f) => f.codePoint === 'U+200B')?.count, 2);
  });
  it('marks line breaks of multi-line text and carriage returns (hidden second command)', () => {
    const r = revealInvisible('ls\r\nrm -rf build');
    assert.equal(r.text, 'ls⟦U+000D CR⟧⏎\nrm -rf build');
  });
  it('never shortens: a 100 KB command comes back whole', () => {
    const long = `echo ${'a'.repeat(100_000)}; rm -rf /`;
    assert.equal(revealInvisible(long).text, long);
  });
  it('reveals tag characters and variation selectors (ASCII smuggling)', () => {
    const r = revealInvisible('ok\u{E0072}\u{E006D}\uFE0F');
    assert.equal(r.found.length, 3);
    assert.ok(!/[\u{E0000}-\u{E007F}]/u.test(r.text));
  });
});

describe('effectSummary', () => {
  it('leads with the worst effect and counts targets outside the workspace', () => {
    const s = effectSummary({
      reversibility: 'irreversible',
      flags: { ...emptyFlags(), outsideWorkspace: true },
      effects: [
        { kind: 'read', reversibility: 'read', detail: 'reads x', target: '/ws/x' },
        { kind: 'delete', reversibility: 'irreversible', detail: 'deletes /home/u/a', target: '/home/u/a', outsideWorkspace: true },
        { kind: 'delete', reversibility: 'irreversible', detail: 'deletes /ws/b', target: '/ws/b' },
        { kind: 'create', reversibility: 'reversible', detail: 'creates /ws/c', target: '/ws/c' },
      ],
    });
    assert.equal(s.headline, 'IRREVERSIBLE: deletes 2 targets (1 outside the workspace); creates /ws/c');
    assert.equal(s.lines[0], 'IRREVERSIBLE · deletes /home/u/a [outside workspace]');
    assert.deepEqual(s.badges, ['outside the workspace']);
  });
  it('says so when nothing could be derived', () => {
    assert.equal(effectSummary({ reversibility: 'unknown', flags: emptyFlags(), effects: [] }).headline, 'UNKNOWN (treated as irreversible): no effect Airlock could derive');
  });
});

describe('presentApproval', () => {
  const base = { agent: 'claude', toolName: 'Bash', reasons: ['floor.irreversible'], flags: emptyFlags(), effects: [{ kind: 'delete' as const, reversibility: 'irreversible' as const, detail: 'deletes /ws/build', target: '/ws/build' }] };
  it('is critical for irreversible and security config, routine otherwise', () => {
    assert.equal(isCritical({ ...base, reversibility: 'irreversible' }), true);
    assert.equal(isCritical({ ...base, reversibility: 'unknown' }), true);
    assert.equal(isCritical({ ...base, reversibility: 'reversible', flags: { ...emptyFlags(), securityConfig: true } }), true);
    assert.equal(isCritical({ ...base, reversibility: 'reversible' }), false);
  });
  it("labels the agent's description as unverified and keeps it out of the effect", () => {
    const v = presentApproval({ ...base, reversibility: 'irreversible', action: { kind: 'shell', command: 'rm -rf build', cwd: '/ws', workspaceRoots: ['/ws'] }, description: 'Clean\u202E the cache' });
    assert.equal(v.claim, 'Agent says (unverified): Clean⟦U+202E RLO⟧ the cache');
    assert.ok(!v.title.includes('Clean'));
    assert.equal(v.title, 'claude wants to: IRREVERSIBLE: deletes /ws/build');
    assert.equal(v.exact.text, 'rm -rf build');
    assert.equal(v.exact.warning, '');
  });
  it('warns when the exact text hides characters', () => {
    const v = presentApproval({ ...base, reversibility: 'irreversible', action: { kind: 'sql', sql: 'DROP TABLE orders\u200B', dialect: 'postgres' } });
    assert.match(v.exact.warning, /1 zero-width character/);
  });
  it('shows edits in full (old and new text)', () => {
    const t = exactText({ kind: 'file', op: 'edit', path: '/ws/a.ts', cwd: '/ws', workspaceRoots: ['/ws'], oldString: 'a', newString: 'b' });
    assert.equal(t.text, 'edit /ws/a.ts\n--- replace:\na\n--- with:\nb');
  });
  it('asks for a typed word that Enter alone cannot give', () => {
    assert.equal(confirmationWord({ kind: 'file', op: 'delete', path: '/ws/Orders.sql', cwd: '/ws', workspaceRoots: ['/ws'] }), 'orders.sql');
    assert.equal(confirmationWord({ kind: 'shell', command: '/bin/rm -rf x', cwd: '/ws', workspaceRoots: ['/ws'] }), 'rm');
    assert.equal(confirmationWord({ kind: 'sql', sql: 'DROP TABLE x', dialect: 'postgres' }), 'approve');
  });
});

describe('renderStatus', () => {
  const ledger = { ok: true as const, path: '/h/ledger.sqlite' };
  it('armed, with pending approvals and cost', () => {
    const v = renderStatus({ gate: 'armed', ledger, pending: 2, costUsd: 0.4213 });
    assert.equal(v.text, '$(shield) Airlock · $(bell-dot) 2 · $0.42');
    assert.equal(v.tone, 'warning');
    assert.equal(v.label, 'Airlock armed, 2 pending approvals, run cost $0.42');
  });
  it('killed is red and says how to get out', () => {
    const v = renderStatus({ gate: 'killed', reason: 'runaway', ledger, pending: 0 });
    assert.equal(v.tone, 'error');
    assert.match(v.tooltip, /un-latch it here\. Reason: runaway/);
  });
  it('a broken ledger is loud even when armed', () => {
    const v = renderStatus({ gate: 'armed', ledger: { ok: false, path: 'x', error: 'NODE_MODULE_VERSION 115' }, pending: 0 });
    assert.equal(v.tone, 'error');
    assert.match(v.text, /\$\(error\) ledger/);
    assert.match(v.tooltip, /DENIED/);
  });
});
