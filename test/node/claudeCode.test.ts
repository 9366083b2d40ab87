// The real Claude Code (node_modules/.bin/claude) against a scripted model, gated by the real shim
// (`airlock hook claude`) and the real headless gate (`airlock serve --ci`). Assertions are on the
// files on disk, on what the agent told the model, and on the ledger rows; never on log lines.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startServe as startServeProc } from '../support/gateway';
import { CLAUDE_BIN, CLI_JS, runClaude, type ClaudeRunOutcome } from '../support/claudeRun';
import { ScriptedModel, type ScriptedTurn } from '../support/scriptedModel';

let root: string;
let home: string;
let proj: string;
let victim: string;
const SETTINGS_TEXT = '{\n  "permissions": {\n    "allow": []\n  }\n}\n';
const POLICY_TEXT = '{\n  "version": 1\n}\n';

function freshWorld(): void {
  root = mkdtempSync(join(tmpdir(), 'airlock-claude-'));
  home = join(root, 'home');
  proj = join(root, 'proj');
  victim = join(home, 'victim');
  mkdirSync(victim, { recursive: true });
  writeFileSync(join(victim, 'precious.txt'), 'keep me\n');
  mkdirSync(join(proj, '.claude'), { recursive: true });
  mkdirSync(join(proj, '.airlock'), { recursive: true });
  writeFileSync(join(proj, 'hello.txt'), 'hello\n');
  writeFileSync(join(proj, '.claude', 'settings.json'), SETTINGS_TEXT);
  writeFileSync(join(proj, '.airlock', 'policy.json'), POLICY_TEXT);
}

/** `airlock serve` as a child process; resolves once it printed its JSON line. */
async function startServe(airlockHome: string, ledger: string): Promise<{ info: Record<string, string>; stop: () => Promise<void> }> {
  const s = await startServeProc(['--ledger', ledger, '--ci', '--workspace', proj], { PATH: process.env.PATH, HOME: home, AIRLOCK_HOME: airlockHome });
  return { info: s.ready, stop: s.stop };
}

interface StepRow {
  run_id: string;
  session_id: string;
  subagent_id: string | null;
  event: string;
  tool: string;
  tool_use_id: string | null;
  kind: string | null;
  action_json: string | null;
  decision: string;
  reasons_json: string;
}

function steps(ledger: string, sessionId: string | undefined): StepRow[] {
  const db = new Database(ledger, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT * FROM steps WHERE session_id = ? ORDER BY seq').all(sessionId ?? '') as StepRow[];
  } finally {
    db.close();
  }
}

async function scenario(turns: ScriptedTurn[], airlockHome: string): Promise<{ model: ScriptedModel; run: ClaudeRunOutcome }> {
  const model = new ScriptedModel(turns);
  const url = await model.start();
  try {
    const run = await runClaude({ cwd: proj, baseUrl: url, home, airlockHome, timeoutMs: 120_000 });
    assert.equal(run.timedOut, false, `claude timed out: ${run.stderr}`);
    assert.ok(run.json, `claude printed no JSON result (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
    return { model, run };
  } finally {
    await model.close();
  }
}

const denials = (run: ClaudeRunOutcome) => (run.json?.permission_denials ?? []).map((d) => d.tool_use_id);

before(() => {
  assert.ok(existsSync(CLI_JS), 'dist/cli.js is missing: run npm run build');
  const v = spawnSync(CLAUDE_BIN, ['--version'], { encoding: 'utf8' });
  assert.equal(v.status, 0, `Claude Code does not run: ${v.stderr}`);
});

describe('Claude Code gated by airlock serve', () => {
  let airlockHome: string;
  let ledger: string;
  let serve: Awaited<ReturnType<typeof startServe>>;

  before(async () => {
    freshWorld();
    airlockHome = join(root, 'airlock');
    ledger = join(root, 'ledger.sqlite');
    serve = await startServe(airlockHome, ledger);
  });
  after(async () => {
    await serve?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('denies a destructive Bash call; the victim folder survives and the ledger holds the denied step', async () => {
    const { model, run } = await scenario([{ tools: [{ name: 'Bash', input: { command: `rm -rf ${victim}`, description: 'clean up' }, id: 'toolu_rm' }] }, { text: 'done' }], airlockHome);
    assert.equal(readFileSync(join(victim, 'precious.txt'), 'utf8'), 'keep me\n');
    assert.ok(denials(run).includes('toolu_rm'), JSON.stringify(run.json));
    const tr = model.toolResult('toolu_rm');
    assert.ok(tr?.is_error, 'the model was told the call failed');
    const rows = steps(ledger, run.json!.session_id).filter((r) => r.event === 'pre' && r.tool_use_id === 'toolu_rm');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.tool, 'Bash');
    assert.equal(rows[0]!.kind, 'shell');
    assert.equal(rows[0]!.decision, 'deny');
    assert.equal((JSON.parse(rows[0]!.action_json!) as { command: string }).command, `rm -rf ${victim}`);
    assert.ok((JSON.parse(rows[0]!.reasons_json) as string[]).length > 0);
  });

  it('lets a read-only Bash call run: the model receives the listing, the ledger records allow and the outcome', async () => {
    const { model, run } = await scenario([{ tools: [{ name: 'Bash', input: { command: 'ls', description: 'list files' }, id: 'toolu_ls' }] }, { text: 'done' }], airlockHome);
    const tr = model.toolResult('toolu_ls');
    assert.equal(tr?.is_error, false, JSON.stringify(tr));
    assert.match(tr!.text, /hello\.txt/);
    assert.deepEqual(denials(run), []);
    const rows = steps(ledger, run.json!.session_id).filter((r) => r.tool_use_id === 'toolu_ls');
    assert.equal(rows.find((r) => r.event === 'pre')?.decision, 'allow');
    assert.ok(rows.some((r) => r.event === 'post'), 'PostToolUse recorded the outcome');
  });

  it('denies Writes into .claude/settings.json and .airlock/policy.json (ask with no person = deny); both files unchanged', async () => {
    const { model, run } = await scenario(
      [
        // Claude Code refuses to Write over a file it has not Read in this session (before any hook runs).
        { tools: [{ name: 'Read', input: { file_path: join(proj, '.claude', 'settings.json') }, id: 'toolu_r1' }] },
        { tools: [{ name: 'Read', input: { file_path: join(proj, '.airlock', 'policy.json') }, id: 'toolu_r2' }] },
        { tools: [{ name: 'Write', input: { file_path: join(proj, '.claude', 'settings.json'), content: '{"hooks":{}}\n' }, id: 'toolu_w1' }] },
        { tools: [{ name: 'Write', input: { file_path: join(proj, '.airlock', 'policy.json'), content: '{"version":1,"rules":[]}\n' }, id: 'toolu_w2' }] },
        { text: 'done' },
      ],
      airlockHome,
    );
    assert.equal(readFileSync(join(proj, '.claude', 'settings.json'), 'utf8'), SETTINGS_TEXT);
    assert.equal(readFileSync(join(proj, '.airlock', 'policy.json'), 'utf8'), POLICY_TEXT);
    assert.ok(denials(run).includes('toolu_w1') && denials(run).includes('toolu_w2'), JSON.stringify([run.json?.permission_denials, model.toolResults(), steps(ledger, run.json!.session_id).map((r) => [r.tool, r.decision, r.reasons_json])]));
    assert.ok(model.toolResult('toolu_w1')?.is_error && model.toolResult('toolu_w2')?.is_error);
    assert.match(model.toolResult('toolu_r1')?.text ?? '', /permissions/, 'the reads before them were allowed');
    const rows = steps(ledger, run.json!.session_id).filter((r) => r.event === 'pre' && r.tool === 'Write');
    assert.deepEqual(rows.map((r) => [r.tool_use_id, r.kind, r.decision]), [['toolu_w1', 'file', 'deny'], ['toolu_w2', 'file', 'deny']]);
  });

  it('gates a sub-agent’s call the same way (the step carries the sub-agent id)', async () => {
    const { model, run } = await scenario(
      [
        { tools: [{ name: 'Agent', input: { description: 'clean up', prompt: 'Delete the victim folder.', subagent_type: 'general-purpose' }, id: 'toolu_agent' }] },
        { tools: [{ name: 'Bash', input: { command: `rm -rf ${victim}`, description: 'delete' }, id: 'toolu_sub_rm' }] },
        { text: 'sub-agent finished' },
        { text: 'done' },
      ],
      airlockHome,
    );
    assert.equal(readFileSync(join(victim, 'precious.txt'), 'utf8'), 'keep me\n');
    assert.ok(model.toolResult('toolu_sub_rm')?.is_error, 'the sub-agent was told its call failed');
    const rows = steps(ledger, run.json!.session_id);
    const sub = rows.find((r) => r.event === 'pre' && r.tool_use_id === 'toolu_sub_rm');
    assert.ok(sub, JSON.stringify(rows.map((r) => [r.tool, r.tool_use_id, r.decision])));
    assert.equal(sub.decision, 'deny');
    assert.ok(sub.subagent_id && sub.subagent_id.length > 0, 'sub-agent id recorded');
    assert.equal(sub.run_id, rows.find((r) => r.tool_use_id === 'toolu_agent')?.run_id, 'same run as the parent session');
  });
});

describe('Claude Code with the hook from `airlock hooks install claude`', () => {
  let airlockHome: string;
  let ledger: string;
  let serve: Awaited<ReturnType<typeof startServe>>;
  before(async () => {
    freshWorld();
    airlockHome = join(root, 'airlock');
    ledger = join(root, 'ledger.sqlite');
    serve = await startServe(airlockHome, ledger);
  });
  after(async () => {
    await serve?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a fresh user config gets a working, verified gate', async () => {
    const env = { PATH: process.env.PATH, HOME: home, AIRLOCK_HOME: airlockHome };
    const inst = spawnSync(process.execPath, [CLI_JS, 'hooks', 'install', 'claude'], { cwd: proj, encoding: 'utf8', env });
    assert.equal(inst.status, 0, inst.stderr);
    const st = spawnSync(process.execPath, [CLI_JS, 'hooks', 'status', '--json'], { cwd: proj, encoding: 'utf8', env });
    assert.equal(st.status, 0, st.stdout + st.stderr);
    assert.equal((JSON.parse(st.stdout) as Array<{ agent: string; state: string }>).find((r) => r.agent === 'claude')?.state, 'OK');
    const model = new ScriptedModel([{ tools: [{ name: 'Bash', input: { command: `rm -rf ${victim}` }, id: 'toolu_rm' }] }, { text: 'done' }]);
    const url = await model.start();
    try {
      // No --settings file: Claude Code finds the hook in the temporary HOME's ~/.claude/settings.json.
      const run = await runClaude({ cwd: proj, baseUrl: url, home, airlockHome, hookCommand: null, timeoutMs: 120_000 });
      assert.equal(readFileSync(join(victim, 'precious.txt'), 'utf8'), 'keep me\n');
      assert.ok(denials(run).includes('toolu_rm'), run.stdout + run.stderr);
      assert.equal(steps(ledger, run.json!.session_id).find((r) => r.tool_use_id === 'toolu_rm')?.decision, 'deny');
    } finally {
      await model.close();
    }
  });
});

describe('Claude Code with no gate running', () => {
  let airlockHome: string;
  before(() => {
    freshWorld();
    airlockHome = join(root, 'airlock-offline');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('fails closed: a read passes, a write is denied with "Airlock is not running"', async () => {
    const notes = join(proj, 'notes.txt');
    const { model, run } = await scenario(
      [
        { tools: [{ name: 'Bash', input: { command: 'ls', description: 'list' }, id: 'toolu_ls' }] },
        { tools: [{ name: 'Write', input: { file_path: notes, content: 'x\n' }, id: 'toolu_w' }] },
        { text: 'done' },
      ],
      airlockHome,
    );
    assert.match(model.toolResult('toolu_ls')?.text ?? '', /hello\.txt/);
    assert.equal(existsSync(notes), false);
    const w = model.toolResult('toolu_w');
    assert.ok(w?.is_error);
    assert.match(w!.text, /Airlock is not running/);
    assert.deepEqual(denials(run), ['toolu_w']);
  });

  it('with the kill switch latched denies everything, reads included', async () => {
    const k = spawnSync(process.execPath, [CLI_JS, 'kill', '--reason', 'test'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home, AIRLOCK_HOME: airlockHome } });
    assert.equal(k.status, 0, k.stderr);
    assert.ok(existsSync(join(airlockHome, 'killed')));
    const { model, run } = await scenario(
      [
        { tools: [{ name: 'Bash', input: { command: 'ls', description: 'list' }, id: 'toolu_ls' }] },
        { tools: [{ name: 'Read', input: { file_path: join(proj, 'hello.txt') }, id: 'toolu_read' }] },
        { text: 'done' },
      ],
      airlockHome,
    );
    for (const id of ['toolu_ls', 'toolu_read']) {
      const tr = model.toolResult(id);
      assert.ok(tr?.is_error, `${id}: ${JSON.stringify(tr)}`);
      assert.doesNotMatch(tr!.text, /hello\.txt\n|^hello$/m);
    }
    assert.deepEqual(denials(run).sort(), ['toolu_ls', 'toolu_read']);
  });
});
