import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { Action, FileOp, ShellAction } from '../../src/core/action';
import { lazySchema } from '../../src/core/lazySchema';
import { lazyTable } from '../../src/core/lazyTable';
import { DEV_TOOLS } from '../../src/core/classify/shell/devTools';
import { BASELINE } from '../../src/core/policy/baseline';
import { Policy } from '../../src/core/policy/schema';

describe('schemas built on first use', () => {
  it('builds the schema once, on first read, and behaves as it', () => {
    let builds = 0;
    const S = lazySchema(() => {
      builds++;
      return z.strictObject({ a: z.string().max(3) }).describe('an a');
    });
    assert.equal(builds, 0);
    assert.deepEqual(S.parse({ a: 'xy' }), { a: 'xy' });
    assert.equal(S.safeParse({ a: 'long' }).success, false);
    assert.equal(S.safeParse({ a: 'x', b: 1 }).success, false);
    assert.deepEqual(Object.keys(S.shape), ['a']);
    assert.ok(S instanceof z.ZodObject);
    assert.equal(builds, 1);
    // The description travels with the stand-in (the JSON Schema generator looks it up by identity).
    assert.equal(S.description, 'an a');
    const json = z.toJSONSchema(z.strictObject({ s: S }), { target: 'draft-7' }) as unknown as { properties: { s: { description?: string } } };
    assert.equal(json.properties.s.description, 'an a');
    assert.equal(builds, 1);
  });

  it('the Action union holds stand-ins and judges as before', () => {
    const ok = Action.safeParse({ kind: 'shell', command: 'ls -la', cwd: '/w', workspaceRoots: ['/w'] });
    assert.ok(ok.success);
    assert.deepEqual(ok.data, { kind: 'shell', command: 'ls -la', cwd: '/w', workspaceRoots: ['/w'] });
    assert.equal(Action.safeParse({ kind: 'shell', command: 'ls', cwd: '', workspaceRoots: [] }).success, false);
    assert.equal(Action.safeParse({ kind: 'file', op: 'nuke', path: '/a', cwd: '/w', workspaceRoots: [] }).success, false);
    assert.equal(ShellAction.safeParse({ kind: 'shell', command: 'x', cwd: '/w', workspaceRoots: [], extra: 1 }).success, false);
    assert.deepEqual(FileOp.options, ['read', 'create', 'write', 'edit', 'delete', 'rename', 'chmod']);
  });

  it('the precomputed baseline is exactly what parsing it gives (defaults and key order included)', () => {
    assert.equal(JSON.stringify(Policy.parse(BASELINE)), JSON.stringify(BASELINE));
    assert.deepEqual(
      BASELINE.rules.map((r) => r.id),
      ['baseline.destroy-outside-workspace', 'baseline.change-outside-workspace', 'baseline.exfiltrate-secrets', 'baseline.secrets', 'baseline.exec-unknown-code', 'baseline.remote-change'],
    );
  });
});

describe('tables built on first use', () => {
  it('reads, membership and keys behave as on the table; built once; read-only', () => {
    let builds = 0;
    const T = lazyTable(() => {
      builds++;
      return { a: 1, b: 2 } as Record<string, number>;
    });
    assert.equal(builds, 0);
    assert.equal(T.a, 1);
    assert.equal(T.zz, undefined);
    assert.ok('b' in T);
    assert.ok(!('zz' in T));
    assert.deepEqual(Object.keys(T), ['a', 'b']);
    assert.deepEqual(Object.entries(T), [['a', 1], ['b', 2]]);
    assert.equal(T.hasOwnProperty('a'), true);
    assert.equal(Object.prototype.hasOwnProperty.call(T, 'zz'), false);
    assert.throws(() => {
      T.c = 3;
    }, TypeError);
    assert.equal(builds, 1);
    assert.equal(DEV_TOOLS.jest?.cls, 'test');
    assert.equal(DEV_TOOLS['no-such-tool'], undefined);
  });
});

