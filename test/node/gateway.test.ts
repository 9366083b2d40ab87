/**
 * `airlock serve` as a real child process and `airlock hook <agent>` as real processes for all six
 * agents, with payloads shaped as INTEGRATIONS.md documents them. Asserts on exit codes, dialect
 * output, files on disk and ledger rows. Builds dist/ first.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { firstBreak, Ledger, type StepRow } from '../../src/node/ledger/ledger';
import { raw, ROOT, runCli, startServe, tempDir, type ServeProc } from '../support/gateway';

const dir = tempDir('airlock-gw-');
const home = join(dir, 'home');
const ws = join(dir, 'ws');
mkdirSync(join(ws, 'build'), { recursive: true });
writeFileSync(join(ws, 'build', 'out.o'), 'x');
writeFileSync(join(ws, 'README.md'), '# demo\n');
const ledgerPath = join(dir, 'ledger.sqlite');
// These cases are about the dialects' deny answers: checkpoints (which would make rm -rf build reversible) are off.
const env = { ...process.env, AIRLOCK_HOME: home, HOME: join(dir, 'userhome'), AIRLOCK_CHECKPOINTS: 'off' } as NodeJS.ProcessEnv;
delete env.AIRLOCK_DISCOVERY;

const claudePre = (session: string, tool: string, input: Record<string, unknown>, id?: string) => ({ session_id: session, transcript_path: '/dev/null', cwd: ws, permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: tool, tool_input: input, ...(id ? { tool_use_id: id } : {}) });
const hook = (agent: string, payload: unknown, extra: string[] = []) => runCli(['hook', agent, ...extra], env, JSON.stringify(payload), ws);

/** Per agent: a destructive shell call and a read, shaped as the agent sends them. */
const AGENTS: Record<string, { destroy: unknown; read: unknown }> = {
  claude: { destroy: claudePre('c1', 'Bash', { command: 'rm -rf build', description: 'clean up' }, 'tu-c1'), read: claudePre('c1', 'Read', { file_path: join(ws, 'README.md') }, 'tu-c2') },
  copilot: {
    destroy: { sessionId: 'p1', cwd: ws, hookEventName: 'PreToolUse', tool_name: 'run_in_terminal', tool_input: { command: 'rm -rf build', explanation: 'clean' } },
    read: { timestamp: Date.now(), cwd: ws, toolName: 'read_file', toolArgs: JSON.stringify({ filePath: join(ws, 'README.md') }) },
  },
  cursor: {
    destroy: { hook_event_name: 'beforeShellExecution', conversation_id: 'u1', generation_id: 'g1', workspace_roots: [ws], command: 'rm -rf build', cwd: ws },
    read: { hook_event_name: 'beforeReadFile', conversation_id: 'u1', workspace_roots: [ws], file_path: join(ws, 'README.md'), content: '# demo' },
  },
  codex: { destroy: { session_id: 'x1', cwd: ws, hook_event_name: 'PreToolUse', model: 'gpt-5', tool_name: 'Bash', tool_input: { command: 'rm -rf build' } }, read: { session_id: 'x1', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'cat README.md' } } },
  gemini: { destroy: { session_id: 'g1', cwd: ws, hook_event_name: 'BeforeTool', timestamp: 't', tool_name: 'run_shell_command', tool_input: { command: 'rm -rf build' } }, read: { session_id: 'g1', cwd: ws, hook_event_name: 'BeforeTool', tool_name: 'read_file', tool_input: { absolute_path: join(ws, 'README.md') } } },
  cline: { destroy: { hookName: 'PreToolUse', taskId: 'k1', workspaceRoots: [ws], preToolUse: { toolName: 'execute_command', parameters: { command: 'rm -rf build', requires_approval: 'false' } } }, read: { hookName: 'PreToolUse', taskId: 'k1', workspaceRoots: [ws], preToolUse: { toolName: 'read_file', parameters: { path: 'README.md' } } } },
};

/** What each dialect's deny and allow look like (exit code + stdout). */
function verdictOf(agent: string, r: { code: number | null; stdout: string; stderr: string }): 'allow' | 'deny' | 'ask' | 'bad' {
  const out = r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
  switch (agent) {
    case 'claude':
    case 'copilot':
      return r.code === 0 ? out.hookSpecificOutput.permissionDecision : 'bad';
    case 'cursor':
      return out.permission === 'deny' ? (r.code === 2 ? 'deny' : 'bad') : r.code === 0 ? out.permission : 'bad';
    case 'codex':
      return r.code === 2 && r.stderr.trim() ? 'deny' : r.code === 0 && !out ? 'allow' : 'bad';
    case 'gemini':
      return out.decision === 'deny' ? (r.code === 2 ? 'deny' : 'bad') : r.code === 0 ? out.decision : 'bad';
    case 'cline':
      return r.code === 0 ? (out.cancel ? 'deny' : 'allow') : 'bad';
  }
  return 'bad';
}

function steps(): StepRow[] {
  const l = Ledger.open(ledgerPath);
  try {
    return l.allSteps();
  } finally {
    l.close();
  }
}

describe('airlock serve + airlock hook <agent> (real processes)', () => {
  let s: ServeProc;
  before(async () => {
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'ignore' });
    s = await startServe(['--ci', '--ledger', ledgerPath, '--workspace', ws], env);
  });
  after(async () => {
    if (s.child.exitCode === null) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  });

  it('prints one JSON line naming its endpoints and files', () => {
    assert.match(s.ready.bridge, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(s.ready.otlp, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(s.ready.ledger, ledgerPath);
    assert.equal(s.ready.discovery, join(home, 'bridge.json'));
    assert.ok(existsSync(s.ready.discovery));
  });

  for (const agent of Object.keys(AGENTS)) {
    it(`${agent}: a destructive shell command is denied in its dialect, a read passes`, async () => {
      const d = await hook(agent, AGENTS[agent]!.destroy);
      assert.equal(verdictOf(agent, d), 'deny', `${agent} destroy: ${JSON.stringify(d)}`);
      const r = await hook(agent, AGENTS[agent]!.read);
      assert.equal(verdictOf(agent, r), 'allow', `${agent} read: ${JSON.stringify(r)}`);
      assert.ok(existsSync(join(ws, 'build', 'out.o')));
    });
  }

  it('codex gets a reason telling the person how to approve; a malformed payload is denied in the dialect', async () => {
    const bad = await hook('claude', { hello: 'world' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /malformed hook payload/);
    const notJson = await runCli(['hook', 'cline'], env, '{oops', ws);
    assert.equal(notJson.code, 2);
    assert.equal(JSON.parse(notJson.stdout).cancel, true);
  });

  it('every hook call is a ledger step with agent, session, tool and decision', () => {
    const rows = steps();
    for (const agent of Object.keys(AGENTS)) {
      const mine = rows.filter((r) => r.agent === agent && r.event === 'pre');
      assert.deepEqual(mine.map((r) => r.decision), ['deny', 'allow'], agent);
      assert.equal(mine[0]!.kind, 'shell');
    }
    const c = rows.find((r) => r.agent === 'claude' && r.tool === 'Bash')!;
    assert.equal(c.session_id, 'c1');
    assert.equal(c.tool_use_id, 'tu-c1');
    assert.equal(c.description, null);
    assert.ok(JSON.parse(c.rules_json).includes('gate.ci'));
    assert.equal(firstBreak(rows), undefined);
  });

  it('escalation: rm -rf build denied, then find -delete and a script naming build; then the run is paused', async () => {
    const a = await hook('claude', claudePre('esc', 'Bash', { command: 'rm -rf build' }));
    assert.equal(verdictOf('claude', a), 'deny');
    const b = await hook('claude', claudePre('esc', 'Bash', { command: 'find build -delete' }));
    assert.equal(verdictOf('claude', b), 'deny');
    assert.match(JSON.parse(b.stdout).hookSpecificOutput.permissionDecisionReason, /earlier denied in this run: step 1 \(rm -rf build\)/);
    const c = await hook('claude', claudePre('esc', 'Write', { file_path: join(ws, 'clean.py'), content: "import shutil\nshutil.rmtree('build')\n" }));
    assert.equal(verdictOf('claude', c), 'deny', 'a reversible write is escalated because it names build');
    assert.match(JSON.parse(c.stdout).hookSpecificOutput.permissionDecisionReason, /naming build/);
    const d = await hook('claude', claudePre('esc', 'Read', { file_path: join(ws, 'README.md') }));
    assert.equal(verdictOf('claude', d), 'deny');
    assert.match(JSON.parse(d.stdout).hookSpecificOutput.permissionDecisionReason, /run paused for a person/);
    const rows = steps().filter((r) => r.session_id === 'esc');
    assert.ok(JSON.parse(rows[2]!.rules_json).includes('run.escalation'));
    assert.ok(existsSync(join(ws, 'build', 'out.o')) && !existsSync(join(ws, 'clean.py')));
  });

  it('a retry of a write that already succeeded is flagged as a probable retry of that step', async () => {
    const write = (id: string) => claudePre('dup', 'Write', { file_path: join(ws, 'notes.txt'), content: 'hello\n' }, id);
    const first = await hook('claude', write('w1'));
    assert.equal(verdictOf('claude', first), 'allow');
    const post = await hook('claude', { ...write('w1'), hook_event_name: 'PostToolUse', tool_response: { filePath: join(ws, 'notes.txt'), success: true } });
    assert.equal(post.code, 0);
    assert.equal(post.stdout, '');
    const again = await hook('claude', write('w2'));
    assert.equal(verdictOf('claude', again), 'deny');
    assert.match(JSON.parse(again.stdout).hookSpecificOutput.permissionDecisionReason, /probable retry of step 1/);
    const rows = steps().filter((r) => r.session_id === 'dup');
    assert.deepEqual(rows.map((r) => [r.seq, r.event, r.decision]), [[1, 'pre', 'allow'], [2, 'post', 'outcome'], [3, 'pre', 'deny']]);
    assert.equal(rows[1]!.ref_seq, 1);
    assert.deepEqual(JSON.parse(rows[1]!.outcome_json!), { exitCode: 0 });
  });

  it('answers 100 concurrent hook requests, none lost, each recorded once', async () => {
    const disc = JSON.parse(require('node:fs').readFileSync(s.ready.discovery, 'utf8')) as { token: string };
    const before = steps().length;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        raw(s.ready.bridge, {
          path: '/v1/hook',
          headers: { authorization: `Bearer ${disc.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ agent: 'codex', event: 'pre', sessionId: `load-${i % 10}`, toolName: 'Bash', action: { kind: 'shell', command: `head -n ${i + 1} README.md`, cwd: ws, workspaceRoots: [ws] }, deadlineMs: 10_000 }),
        }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 200 && JSON.parse(r.body).decision === 'allow').length, 100);
    const rows = steps();
    assert.equal(rows.length - before, 100);
    assert.equal(new Set(rows.map((r) => `${r.run_id}:${r.seq}`)).size, rows.length);
    assert.equal(firstBreak(rows), undefined);
  });

  it('20 concurrent shim processes are all answered', async () => {
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => hook('gemini', { ...(AGENTS.gemini!.read as object), session_id: `par-${i}` })));
    assert.deepEqual(rs.map((r) => verdictOf('gemini', r)), Array(20).fill('allow'));
  });

  it('SIGTERM: exits 0, removes the discovery file, leaves the ledger intact', async () => {
    const n = steps().length;
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    assert.equal(existsSync(s.ready.discovery), false);
    const rows = steps();
    assert.equal(rows.length, n);
    assert.equal(firstBreak(rows), undefined);
  });
});
