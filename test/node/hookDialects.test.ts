/** Dialect parsing and answers, and the tool-name table, without processes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Action } from '../../src/core/action';
import { DIALECTS } from '../../src/node/agents/dialects';
import { fail, render } from '../../src/node/agents/dialects/dialect';
import { normalizeTool, patchFiles, splitMcpName } from '../../src/node/agents/dialects/tools';

const WS = '/home/u/p';
const norm = (toolName: string, input: Record<string, unknown>, agent = 'claude') => normalizeTool({ agent, toolName, input, cwd: WS, workspaceRoots: [WS] });
const actionOf = (n: ReturnType<typeof normalizeTool>) => {
  assert.ok('action' in n);
  const p = Action.safeParse(n.action);
  assert.ok(p.success, JSON.stringify(n.action));
  return p.data;
};

describe('tool normalization', () => {
  it('maps shell, write, edit, multi-edit, read and search tools of every agent', () => {
    for (const t of ['Bash', 'run_shell_command', 'run_in_terminal', 'exec_command', 'execute_command', 'beforeShellExecution']) assert.equal(actionOf(norm(t, { command: 'ls' })).kind, 'shell', t);
    assert.deepEqual(actionOf(norm('exec_command', { command: ['bash', '-lc', 'rm -rf x'] })), { kind: 'shell', command: 'rm -rf x', cwd: WS, workspaceRoots: [WS] });
    assert.equal((actionOf(norm('run_shell_command', { command: 'ls', directory: 'sub' })) as { cwd: string }).cwd, `${WS}/sub`);
    for (const [t, k] of [['Write', 'file_path'], ['create_file', 'filePath'], ['write_file', 'file_path'], ['write_to_file', 'path']] as const) {
      const a = actionOf(norm(t, { [k]: 'a.txt', content: 'hi' }));
      assert.deepEqual([a.kind, a.kind === 'file' && a.op, a.kind === 'file' && a.content], ['file', 'write', 'hi'], t);
    }
    for (const [t, input] of [['Edit', { file_path: 'a', old_string: 'x', new_string: 'y' }], ['replace_string_in_file', { filePath: 'a', oldString: 'x', newString: 'y' }], ['replace', { file_path: 'a', old_string: 'x', new_string: 'y' }]] as const) {
      const a = actionOf(norm(t, input));
      assert.ok(a.kind === 'file' && a.op === 'edit' && a.oldString === 'x' && a.newString === 'y', t);
    }
    const m = actionOf(norm('MultiEdit', { file_path: 'a', edits: [{ old_string: '1', new_string: '2' }, { old_string: '3', new_string: '4' }] }));
    assert.ok(m.kind === 'file' && m.newString === '2\n4');
    for (const t of ['Read', 'read_file', 'beforeReadFile']) assert.ok(actionOf(norm(t, { file_path: 'a', filePath: 'a', path: 'a' })).kind === 'file', t);
    const g = actionOf(norm('Grep', { pattern: 'x' }));
    assert.ok(g.kind === 'file' && g.op === 'read' && g.path === WS);
  });

  it('maps MCP names, internal tools, patches, and unknown tools to something that is judged', () => {
    assert.deepEqual(splitMcpName('mcp__github__create_issue'), { server: 'github', tool: 'create_issue' });
    assert.deepEqual(splitMcpName('mcp_db_run_query'), { server: 'db', tool: 'run_query' });
    const a = actionOf(norm('mcp__fs__delete_file', { path: 'x' }));
    assert.ok(a.kind === 'mcp' && a.server === 'fs' && a.tool === 'delete_file');
    assert.deepEqual(norm('TodoWrite', { todos: [] }), { internal: true });
    const u = actionOf(norm('Frobnicate', { x: 1 }, 'copilot'));
    assert.ok(u.kind === 'mcp' && u.server === 'copilot' && u.tool === 'Frobnicate');
    const patch = '*** Begin Patch\n*** Update File: src/a.ts\n@@\n-a\n+b\n*** Delete File: old.ts\n*** End Patch';
    assert.deepEqual(patchFiles(patch), { add: [], update: ['src/a.ts'], delete: ['old.ts'] });
    const p = actionOf(norm('apply_patch', { input: patch }, 'codex'));
    assert.ok(p.kind === 'mcp' && p.tool === 'apply_patch_delete');
    const one = actionOf(norm('apply_patch', { command: ['apply_patch', '*** Begin Patch\n*** Delete File: x.ts\n*** End Patch'] }, 'codex'));
    assert.ok(one.kind === 'file' && one.op === 'delete' && one.path === 'x.ts');
  });
});

describe('dialect answers', () => {
  const deny = { decision: 'deny' as const, reason: 'no' };
  const ask = { decision: 'ask' as const, reason: 'irreversible' };
  it('Claude/Copilot: exit 0 + permissionDecision; ask passes through', () => {
    for (const d of [DIALECTS.claude, DIALECTS.copilot]) {
      const a = render(d, ask);
      assert.equal(a.exitCode, 0);
      assert.equal(JSON.parse(a.stdout).hookSpecificOutput.permissionDecision, 'ask');
    }
    assert.equal(JSON.parse(render(DIALECTS.copilot, deny).stdout).permissionDecision, 'deny');
  });
  it('Codex, Cline, Gemini have no ask: ask becomes deny telling the person how to approve', () => {
    const c = render(DIALECTS.codex, ask);
    assert.equal(c.exitCode, 2);
    assert.match(c.stderr, /approve it in VS Code \(Airlock panel\) and retry/);
    assert.equal(render(DIALECTS.codex, { decision: 'allow', reason: '' }).stdout, '');
    assert.equal(JSON.parse(render(DIALECTS.cline, ask).stdout).cancel, true);
    const g = render(DIALECTS.gemini, ask);
    assert.deepEqual([JSON.parse(g.stdout).decision, g.exitCode], ['deny', 2]);
    const cu = render(DIALECTS.cursor, deny);
    assert.deepEqual([JSON.parse(cu.stdout).permission, cu.exitCode], ['deny', 2]);
  });
  it('fail() is exit 2 with the reason on stderr in every dialect', () => {
    for (const d of Object.values(DIALECTS)) {
      const f = fail(d, 'broken');
      assert.equal(f.exitCode, 2, d.agent);
      assert.equal(f.stderr, 'broken\n');
    }
  });
  it('each dialect refuses payloads that are not its own', () => {
    for (const d of Object.values(DIALECTS)) {
      for (const bad of [null, 42, [], { tool_name: 'Bash' }, { hook_event_name: 'Stop', session_id: 's', cwd: '/', tool_name: 'x' }]) assert.equal(d.parse(bad, { cwd: '/' }).ok, false, `${d.agent} ${JSON.stringify(bad)}`);
    }
  });
  it('reads outcomes from post events', () => {
    const p = DIALECTS.claude.parse({ session_id: 's', cwd: '/', hook_event_name: 'PostToolUseFailure', tool_name: 'Bash', tool_input: { command: 'false' }, error: 'exit 1' }, { cwd: '/' });
    assert.ok(p.ok && p.hook.event === 'post' && p.hook.outcome?.exitCode === 1);
    const c = DIALECTS.cline.parse({ hookName: 'PostToolUse', taskId: 't', workspaceRoots: ['/w'], postToolUse: { toolName: 'execute_command', parameters: { command: 'ls' }, result: 'ok', success: true, executionTimeMs: 12 } }, { cwd: '/' });
    assert.ok(c.ok && c.hook.outcome?.exitCode === 0 && c.hook.outcome.durationMs === 12);
  });
});
