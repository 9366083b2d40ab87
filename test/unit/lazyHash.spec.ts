import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalJson, lazyHash, sha256 } from '../../src/core/hash';
import { judge, judgeAction } from '../../src/core/judge';
import { buildEffectivePolicy } from '../../src/core/policy/layers';
import { makeEnvironment } from '../../src/core/paths';
import type { Action } from '../../src/core/action';

const hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const env = makeEnvironment({ cwd: '/w', workspaceRoots: ['/w'] });
const state = { killed: false, mode: 'interactive' as const, canSnapshot: true };

describe('hashes computed on first read', () => {
  it('computes once, on first read, and then is a plain value', () => {
    let calls = 0;
    const o = lazyHash({ a: 1, h: '', z: 2 }, 'h', () => {
      calls++;
      return 'v';
    });
    assert.equal(calls, 0);
    assert.deepEqual(Object.keys(o), ['a', 'h', 'z']);
    assert.equal(o.h, 'v');
    assert.equal(o.h, 'v');
    assert.equal(calls, 1);
    assert.deepEqual(Object.getOwnPropertyDescriptor(o, 'h'), { value: 'v', writable: true, enumerable: true, configurable: true });
  });

  it('reads through JSON, spreads and structured clones, keys in their order; assigning replaces it', () => {
    const o = lazyHash({ a: 1, h: '', z: 2 }, 'h', () => 'v');
    assert.equal(JSON.stringify(o), '{"a":1,"h":"v","z":2}');
    const p = lazyHash({ h: '' }, 'h', () => 'v');
    assert.deepEqual({ ...p }, { h: 'v' });
    assert.deepEqual(structuredClone(lazyHash({ h: '' }, 'h', () => 'v')), { h: 'v' });
    const q = lazyHash({ h: '' }, 'h', () => assert.fail('not computed when assigned first'));
    q.h = 'set';
    assert.equal(q.h, 'set');
  });

  it('sha256 matches node:crypto on text with any characters', () => {
    for (const t of ['', 'abc', 'é€𝄞 \u0000 \ud800', 'x'.repeat(5000)]) assert.equal(sha256(t), hex(t));
  });

  it("a decision's hashes are those of the canonical action and policy, as when hashed eagerly", () => {
    const policy = buildEffectivePolicy({});
    const { ignored: _i, warnings: _w, hash: _h, ...body } = policy;
    assert.equal(policy.hash, hex(canonicalJson(body)));
    const actions: Action[] = [
      { kind: 'shell', command: 'ls -la', cwd: '/w', workspaceRoots: ['/w'] },
      { kind: 'shell', command: 'rm -rf /', cwd: '/w', workspaceRoots: ['/w'] },
      { kind: 'file', op: 'write', path: '/w/a.txt', cwd: '/w', workspaceRoots: ['/w'] },
    ] as Action[];
    for (const a of actions) {
      for (const d of [judgeAction(a, policy, state, env), judge(a, policy, state, env), judgeAction(a, policy, { ...state, killed: true }, env), judgeAction(a, policy, { ...state, paused: 'p' }, env)]) {
        assert.equal(d.policyHash, policy.hash);
        assert.equal(d.actionHash, hex(canonicalJson(d.files?.length ? { action: a, files: d.files } : a)));
        // The hashes sit where they always did in the serialised decision.
        const keys = Object.keys(d);
        assert.equal(keys.indexOf('policyHash'), keys.indexOf('actionHash') + 1);
        assert.ok(keys.indexOf('cacheable') < keys.indexOf('actionHash'));
      }
    }
  });
});
