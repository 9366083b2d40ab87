/**
 * The offline hook's zod-free Action check (src/core/actionCheck.ts) against the zod Action schema it
 * stands in for: the same valid and broken actions must get the same verdict and, when accepted, the
 * same value. A schema edited on one side only fails here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Action, FILE_OPS, HTTP_METHODS, MAX_TEXT, SQL_DIALECTS } from '../../src/core/action';
import { ACTION_CHECK_LISTS, checkAction } from '../../src/core/actionCheck';

const PALETTE: unknown[] = [undefined, null, '', 'x', '/ws', 'read', 'GET', 'postgres', 0, 1, true, [], ['/ws'], [''], [1], {}, { a: 1 }, 'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(200), 'a'.repeat(201), 'a'.repeat(4096), 'a'.repeat(4097), 'a'.repeat(8193)];

/** Every single-key mutation of a valid action: each key removed, set to each palette value, plus an extra key. */
function mutations(valid: Record<string, unknown>, optional: string[]): unknown[] {
  const out: unknown[] = [valid, null, [], 'x', 1, { ...valid, extra: 1 }, { ...valid, kind: 'other' }, { ...valid, kind: undefined }];
  for (const k of [...Object.keys(valid), ...optional]) {
    const { [k]: _gone, ...rest } = valid;
    out.push(rest);
    for (const v of PALETTE) out.push({ ...valid, [k]: v });
  }
  return out;
}

function same(inputs: unknown[]): number {
  let accepted = 0;
  for (const input of inputs) {
    const a = Action.safeParse(input);
    const b = checkAction(input);
    const shown = JSON.stringify(input)?.slice(0, 200);
    assert.equal(b.ok, a.success, `${shown}: zod=${a.success} check=${b.ok}`);
    if (a.success && b.ok) {
      accepted++;
      // Compared as JSON: zod may keep an absent optional key as `undefined`, the check leaves it out.
      assert.deepEqual(JSON.parse(JSON.stringify(b.value)), JSON.parse(JSON.stringify(a.data)), `same value for ${shown}`);
    }
    if (!b.ok) assert.ok(b.issues.length > 0 && b.issues.every((i) => i.message.length > 0), `a reason for ${shown}`);
  }
  return accepted;
}

describe('offline Action check = the zod Action schema', () => {
  it('uses the same value lists and limits', () => {
    assert.deepEqual([...ACTION_CHECK_LISTS.FILE_OPS], [...FILE_OPS]);
    assert.deepEqual([...ACTION_CHECK_LISTS.SQL_DIALECTS], [...SQL_DIALECTS]);
    assert.deepEqual([...ACTION_CHECK_LISTS.HTTP_METHODS], [...HTTP_METHODS]);
    assert.equal(ACTION_CHECK_LISTS.MAX_TEXT, MAX_TEXT);
  });
  const roots = ['/ws'];
  it('shell', () => {
    const valid = { kind: 'shell', command: 'ls -la', cwd: '/ws', workspaceRoots: roots };
    const inputs = mutations(valid, ['description']);
    inputs.push({ ...valid, command: 'x'.repeat(MAX_TEXT) }, { ...valid, command: 'x'.repeat(MAX_TEXT + 1) }, { ...valid, workspaceRoots: Array(64).fill('/r') }, { ...valid, workspaceRoots: Array(65).fill('/r') });
    inputs.push({ ...valid, description: 'd'.repeat(4096) }, { ...valid, description: 'd'.repeat(4097) });
    assert.ok(same(inputs) > 10);
  });
  it('file', () => {
    const valid = { kind: 'file', op: 'write', path: '/ws/a', cwd: '/ws', workspaceRoots: roots, content: 'x' };
    const inputs = mutations(valid, ['newPath', 'oldString', 'newString', 'mode']);
    for (const op of [...FILE_OPS, 'move']) inputs.push({ ...valid, op });
    inputs.push({ ...valid, content: 'x'.repeat(MAX_TEXT + 1) }, { ...valid, mode: '7'.repeat(64) }, { ...valid, mode: '7'.repeat(65) });
    assert.ok(same(inputs) > 10);
  });
  it('sql', () => {
    const valid = { kind: 'sql', sql: 'select 1', dialect: 'sqlite' };
    const inputs = mutations(valid, ['connection', 'login']);
    for (const dialect of [...SQL_DIALECTS, 'oracle']) inputs.push({ ...valid, dialect });
    inputs.push({ ...valid, login: 'l'.repeat(63) }, { ...valid, login: 'l'.repeat(64) });
    assert.ok(same(inputs) > 10);
  });
  it('http', () => {
    const valid = { kind: 'http', method: 'GET', url: 'https://example.com/' };
    const inputs = mutations(valid, ['body']);
    for (const method of [...HTTP_METHODS, 'get', 'TRACE']) inputs.push({ ...valid, method });
    assert.ok(same(inputs) > 5);
  });
  it('mcp', () => {
    const valid = { kind: 'mcp', server: 's', tool: 't', args: { q: 1, nested: { a: [1] } } };
    const inputs = mutations(valid, ['cwd', 'workspaceRoots']);
    inputs.push({ ...valid, args: [] }, { ...valid, args: null }, { ...valid, args: 'x' }, { ...valid, args: {} });
    assert.ok(same(inputs) > 10);
  });
  it('refuses with the path and reason of the first issue', () => {
    const r = checkAction({ kind: 'shell', command: 'x'.repeat(MAX_TEXT + 1), cwd: '/ws', workspaceRoots: roots });
    assert.ok(!r.ok);
    assert.deepEqual(r.issues.map((i) => i.path), ['command']);
    assert.match(r.issues[0]!.message, /too long/);
    const k = checkAction({ kind: 'exec', command: 'ls' });
    assert.ok(!k.ok);
    assert.equal(k.issues[0]!.path, 'kind');
    assert.match(k.issues[0]!.message, /expected one of "shell"\|"file"\|"sql"\|"http"\|"mcp"/);
  });
  it('keeps an MCP argument named __proto__ as an argument, not as the prototype', () => {
    const input = JSON.parse('{"kind":"mcp","server":"s","tool":"t","args":{"__proto__":{"sql":"drop table x"},"a":1}}') as unknown;
    const r = checkAction(input);
    assert.ok(r.ok && r.value.kind === 'mcp');
    assert.deepEqual(Object.keys(r.value.args).sort(), ['__proto__', 'a']);
    assert.equal(Object.getPrototypeOf(r.value.args), Object.prototype);
  });
});
