import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionText, effectSummary, invisibleCount, isInvisible, needsDeliberateGesture, pendingCard, revealInvisible, revealSegments } from '../../src/core/present';
import { emptyFlags, type Effect } from '../../src/core/effects';
import type { Decision } from '../../src/core/judge';
import type { PendingCard } from '../../src/core/present';
import { PendingCardSchema } from '../../src/core/protocol/panel';
import type { z } from 'zod';

describe('revealInvisible', () => {
  it('keeps ordinary text and newlines verbatim', () => {
    assert.equal(revealInvisible('rm -rf ./build\necho done'), 'rm -rf ./build\necho done');
    assert.equal(revealInvisible('héllo 日本 👍'), 'héllo 日本 👍');
    assert.deepEqual(revealSegments(''), []);
  });

  it('makes bidi overrides, zero-width and control characters visible, dropping nothing', () => {
    const trojan = 'ls \u202Efdp.exe\u202C # \u200B\u200D\u2066x\u2069';
    assert.equal(revealInvisible(trojan), 'ls <U+202E RLO>fdp.exe<U+202C PDF> # <U+200B ZWSP><U+200D ZWJ><U+2066 LRI>x<U+2069 PDI>');
    assert.equal(revealInvisible('a\rb\x1b[2Jc\x00\t\x7f\x85'), 'a<U+000D CR>b<U+001B ESC>[2Jc<U+0000 NUL><U+0009 TAB><U+007F DEL><U+0085 NEL>');
    assert.equal(invisibleCount(trojan), 6);
  });

  it('reveals deceptive spaces, BOM, tag characters, variation selectors and lone surrogates', () => {
    assert.equal(revealInvisible('rm\u00A0-rf'), 'rm<U+00A0 NBSP>-rf');
    assert.equal(revealInvisible('\uFEFFx\u3000'), '<U+FEFF ZWNBSP/BOM>x<U+3000 IDEOGRAPHIC SPACE>');
    assert.equal(revealInvisible('a\u{E0041}\u{E0042}'), 'a<U+E0041 TAG><U+E0042 TAG>');
    assert.equal(revealInvisible('x\uFE0F'), 'x<U+FE0F VARIATION SELECTOR>');
    assert.equal(revealInvisible('x\uD800y'), 'x<U+D800 LONE SURROGATE>y');
    assert.equal(revealInvisible('\u2028'), '<U+2028 LINE SEPARATOR>');
  });

  it('segments separate markers from text, so a literal "<U+202E RLO>" typed by an agent stays text', () => {
    assert.deepEqual(revealSegments('<U+202E RLO>\u202E'), [{ text: '<U+202E RLO>' }, { code: 'U+202E', name: 'RLO' }]);
  });

  it('classifies every code point of the ranges it claims', () => {
    for (const cp of [0x0, 0x1f, 0x7f, 0x9f, 0x200b, 0x200f, 0x202a, 0x202e, 0x2066, 0x2069, 0xfeff, 0xe0001, 0xe007f]) assert.ok(isInvisible(cp), cp.toString(16));
    for (const cp of [0x0a, 0x20, 0x41, 0xe9, 0x4e00, 0x1f44d]) assert.ok(!isInvisible(cp), cp.toString(16));
  });
});

const eff = (kind: Effect['kind'], reversibility: Effect['reversibility'], detail: string, extra: Partial<Effect> = {}): Effect => ({ kind, reversibility, detail, ...extra });

describe('effectSummary', () => {
  it('a single effect reads as its own sentence', () => {
    assert.equal(effectSummary({ effects: [eff('delete', 'irreversible', 'drops table orders')], reversibility: 'irreversible' }), 'drops table orders');
  });

  it('groups many effects by kind with counts, worst first, and names outside-workspace targets', () => {
    const effects = [
      eff('read', 'read', 'reads a'),
      eff('write', 'reversible', 'writes x'),
      ...Array.from({ length: 214 }, (_, i) => eff('delete', 'irreversible', `deletes f${i}`, { outsideWorkspace: i < 3 })),
    ];
    assert.equal(effectSummary({ effects, reversibility: 'irreversible' }), 'deletes 214 targets, 3 outside the workspace; writes x');
  });

  it('appends security-config, secrets and unread-code flags; reads are left out only when something else happens', () => {
    assert.equal(
      effectSummary({ effects: [eff('write', 'recoverable', 'writes .git/hooks/pre-commit', { securityConfig: true })], reversibility: 'recoverable', flags: { secrets: true } }),
      'writes .git/hooks/pre-commit; touches security configuration; touches secrets',
    );
    assert.equal(effectSummary({ effects: [eff('read', 'read', 'reads a')], reversibility: 'read' }), 'reads a');
    assert.equal(effectSummary({ effects: [], reversibility: 'read' }), 'no effect found');
    assert.equal(effectSummary({ effects: [eff('network', 'irreversible', 'downloads', { exec: true })], reversibility: 'irreversible' }), 'downloads; runs code nobody has read');
  });
});

function decision(over: Partial<Decision> = {}): Decision {
  return { decision: 'ask', reversibility: 'irreversible', effects: [eff('delete', 'irreversible', 'drops table orders')], flags: emptyFlags(), reasons: ['irreversible'], rules: ['floor.irreversible'], commands: [], cacheable: false, actionHash: 'abc', policyHash: 'p', snapshots: [], ...over };
}

describe('pendingCard', () => {
  it('leads with the effect, reveals the exact SQL and the claim, and marks irreversible cards', () => {
    const card = pendingCard({
      runId: 'r', stepId: 's', agent: 'claude', toolName: 'mcp__db__query', deadlineAt: 123,
      action: { kind: 'sql', sql: 'DROP TABLE orders;\u200B', dialect: 'postgres' },
      decision: decision(),
      description: 'harmless \u202Ecleanup',
    });
    assert.equal(card.effectSummary, 'drops table orders');
    assert.deepEqual(card.command, [{ text: 'DROP TABLE orders;' }, { code: 'U+200B', name: 'ZWSP' }]);
    assert.equal(card.invisibleCount, 1);
    assert.deepEqual(card.claim, [{ text: 'harmless ' }, { code: 'U+202E', name: 'RLO' }, { text: 'cleanup' }]);
    assert.equal(card.irreversible, true);
    assert.equal(card.cacheable, false);
    assert.equal(card.actionHash, 'abc');
    assert.ok(PendingCardSchema.safeParse(card).success);
  });

  it('security-config needs the deliberate gesture even when recoverable; reversible cacheable cards do not', () => {
    assert.equal(needsDeliberateGesture(decision({ reversibility: 'recoverable', flags: { ...emptyFlags(), securityConfig: true } })), true);
    assert.equal(needsDeliberateGesture(decision({ reversibility: 'unknown' })), true);
    const c = pendingCard({ runId: 'r', stepId: 's', agent: 'a', toolName: 'Write', deadlineAt: 1, decision: decision({ reversibility: 'reversible', cacheable: true }) });
    assert.equal(c.irreversible, false);
    assert.equal(c.cacheable, true);
    const sec = pendingCard({ runId: 'r', stepId: 's', agent: 'a', toolName: 'Write', deadlineAt: 1, decision: decision({ reversibility: 'reversible', cacheable: true, flags: { ...emptyFlags(), securityConfig: true } }) });
    assert.equal(sec.cacheable, false, 'security config is never cached');
    assert.equal(sec.securityConfig, true);
  });

  it('actionText shows the whole file content, edits, renames and requests', () => {
    assert.equal(actionText({ kind: 'file', op: 'write', path: '/w/a', cwd: '/w', workspaceRoots: [], content: 'x'.repeat(5000) }), `write /w/a\n${'x'.repeat(5000)}`);
    assert.equal(actionText({ kind: 'file', op: 'rename', path: '/w/a', newPath: '/w/b', cwd: '/w', workspaceRoots: [] }), 'rename /w/a → /w/b');
    assert.equal(actionText({ kind: 'file', op: 'edit', path: '/w/a', cwd: '/w', workspaceRoots: [], oldString: 'o', newString: 'n' }), 'edit /w/a\n--- replace\no\n+++ with\nn');
    assert.equal(actionText({ kind: 'http', method: 'POST', url: 'https://x', body: '{}' }), 'POST https://x\n{}');
    assert.equal(actionText({ kind: 'mcp', server: 'fs', tool: 'rm', args: { p: 1 } }), 'fs · rm {"p":1}');
  });
});

// Compile-time: the card the host builds is exactly what the protocol carries.
const _sameShape: z.infer<typeof PendingCardSchema> = {} as PendingCard;
const _sameShapeBack: PendingCard = {} as z.infer<typeof PendingCardSchema>;
void _sameShape;
void _sameShapeBack;
