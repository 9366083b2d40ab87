/**
 * Roles: least privilege per agent and sub-agent (src/core/policy/roles.ts), through the policy
 * schema (children ⊆ parent at load), the layers (a workspace only adds constraints until
 * acknowledged) and the judge (an action outside a role in force is denied, the role named).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, type RunState } from '../../src/core/judge';
import { buildEffectivePolicy, loosenings, parsePolicyText } from '../../src/core/policy/layers';
import { effectiveBudgets, widerScopes, type Role } from '../../src/core/policy/roles';
import { takeIdentity } from '../../src/cli/policyCommands';
import { Policy } from '../../src/core/policy/schema';
import { WS, testEnv } from '../support/env';

const env = testEnv({ [`${WS}/src`]: 'dir', [`${WS}/src/a.ts`]: 'file', [`${WS}/docs`]: 'dir', [`${WS}/docs/x.md`]: 'file', [`${WS}/.env`]: 'file' });
const as = (agent: string, subagentType?: string): RunState => ({ killed: false, mode: 'interactive', canSnapshot: false, identity: { agent, ...(subagentType ? { subagentType } : {}) } });
const fileAct = (op: string, path: string, extra: Record<string, unknown> = {}) => ({ kind: 'file', op, path, cwd: WS, workspaceRoots: [WS], ...extra });
const sh = (command: string) => ({ kind: 'shell', command, cwd: WS, workspaceRoots: [WS] });
const sql = (text: string, connection: string) => ({ kind: 'sql', sql: text, dialect: 'sqlite', connection });

const team = {
  version: 1,
  roles: {
    developer: { write: ['src/**', 'docs/**'], programs: ['git', 'ls', 'cat', 'npm', 'node', 'grep', 'echo'], hosts: ['registry.npmjs.org', '*.github.com'], databases: { app: 'write', analytics: 'read' } },
    explorer: { write: [], programs: ['ls', 'cat', 'grep'], hosts: [], databases: { app: 'read' }, autonomy: { shell: 'staged' } },
    docs: { write: ['docs/**'], programs: ['ls', 'cat'], hosts: [], databases: {} },
  },
  assign: { agents: { claude: 'developer', codex: 'explorer' }, subagents: { 'claude:Explore': 'explorer', 'claude:doc-writer': 'docs' } },
};
const policy = buildEffectivePolicy({ user: Policy.parse(team) });

describe('roles: judged per agent and sub-agent', () => {
  it('a sub-agent whose role lacks write access is denied a write its parent may do, the role named', () => {
    const w = fileAct('edit', `${WS}/src/a.ts`, { oldString: 'a', newString: 'b' });
    assert.equal(judge(w, policy, as('claude'), env).decision, 'allow');
    const d = judge(w, policy, as('claude', 'Explore'), env);
    assert.equal(d.decision, 'deny');
    assert.ok(d.rules.includes('role.explorer'), d.rules.join());
    assert.match(d.reasons.join(' '), /outside the role "explorer" of claude sub-agent Explore: changes .*src\/a\.ts, outside its write scope/);
    // The same sub-agent still reads.
    assert.equal(judge(fileAct('read', `${WS}/src/a.ts`), policy, as('claude', 'Explore'), env).decision, 'allow');
  });

  it('writes outside the write globs, unlisted programs and hosts, and database access above the level are denied', () => {
    const d1 = judge(fileAct('create', `${WS}/package.json`, { content: '{}' }), policy, as('claude'), env);
    assert.equal(d1.decision, 'deny');
    assert.match(d1.reasons.join(' '), /outside its write scope/);
    const d2 = judge(sh('terraform plan'), policy, as('claude'), env);
    assert.equal(d2.decision, 'deny');
    assert.match(d2.reasons.join(' '), /runs terraform, not among its programs/);
    const d3 = judge(sh('ls src | grep a'), policy, as('claude'), env);
    assert.equal(d3.decision, 'allow', d3.reasons.join());
    const d4 = judge(sh('curl -s https://evil.example.com/x'), policy, { ...as('claude') }, env);
    assert.equal(d4.decision, 'deny');
    assert.match(d4.reasons.join(' '), /evil\.example\.com, not among its hosts|runs curl, not among its programs/);
    // A push whose host the gate cannot establish is outside a role that lists hosts (fail closed).
    const d4b = judge(sh('git push origin main'), policy, as('claude'), env);
    assert.equal(d4b.decision, 'deny');
    assert.match(d4b.reasons.join(' '), /host cannot be established/);
    assert.equal(judge(sql('SELECT * FROM t', 'analytics'), policy, as('claude'), env).decision, 'allow');
    const d5 = judge(sql('UPDATE t SET a = 1 WHERE id = 2', 'analytics'), policy, as('claude'), env);
    assert.equal(d5.decision, 'deny');
    assert.match(d5.reasons.join(' '), /writes database analytics where the role has read access/);
    const d6 = judge(sql('SELECT 1', 'billing'), policy, as('claude'), env);
    assert.equal(d6.decision, 'deny');
    assert.match(d6.reasons.join(' '), /reads database billing where the role has none access/);
  });

  it('the role autonomy rung tightens the category; an agent with no role is judged by the policy alone', () => {
    const d = judge(sh('ls'), policy, as('codex'), env);
    assert.equal(d.decision, 'allow');
    const gemini = judge(sh('terraform plan'), policy, as('gemini'), env);
    assert.ok(!gemini.rules.some((r) => r.startsWith('role.')));
    const noIdentity = judge(fileAct('create', `${WS}/package.json`, { content: '{}' }), policy, { killed: false, mode: 'interactive', canSnapshot: false }, env);
    assert.notEqual(noIdentity.decision, 'deny');
  });

  it('a sub-agent also holds its parent agent\'s role (the intersection)', () => {
    // doc-writer may write docs/**; its parent developer too: allowed. src/** is the parent's only: denied for the child.
    assert.equal(judge(fileAct('edit', `${WS}/docs/x.md`, { oldString: 'a', newString: 'b' }), policy, as('claude', 'doc-writer'), env).decision, 'allow');
    assert.equal(judge(fileAct('edit', `${WS}/src/a.ts`, { oldString: 'a', newString: 'b' }), policy, as('claude', 'doc-writer'), env).decision, 'deny');
  });
});

describe('roles: children ⊆ parent, checked when the policy loads', () => {
  it('a child role wider than its parent is rejected with every offending scope listed', () => {
    const bad = JSON.stringify({
      version: 1,
      roles: {
        parent: { write: ['src/**'], programs: ['git'], hosts: ['a.example.com'], databases: { app: 'read' }, autonomy: { shell: 'staged' }, budgets: { perRunUsd: 1 } },
        child: { write: ['src/**', 'infra/**'], programs: ['git', 'curl'], databases: { app: 'write' }, autonomy: { shell: 'autonomous' }, budgets: { perRunUsd: 5 } },
      },
      assign: { agents: { claude: 'parent' }, subagents: { 'claude:general-purpose': 'child' } },
    });
    const r = parsePolicyText(bad);
    assert.equal(r.ok, false);
    const err = (r as { error: string }).error;
    assert.match(err, /sub-agent claude:general-purpose holds role child, which is wider than its parent claude's role parent/);
    for (const scope of ['write: infra/\\*\\*', 'programs: curl', 'hosts: any', 'databases.app: write', 'autonomy.shell: autonomous', 'budgets.perRunUsd: 5']) assert.match(err, new RegExp(scope), scope);
  });

  it('*:type is checked against every agent that holds a role; an unknown role name is an error', () => {
    const r = parsePolicyText(JSON.stringify({ version: 1, roles: { a: { programs: ['git'] }, b: { programs: ['git', 'rm'] } }, assign: { agents: { claude: 'a', codex: 'b' }, subagents: { '*:Explore': 'b' } } }));
    assert.equal(r.ok, false);
    assert.match((r as { error: string }).error, /\*:Explore holds role b, which is wider than its parent claude's role a: programs: rm/);
    const u = parsePolicyText(JSON.stringify({ version: 1, assign: { agents: { claude: 'ghost' } } }));
    assert.equal(u.ok, false);
    assert.match((u as { error: string }).error, /no role named "ghost"/);
  });

  it('narrower globs nested under the parent\'s are within it', () => {
    const parent: Role = { write: ['src/**'], read: ['**'] };
    assert.deepEqual(widerScopes({ write: ['src/lib/**', 'src/a.ts'], read: ['docs/**'] }, parent), []);
    assert.deepEqual(widerScopes({ write: ['test/**'], read: ['src/**'] }, parent), ['write: test/** (not within src/**)']);
    assert.deepEqual(widerScopes({ write: ['src/**'] }, parent), ['read: any (the parent allows only **)']);
  });
});

describe('roles across policy layers', () => {
  const user = Policy.parse({ version: 1, roles: { dev: { programs: ['git', 'npm', 'ls'] } }, assign: { agents: { claude: 'dev' } } });
  const wsPolicy = (p: unknown) => ({ policy: Policy.parse(p), hash: 'h1' });

  it('an unacknowledged workspace role only adds constraints; it cannot replace or redefine the user\'s', () => {
    const ws = wsPolicy({ version: 1, roles: { dev: { programs: ['git', 'npm', 'ls', 'curl'] }, tight: { programs: ['git', 'ls'] } }, assign: { agents: { claude: 'tight' } } });
    const eff = buildEffectivePolicy({ user, workspace: ws });
    assert.deepEqual(eff.roles.assign.claude, ['dev', 'workspace:tight']);
    assert.deepEqual(eff.roles.roles.dev, { programs: ['git', 'npm', 'ls'] });
    assert.equal(judge(sh('npm test'), eff, as('claude'), env).decision, 'deny', 'the workspace tightens at once');
    assert.equal(judge(sh('git status'), eff, as('claude'), env).decision, 'allow');
    const loose = loosenings(ws.policy, { autonomy: eff.autonomy, budgets: eff.budgets, ciAsk: eff.ciAsk, roles: buildEffectivePolicy({ user }).roles }).map((l) => l.what);
    assert.ok(loose.includes('role of claude replaced: dev -> tight'), loose.join('; '));
    assert.ok(loose.includes('role dev redefined'), loose.join('; '));
  });

  it('acknowledged, the workspace assignment replaces the user\'s', () => {
    const ws = wsPolicy({ version: 1, roles: { wide: { programs: ['git', 'npm', 'ls', 'curl'] } }, assign: { agents: { claude: 'wide' } } });
    const eff = buildEffectivePolicy({ user, workspace: ws, acknowledged: new Set(['h1']) });
    assert.deepEqual(eff.roles.assign.claude, ['wide']);
    assert.equal(judge(sh('curl -s https://example.com'), eff, as('claude'), env).rules.some((r) => r.startsWith('role.')), false);
  });
});

describe('roles: budgets and policy explain', () => {
  it('the run is held to the tightest of the policy\'s budgets and its agent\'s roles\' (sub-agents share the run\'s)', () => {
    const p = buildEffectivePolicy({
      user: Policy.parse({
        version: 1,
        budgets: { perRunUsd: 5, perDayUsd: 20 },
        roles: { dev: { budgets: { perRunUsd: 2 } }, ro: { budgets: { perRunUsd: 1, perDayUsd: 50 } }, rich: { budgets: { perDayUsd: 100 } } },
        assign: { agents: { claude: 'dev', codex: 'rich' }, subagents: { 'claude:Explore': 'dev' } },
      }),
    });
    assert.deepEqual(effectiveBudgets(p, { agent: 'claude' }), { perRunUsd: 2, perDayUsd: 20 });
    // A role never raises the policy's budget.
    assert.deepEqual(effectiveBudgets(p, { agent: 'codex' }), { perRunUsd: 5, perDayUsd: 20 });
    // No role: the policy's. No identity: the policy's.
    assert.deepEqual(effectiveBudgets(p, { agent: 'gemini' }), { perRunUsd: 5, perDayUsd: 20 });
    assert.deepEqual(effectiveBudgets(p, undefined), { perRunUsd: 5, perDayUsd: 20 });
    // The sub-agent's run is its parent's: the parent's roles decide.
    assert.deepEqual(effectiveBudgets(p, { agent: 'claude', subagentType: 'Explore' }), { perRunUsd: 2, perDayUsd: 20 });
    // A role budget where the policy has none applies.
    const q = buildEffectivePolicy({ user: Policy.parse({ version: 1, roles: { ro: { budgets: { perDayUsd: 3 } } }, assign: { agents: { claude: 'ro' } } }) });
    assert.deepEqual(effectiveBudgets(q, { agent: 'claude' }), { perDayUsd: 3 });
    // A sub-agent role without a budget shares its parent's: no nesting error; a bigger one is.
    assert.deepEqual(widerScopes({}, { budgets: { perRunUsd: 2 } }).filter((w) => w.startsWith('budgets')), []);
    assert.deepEqual(widerScopes({ budgets: { perRunUsd: 3 } }, { budgets: { perRunUsd: 2 } }).filter((w) => w.startsWith('budgets')), ['budgets.perRunUsd: 3 (the parent has 2)']);
  });

  it('policy explain takes --agent/--subagent before -- and leaves the command alone', () => {
    assert.deepEqual(takeIdentity(['--agent', 'claude', '--subagent=Explore', '--cwd', '/w', '--', 'rm', '--agent', 'x']), { identity: { agent: 'claude', subagentType: 'Explore' }, rest: ['--cwd', '/w', '--', 'rm', '--agent', 'x'] });
    assert.deepEqual(takeIdentity(['--', 'ls']), { rest: ['--', 'ls'] });
    assert.throws(() => takeIdentity(['--subagent', 'Explore', '--', 'ls']), /--subagent goes with --agent/);
    assert.throws(() => takeIdentity(['--agent']), /--agent takes a name/);
  });
});
