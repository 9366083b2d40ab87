/**
 * The hook shim's zod-free checks (src/core/check.ts, src/core/protocol/bridgeGuards.ts) against
 * the zod schemas they stand in for: the same valid and broken inputs must get the same verdict and,
 * when accepted, the same value. A schema edited on one side only fails here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { arr, check, def, either, lit, num, obj, oneOf, opt, record, str, unknown, type Check } from '../../src/core/check';
import { DiscoveryFile, HookResponse, KillFlag } from '../../src/core/protocol/bridge';
import { checkDiscoveryFile, checkHookResponse, checkKillFlag, GUARD_LISTS } from '../../src/core/protocol/bridgeGuards';
import { DECISIONS } from '../../src/core/policy/schema';
import { REVERSIBILITIES } from '../../src/core/effects';

const LONG = 'a'.repeat(2001);
const PALETTE: unknown[] = [undefined, null, '', 'x', 'deny', 'read', LONG, 0, -1, 1, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, true, [], ['x'], [1], {}, { a: 1 }, 'http://127.0.0.1:8080', 'http://localhost:8080', 'f'.repeat(64), 'F'.repeat(64)];

/** Every single-key mutation of a valid value: each key removed, set to each palette value, plus an extra key. */
function mutations(valid: Record<string, unknown>): unknown[] {
  const out: unknown[] = [valid, null, [], 'x', 1, { ...valid, extra: 1 }];
  for (const k of Object.keys(valid)) {
    const { [k]: _gone, ...rest } = valid;
    out.push(rest);
    for (const v of PALETTE) out.push({ ...valid, [k]: v });
  }
  return out;
}

function same<T>(name: string, zodSchema: z.ZodType, guard: (v: unknown) => { ok: true; value: T } | { ok: false }, inputs: unknown[]): void {
  for (const input of inputs) {
    const a = zodSchema.safeParse(input);
    const b = guard(input);
    assert.equal(b.ok, a.success, `${name}: ${JSON.stringify(input)?.slice(0, 200)} zod=${a.success} guard=${b.ok}`);
    // Compared as JSON: zod may keep an absent optional key as `undefined`, the guard leaves it out.
    if (a.success && b.ok) assert.deepEqual(JSON.parse(JSON.stringify(b.value)), JSON.parse(JSON.stringify(a.data)), `${name}: same value for ${JSON.stringify(input)?.slice(0, 200)}`);
  }
}

const asGuard = <T>(c: Check<T>) => (v: unknown) => check(c, v);

describe('bridge guards = bridge zod schemas', () => {
  it('use the same value lists', () => {
    assert.deepEqual([...GUARD_LISTS.DECISIONS], [...DECISIONS]);
    assert.deepEqual([...GUARD_LISTS.REVERSIBILITIES], [...REVERSIBILITIES]);
  });
  it('HookResponse', () => {
    const valid = { decision: 'deny', reasons: ['r'], rules: ['x.y'], reversibility: 'irreversible', runId: 'r1', stepId: 's1', actionHash: 'h' };
    const inputs = mutations(valid);
    for (const d of [...DECISIONS, 'maybe']) inputs.push({ ...valid, decision: d });
    for (const r of [...REVERSIBILITIES, 'gone']) inputs.push({ ...valid, reversibility: r });
    inputs.push({ ...valid, reasons: [] }, { ...valid, reasons: ['a', 1] }, { ...valid, rules: [null] });
    same('HookResponse', HookResponse, checkHookResponse, inputs);
  });
  it('DiscoveryFile', () => {
    const valid = { version: 1, url: 'http://127.0.0.1:40123', token: 'ab'.repeat(32), pid: 123, startedAt: '2026-01-01T00:00:00Z' };
    const inputs = mutations(valid);
    inputs.push({ ...valid, version: 2 }, { ...valid, url: 'http://127.0.0.1:123456' }, { ...valid, url: 'http://127.0.0.1:1/' }, { ...valid, token: `${'ab'.repeat(32)}\n` }, { ...valid, pid: 0 }, { ...valid, pid: -3 }, { ...valid, pid: 2.5 });
    // The Unix socket leg: optional, an absolute path ending in .sock, at most 103 characters.
    inputs.push({ ...valid, socket: '/home/u/.airlock/bridge-1-ab.sock' }, { ...valid, socket: 'bridge.sock' }, { ...valid, socket: '/tmp/x.socket' }, { ...valid, socket: '' }, { ...valid, socket: 7 }, { ...valid, socket: `/${'a'.repeat(97)}.sock` }, { ...valid, socket: `/${'a'.repeat(98)}.sock` }, { ...valid, socket: undefined });
    same('DiscoveryFile', DiscoveryFile, checkDiscoveryFile, inputs);
  });
  it('KillFlag', () => {
    const valid = { at: '2026-01-01T00:00:00Z', reason: 'stop' };
    const inputs = mutations(valid);
    inputs.push({ ...valid, reason: 'r'.repeat(2000) }, { ...valid, reason: 'r'.repeat(2001) });
    same('KillFlag', KillFlag, checkKillFlag, inputs);
  });
});

describe('check combinators = the zod constructs the dialects used', () => {
  it('object (strip), strings with bounds, enums, defaults, optional, unknown', () => {
    const zodS = z.object({
      session_id: z.string().min(1).max(256),
      cwd: z.string().min(1).max(4096),
      hook_event_name: z.enum(['PreToolUse', 'PostToolUse']),
      tool_input: z.record(z.string(), z.unknown()).default({}),
      tool_use_id: z.string().min(1).max(4096).optional(),
      tool_response: z.unknown().optional(),
    });
    const ours = obj({
      session_id: str(1, 256),
      cwd: str(1, 4096),
      hook_event_name: oneOf(['PreToolUse', 'PostToolUse']),
      tool_input: def(record, () => ({})),
      tool_use_id: opt(str(1, 4096)),
      tool_response: unknown,
    });
    const valid = { session_id: 's', cwd: '/w', hook_event_name: 'PreToolUse', tool_input: { command: 'ls' }, tool_use_id: 't', tool_response: 'out' };
    const inputs = mutations(valid);
    inputs.push({ ...valid, session_id: 's'.repeat(256) }, { ...valid, session_id: 's'.repeat(257) }, { ...valid, hook_event_name: 'Stop' }, { ...valid, tool_input: Object.create(null) });
    same('snake payload', zodS, asGuard(ours), inputs);
  });
  it('arrays with a maximum, unions, numbers, literals, nested objects', () => {
    const zodS = z.object({
      roots: z.array(z.string().max(4096)).max(3).default([]),
      args: z.union([z.string().max(10), z.record(z.string(), z.unknown())]).optional(),
      ms: z.number().optional(),
      v: z.literal(1).optional(),
      inner: z.object({ toolName: z.string().min(1).max(256), parameters: z.record(z.string(), z.unknown()).default({}) }).optional(),
    });
    const ours = obj({
      roots: def(arr(str(0, 4096), 3), () => []),
      args: opt(either(str(0, 10), record)),
      ms: opt(num()),
      v: opt(lit(1)),
      inner: opt(obj({ toolName: str(1, 256), parameters: def(record, () => ({})) })),
    });
    const valid = { roots: ['/a', '/b'], args: '{"a":1}', ms: 12, v: 1, inner: { toolName: 'read_file', parameters: { path: 'x' } } };
    const inputs = mutations(valid);
    inputs.push({ ...valid, roots: ['a', 'b', 'c', 'd'] }, { ...valid, roots: ['a', 2] }, { ...valid, args: 'x'.repeat(11) }, { ...valid, args: { k: [1] } }, { ...valid, inner: { toolName: '' } }, { ...valid, inner: { toolName: 'x', parameters: [] } }, { ...valid, inner: { toolName: 'x', extra: 1 } });
    same('mixed', zodS, asGuard(ours), inputs);
  });
});
