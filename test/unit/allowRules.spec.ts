// "Allow for this run": reversible classes only, one run, one pattern, time-limited.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action } from '../../src/core/action';
import { emptyFlags, type Effect } from '../../src/core/effects';
import { AllowForRun, grantable, patternOf } from '../../src/core/run/allowRules';

const ws = '/ws';
const edit = (path: string): Action => ({ kind: 'file', op: 'edit', path, cwd: ws, workspaceRoots: [ws], oldString: 'a', newString: 'b' });
const writeEff: Effect[] = [{ kind: 'write', reversibility: 'reversible', detail: 'writes', target: '/ws/src/a.ts' }];
const d = (o: Partial<{ cacheable: boolean; reversibility: 'reversible' | 'recoverable' | 'irreversible'; flags: ReturnType<typeof emptyFlags>; commands: string[]; effects: Effect[] }> = {}) => ({
  cacheable: true, reversibility: 'reversible' as const, flags: emptyFlags(), commands: [], effects: writeEff, ...o,
});

describe('allow for this run', () => {
  it('is offered only for cacheable, reversible, unflagged asks', () => {
    assert.equal(grantable(d()), true);
    assert.equal(grantable(d({ reversibility: 'recoverable' })), false);
    assert.equal(grantable(d({ reversibility: 'irreversible' })), false);
    assert.equal(grantable(d({ cacheable: false })), false);
    for (const f of ['securityConfig', 'secrets', 'outsideWorkspace', 'exec'] as const) assert.equal(grantable(d({ flags: { ...emptyFlags(), [f]: true } })), false, f);
  });
  it('file patterns are the op in one folder; deletes and renames have none', () => {
    assert.equal(patternOf(edit('/ws/src/a.ts'), d())?.key, 'file:edit:/ws/src/');
    assert.equal(patternOf({ kind: 'file', op: 'delete', path: '/ws/a', cwd: ws, workspaceRoots: [ws] }, d()), undefined);
  });
  it('matches the same run and pattern only, and re-checks the new ask', () => {
    const s = new AllowForRun(1000);
    assert.ok(s.grant('r1', edit('/ws/src/a.ts'), d(), 'p', 0));
    assert.ok(s.match('r1', edit('/ws/src/b.ts'), d(), 10));
    assert.equal(s.match('r2', edit('/ws/src/b.ts'), d(), 10), undefined, 'another run');
    assert.equal(s.match('r1', edit('/ws/lib/b.ts'), d(), 10), undefined, 'another folder');
    assert.equal(s.match('r1', edit('/ws/src/b.ts'), d({ reversibility: 'irreversible' }), 10), undefined, 'a worse ask of the same pattern');
    assert.equal(s.match('r1', edit('/ws/src/b.ts'), d(), 1000), undefined, 'expired');
  });
  it('refuses to grant what is not grantable, and clears', () => {
    const s = new AllowForRun();
    assert.equal(s.grant('r1', edit('/ws/a'), d({ reversibility: 'irreversible' }), 'p', 0), undefined);
    s.grant('r1', edit('/ws/a'), d(), 'p', 0);
    s.clear();
    assert.equal(s.list(1).length, 0);
  });
  it('shell patterns are the set of programs and effect kinds', () => {
    const p = patternOf({ kind: 'shell', command: 'mv a b', cwd: ws, workspaceRoots: [ws] }, d({ commands: ['mv'] }));
    assert.equal(p?.key, 'shell:mv:write');
  });
});
