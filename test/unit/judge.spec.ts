import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, type RunState } from '../../src/core/judge';
import { buildEffectivePolicy } from '../../src/core/policy/layers';
import { Policy } from '../../src/core/policy/schema';
import { HOME, WS, testEnv } from '../support/env';

const interactive: RunState = { killed: false, mode: 'interactive', canSnapshot: false };
const base = buildEffectivePolicy({});
const env = testEnv({ [`${WS}/src`]: 'dir', [`${WS}/src/a.ts`]: 'file' });
const fileAct = (op: string, path: string, extra: Record<string, unknown> = {}) => ({ kind: 'file', op, path, cwd: WS, workspaceRoots: [WS], ...extra });
const sh = (command: string) => ({ kind: 'shell', command, cwd: WS, workspaceRoots: [WS] });

describe('judge', () => {
  it('never throws and denies malformed input with a reason', () => {
    for (const bad of [null, 42, 'rm -rf /', {}, { kind: 'shell' }, { kind: 'file', op: 'explode', path: 'x', cwd: WS, workspaceRoots: [] }, { kind: 'shell', command: 'ls', cwd: WS, workspaceRoots: [WS], extra: 1 }]) {
      const d = judge(bad, base, interactive, env);
      assert.equal(d.decision, 'deny');
      assert.deepEqual(d.rules, ['gate.malformed']);
      assert.match(d.reasons[0]!, /malformed action/);
    }
  });

  it('allows reads and reversible work inside the workspace', () => {
    assert.equal(judge(fileAct('read', 'src/a.ts'), base, interactive, env).decision, 'allow');
    assert.equal(judge(fileAct('create', 'src/b.ts', { content: 'x' }), base, interactive, env).decision, 'allow');
    assert.equal(judge(fileAct('edit', 'src/a.ts', { oldString: 'a', newString: 'b' }), base, interactive, env).decision, 'allow');
  });

  it('asks for irreversible work inside the workspace, and allows it when Airlock can snapshot first', () => {
    const d = judge(fileAct('delete', 'src/a.ts'), base, interactive, env);
    assert.equal(d.decision, 'ask');
    assert.ok(d.rules.includes('floor.irreversible'));
    assert.equal(d.cacheable, false);
    const s = judge(fileAct('delete', 'src/a.ts'), base, { ...interactive, canSnapshot: true }, env);
    assert.equal(s.decision, 'allow');
    assert.deepEqual(s.snapshots, [`${WS}/src/a.ts`]);
  });

  it('denies destroying data outside the workspace, and critical paths', () => {
    const d = judge(fileAct('delete', `${HOME}/notes.txt`), base, interactive, env);
    assert.equal(d.decision, 'deny');
    assert.ok(d.rules.includes('baseline.destroy-outside-workspace'));
    const root = judge(fileAct('delete', '/etc'), base, interactive, env);
    assert.equal(root.decision, 'deny');
    assert.ok(root.rules.includes('floor.critical-path'));
  });

  it('never silently allows security-config writes, even when a user policy allows everything', () => {
    const yolo = buildEffectivePolicy({ user: Policy.parse({ version: 1, rules: [{ id: 'yolo', match: {}, decision: 'allow', reason: 'trust me' }] }) });
    for (const p of ['.claude/settings.json', '.airlock/policy.json', '.vscode/settings.json', '.git/hooks/pre-push', 'AGENTS.md']) {
      const d = judge(fileAct('write', p, { content: '{}' }), yolo, interactive, env);
      assert.equal(d.decision, 'ask', p);
      assert.ok(d.rules.includes('floor.security-config'), p);
      assert.equal(d.cacheable, false);
    }
  });

  it('a user allow rule overrides a soft baseline ask, but never the irreversible floor', () => {
    const sql = { kind: 'sql', sql: 'DROP TABLE orders', dialect: 'postgres' };
    const allowAll = buildEffectivePolicy({ user: Policy.parse({ version: 1, rules: [{ id: 'yolo', match: {}, decision: 'allow', reason: 'x' }] }) });
    const d = judge(sql, allowAll, interactive, env);
    assert.equal(d.decision, 'ask');
    assert.ok(d.rules.includes('floor.irreversible'));
    const secret = fileAct('read', '.env');
    assert.equal(judge(secret, base, interactive, env).decision, 'ask');
    assert.equal(judge(secret, allowAll, interactive, env).decision, 'allow');
  });

  it('a deny anywhere wins', () => {
    const ws = Policy.parse({ version: 1, rules: [{ id: 'no-reads-of-src', match: { paths: ['src/**'] }, decision: 'deny', reason: 'private' }] });
    const user = Policy.parse({ version: 1, rules: [{ id: 'allow-src', match: { paths: ['src/**'] }, decision: 'allow', reason: 'fine' }] });
    const pol = buildEffectivePolicy({ user, workspace: { policy: ws, hash: 'h' }, acknowledged: new Set(['h']) });
    const d = judge(fileAct('read', 'src/a.ts'), pol, interactive, env);
    assert.equal(d.decision, 'deny');
    assert.deepEqual(d.rules, ['no-reads-of-src']);
  });

  it('protected paths from the policy need a person for any change', () => {
    const pol = buildEffectivePolicy({ workspace: { policy: Policy.parse({ version: 1, protectedPaths: ['src/**'] }), hash: 'h' } });
    const d = judge(fileAct('create', 'src/new.ts', { content: 'x' }), pol, interactive, env);
    assert.equal(d.decision, 'ask');
    assert.ok(d.rules.includes('floor.protected-path'));
  });

  it('autonomy rungs: read denies changes, approved asks, staged asks above reversible', () => {
    const mk = (rung: string) => buildEffectivePolicy({ user: Policy.parse({ version: 1, autonomy: { file: rung } }) });
    const create = fileAct('create', 'src/new.ts', { content: 'x' });
    assert.equal(judge(create, mk('read'), interactive, env).decision, 'deny');
    assert.equal(judge(create, mk('draft'), interactive, env).decision, 'deny');
    assert.equal(judge(create, mk('approved'), interactive, env).decision, 'ask');
    assert.equal(judge(create, mk('staged'), interactive, env).decision, 'allow');
    assert.equal(judge(fileAct('read', 'src/a.ts'), mk('read'), interactive, env).decision, 'allow');
  });

  it('kill switch denies everything, reads included', () => {
    const d = judge(fileAct('read', 'src/a.ts'), base, { ...interactive, killed: true }, env);
    assert.equal(d.decision, 'deny');
    assert.deepEqual(d.rules, ['gate.killed']);
  });

  it('offline: reads pass, everything else is denied as "Airlock is not running"', () => {
    const off: RunState = { killed: false, mode: 'offline', canSnapshot: false };
    assert.equal(judge(fileAct('read', 'src/a.ts'), base, off, env).decision, 'allow');
    const d = judge(fileAct('create', 'src/new.ts', { content: 'x' }), base, off, env);
    assert.equal(d.decision, 'deny');
    assert.match(d.reasons[0]!, /Airlock is not running/);
  });

  it('ci: ask becomes deny unless the policy says otherwise', () => {
    const ci: RunState = { killed: false, mode: 'ci', canSnapshot: false };
    assert.equal(judge(fileAct('delete', 'src/a.ts'), base, ci, env).decision, 'deny');
    const lenient = buildEffectivePolicy({ user: Policy.parse({ version: 1, ci: { ask: 'ask' } }) });
    assert.equal(judge(fileAct('delete', 'src/a.ts'), lenient, ci, env).decision, 'ask');
  });

  it('binds the decision to the canonical action and the policy', () => {
    const a = judge({ kind: 'sql', sql: 'SELECT 1', dialect: 'sqlite' }, base, interactive, env);
    const b = judge({ dialect: 'sqlite', sql: 'SELECT 1', kind: 'sql' }, base, interactive, env);
    const c = judge({ kind: 'sql', sql: 'SELECT 2', dialect: 'sqlite' }, base, interactive, env);
    assert.equal(a.actionHash, b.actionHash);
    assert.notEqual(a.actionHash, c.actionHash);
    assert.match(a.policyHash, /^[0-9a-f]{64}$/);
  });

  it('an unknown shell command asks, with the reason', () => {
    const d = judge(sh('echo "unterminated'), base, interactive, env);
    assert.notEqual(d.decision, 'allow');
    assert.equal(d.reversibility, 'unknown');
  });
});
