import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeCanary } from '../../src/core/hooks/canary';
import { codexPositionsAfterRemoval, codexTrustHash, readCodexTrust, removeCodexTrust, renameCodexTrust, upsertCodexTrust } from '../../src/core/hooks/codexTrust';
import { detectIndent, formatJson, installJson, isAirlockCommand, uninstallJson } from '../../src/core/hooks/installEntries';

const CMD = '/usr/bin/node /opt/airlock/dist/cli.js hook claude';

describe('hook install merge (pure)', () => {
  it('recognises Airlock commands only', () => {
    assert.ok(isAirlockCommand(CMD));
    assert.ok(isAirlockCommand(`'/my node/node' '/a b/dist/cli.js' hook codex --timeout-ms 600000`));
    assert.ok(isAirlockCommand('airlock hook cursor'));
    for (const other of ['echo hook claude', '/usr/local/bin/mine', 'node dist/cli.js check', 'my-airlock-hooks', undefined, 3]) assert.equal(isAirlockCommand(other), false, String(other));
  });

  it('install then uninstall gives back the same value; a second install changes nothing', () => {
    const before = { a: 1, hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'x' }] }], Stop: [] } };
    const once = installJson('claude', before, CMD);
    assert.ok(once.changed);
    assert.equal(installJson('claude', once.config, CMD).changed, false);
    const back = uninstallJson('claude', once.config);
    assert.deepEqual(back.config, before, 'the empty Stop list the person had is kept');
  });

  it('updates a moved installation in place instead of adding a second entry', () => {
    const old = installJson('claude', undefined, '/old/node /old/dist/cli.js hook claude').config;
    const moved = installJson('claude', old, CMD).config as { hooks: { PreToolUse: Array<{ hooks: Array<{ command: string }> }> } };
    assert.equal(moved.hooks.PreToolUse.length, 1);
    assert.equal(moved.hooks.PreToolUse[0]!.hooks[0]!.command, CMD);
  });

  it('refuses structures it does not understand rather than replacing them', () => {
    assert.throws(() => installJson('claude', { hooks: [] }, CMD), /not an object/);
    assert.throws(() => installJson('cursor', { hooks: { beforeShellExecution: 'x' } }, CMD), /not an array/);
  });

  it('keeps the indentation and trailing newline of the original text', () => {
    assert.equal(detectIndent('{\n    "a": 1\n}'), 4);
    assert.equal(detectIndent('{\n\t"a": 1\n}'), '\t');
    assert.equal(formatJson({ a: 1 }, '{"a":0}'), '{\n  "a": 1\n}');
    assert.equal(formatJson({ a: 1 }, '{\n\t"a": 0\n}\n'), '{\n\t"a": 1\n}\n');
  });
});

describe('Codex trust (pure)', () => {
  const key = '/h/.codex/hooks.json:pre_tool_use:0:0';
  it('hash follows the documented formula', () => {
    // sha256 of {"event_name":"pre_tool_use","hooks":[{"async":false,"command":"x","timeout":600,"type":"command"}],"matcher":"*"}
    assert.match(codexTrustHash('x'), /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(codexTrustHash('x'), codexTrustHash('x', { timeoutSec: 30 }));
  });

  it('upsert / read / remove keep the rest of config.toml byte for byte', () => {
    const toml = '# mine\nmodel = "o3"\n\n[profiles.x]\nmodel = "y"\n';
    const withTrust = upsertCodexTrust(toml, key, 'sha256:ab');
    assert.ok(withTrust.startsWith(toml));
    assert.equal(readCodexTrust(withTrust, key), 'sha256:ab');
    const replaced = upsertCodexTrust(withTrust, key, 'sha256:cd');
    assert.equal(readCodexTrust(replaced, key), 'sha256:cd');
    assert.equal(replaced.split('[hooks.state.').length, 2, 'one table, not two');
    assert.equal(removeCodexTrust(replaced, key), toml);
    assert.equal(removeCodexTrust(upsertCodexTrust('', key, 'sha256:ab'), key), '');
  });

  it('renames a table and maps positions after Airlock’s group is removed', () => {
    const t = upsertCodexTrust('', '/h:pre_tool_use:1:0', 'sha256:ff');
    assert.equal(readCodexTrust(renameCodexTrust(t, '/h:pre_tool_use:1:0', '/h:pre_tool_use:0:0'), '/h:pre_tool_use:0:0'), 'sha256:ff');
    const groups = [{ hooks: [{ command: CMD }] }, { hooks: [{ command: 'a' }, { command: CMD }, { command: 'b' }] }];
    const map = codexPositionsAfterRemoval(groups, (h) => isAirlockCommand((h as { command: string }).command));
    assert.deepEqual([...map.entries()], [['1:0', '0:0'], ['1:2', '0:1']]);
  });
});

describe('canary verdicts (pure)', () => {
  const ok = (stdout: string, exitCode = 0, stderr = '') => ({ exitCode, stdout, stderr, timedOut: false });
  it('reads each dialect', () => {
    assert.ok(judgeCanary('claude', ok('{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"no"}}')).denied);
    assert.equal(judgeCanary('claude', ok('{"hookSpecificOutput":{"permissionDecision":"allow"}}')).denied, false);
    assert.ok(judgeCanary('codex', ok('', 2, 'blocked')).denied);
    assert.equal(judgeCanary('codex', ok('', 2, '')).denied, false, 'Codex ignores exit 2 without a reason');
    assert.ok(judgeCanary('cursor', ok('{"permission":"deny"}')).denied);
    assert.ok(judgeCanary('gemini', ok('{"decision":"deny","reason":"x"}')).denied);
    assert.ok(judgeCanary('cline', ok('{"cancel":true,"errorMessage":"x"}')).denied);
    assert.equal(judgeCanary('cline', ok('', 2, 'x')).denied, false, 'Cline reads only its JSON');
    assert.ok(judgeCanary('copilot', ok('{"permissionDecision":"deny"}')).denied);
    assert.equal(judgeCanary('claude', { exitCode: null, stdout: '', stderr: '', timedOut: true }).denied, false);
    assert.equal(judgeCanary('claude', ok('', 1, 'crash')).denied, false, 'exit 1 is a non-blocking error');
  });
});
