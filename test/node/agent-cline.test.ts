// The real Cline CLI (npm `cline`, installed by scripts/install-agents.mjs) against a scripted
// OpenAI-compatible model on loopback, gated by exactly what `airlock hooks install cline` writes
// (~/Documents/Cline/Hooks/PreToolUse) and the real headless gate. Cline 3.x sends the `tool_call`
// payload generation; a denial replaces the call's input so it cannot run (Cline rejects it as
// invalid input) and the task goes on: the read scripted after it runs in the same task. Its model
// calls' tokens reach the run from Cline's own session file (read at each hook and at TaskComplete),
// priced by the table: the scripted usage numbers are checked row by row.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI_JS } from '../support/claudeRun';
import { agentBin, airlock, assertLoggedUsage, assertScriptedUsage, installHook, baseEnv, freshWorld, otlpEnv, runAgent, runsOf, startGate, stepsOf, victimIntact, waitForUsage, type AgentBin, type ChatUsage, type World } from '../support/agentLive';
import { ScriptedChat, type ChatTurn } from '../support/scriptedChat';
import type { ServeProc } from '../support/gateway';

const bin = agentBin('cline');
/** A model genai-prices knows, so the run's cost is the table's price of the scripted usage. */
const MODEL = 'gpt-4o-mini';
const skip = typeof bin === 'string' ? bin : false;

async function clineRun(w: World, b: AgentBin, turns: ChatTurn[]): Promise<{ model: ScriptedChat; out: string }> {
  const model = new ScriptedChat(turns);
  const url = await model.start();
  try {
    const env = { ...baseEnv(w) };
    const auth = await runAgent(b, ['auth', '-p', 'openai-compatible', '-k', 'x', '-m', MODEL, '-b', url], { cwd: w.proj, env, timeoutMs: 90_000 });
    assert.equal(auth.timedOut, false, `cline auth timed out: ${auth.stderr}`);
    assert.equal(auth.code, 0, auth.stderr + auth.stdout);
    const run = await runAgent(b, ['Do the scripted task.', '--json', '--data-dir', join(w.home, '.cline', 'data')], { cwd: w.proj, env, timeoutMs: 120_000 });
    assert.equal(run.timedOut, false, `cline timed out: ${run.stderr.slice(-2000)}`);
    assert.equal(run.code, 0, `cline exited ${run.code}: ${run.stdout.slice(-2000)}`);
    assert.ok(model.served >= turns.length, `cline took ${model.served} of ${turns.length} turns`);
    return { model, out: run.stdout };
  } finally {
    await model.close();
  }
}

const U_DEL: ChatUsage = { prompt_tokens: 1500, completion_tokens: 40, cached_tokens: 300 };
const U_READ: ChatUsage = { prompt_tokens: 2500, completion_tokens: 60 };
const U_DONE: ChatUsage = { prompt_tokens: 3100, completion_tokens: 9, cached_tokens: 1000 };
const rmTurn = (victim: string): ChatTurn => ({ calls: [{ name: 'run_commands', arguments: { commands: [`rm -rf ${victim}`] }, id: 'call_del' }], usage: U_DEL });
const readTurn: ChatTurn = { calls: [{ name: 'read_files', arguments: { files: [{ path: 'hello.txt' }] }, id: 'call_read' }], usage: U_READ };

describe('Cline CLI with no hook (control)', { skip }, () => {
  let w: World;
  before(() => (w = freshWorld('airlock-cline-ctl-')));
  after(() => rmSync(w.root, { recursive: true, force: true }));
  it('really deletes the victim folder: the gated test below can fail', async () => {
    await clineRun(w, bin as AgentBin, [rmTurn(w.victim), { text: 'done' }]);
    assert.equal(existsSync(w.victim), false);
  });
});

describe(`Cline CLI ${typeof bin === 'string' ? '' : bin.version} gated by the hook from \`airlock hooks install cline\``, { skip }, () => {
  let w: World;
  let gate: ServeProc;
  before(async () => {
    w = freshWorld('airlock-cline-');
    gate = await startGate(w);
    installHook(w, 'cline', [], otlpEnv(gate));
    assert.ok(existsSync(join(w.home, 'Documents', 'Cline', 'Hooks', 'PreToolUse')));
    assert.ok(existsSync(join(w.home, 'Documents', 'Cline', 'Hooks', 'TaskComplete')));
  });
  after(async () => {
    await gate?.stop();
    rmSync(w.root, { recursive: true, force: true });
  });

  it('denies rm -rf of the victim (it survives), tells the model why, the read after it runs in the same task, and the task’s tokens and cost are the run’s', async () => {
    const { model } = await clineRun(w, bin as AgentBin, [rmTurn(w.victim), readTurn, { text: 'done', usage: U_DONE }]);
    assert.ok(victimIntact(w), 'the victim folder survived');
    // The call's input was replaced: Cline refused it as invalid input, nothing ran.
    assert.match(model.toolMessage('call_del')?.text ?? '', /Invalid input/);
    // The reason reached the model as hook context, and the task went on to the read.
    assert.match(model.lastMainText(), /Airlock denied the run_commands call call_del/);
    assert.match(model.toolMessage('call_read')?.text ?? '', /hello from the project/);
    const steps = stepsOf(w.ledger, 'cline').filter((s) => s.event === 'pre');
    const del = steps.find((s) => s.tool_use_id === 'call_del');
    const read = steps.find((s) => s.tool_use_id === 'call_read');
    assert.equal(del?.decision, 'deny', JSON.stringify(steps));
    assert.equal(del?.kind, 'shell');
    assert.equal((JSON.parse(del!.action_json!) as { command: string }).command, `rm -rf ${w.victim}`);
    assert.equal(read?.decision, 'allow');
    assert.equal(read?.kind, 'file');
    // One Cline task is one run, named after the agent.
    assert.equal(del!.run_id, read!.run_id);
    const runs = runsOf(w.ledger, 'cline');
    assert.ok(runs.some((r) => r.id === del!.run_id && r.agent === 'cline'));
    // Every model call of the task, the final answer after the last tool call included (TaskComplete).
    const rows = await waitForUsage(w.ledger, 'cline', (r) => r.filter((x) => x.run_id === del!.run_id).length >= 3);
    assertScriptedUsage(rows, del!.run_id, MODEL, [U_DEL, U_READ, U_DONE], assert);
    // The run log shows the same tokens and cost for the run.
    assertLoggedUsage(w, del!.run_id, MODEL, assert);
    assert.ok(rows.every((r) => r.source === 'transcript'), JSON.stringify(rows));
  });

  it('hooks status drives the installed script with the payload recorded from Cline 3.0.65 and reports it working', () => {
    const st = airlock(w, ['hooks', 'status', '--json']);
    const row = (JSON.parse(st.stdout) as Array<{ agent: string; state: string; fires?: boolean; checkedAgainst?: string; detail: string }>).find((r) => r.agent === 'cline');
    assert.equal(row?.state, 'OK', row?.detail);
    assert.equal(row?.fires, true);
    assert.match(row?.checkedAgainst ?? '', /^cline 3\.0\.65 \(recorded/);
  });
});

describe('the Cline shim: both payload generations', () => {
  const recorded = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'hooks', 'cline-3.0.65.json'), 'utf8')) as { payload: Record<string, unknown> };
  const shim = (payload: unknown, home: string) => {
    const r = spawnSync(process.execPath, [CLI_JS, 'hook', 'cline'], { input: JSON.stringify(payload), encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home, AIRLOCK_HOME: join(home, 'airlock') } });
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  let w: World;
  before(() => (w = freshWorld('airlock-cline-shim-')));
  after(() => rmSync(w.root, { recursive: true, force: true }));

  it('Cline 3.x (tool_call): a read passes, rm -rf is replaced by an input that cannot run', () => {
    const p = recorded.payload as { workspaceRoots: string[]; tool_call: { input: { commands: string[] } } };
    const read = structuredClone(p);
    read.workspaceRoots = [w.proj];
    assert.deepEqual(shim(read, w.home), { cancel: false });
    const del = structuredClone(read);
    del.tool_call.input.commands = [`rm -rf ${w.victim}`];
    const a = shim(del, w.home);
    assert.equal(a.cancel, false, 'the task goes on');
    assert.match(String((a.overrideInput as { airlock_denied?: string }).airlock_denied), /destroys data outside the workspace/);
    assert.match(String(a.context), /Airlock denied the run_commands call/);
  });

  it('the older generation (PreToolUse, string parameters, the VS Code extension): cancel on deny, allow on a read', () => {
    const old = (command: string) => ({ clineVersion: '3.17.0', hookName: 'PreToolUse', timestamp: '0', taskId: 't1', workspaceRoots: [w.proj], userId: 'u', preToolUse: { toolName: 'execute_command', parameters: { command, requires_approval: 'false' } } });
    assert.deepEqual(shim(old('ls'), w.home), { cancel: false });
    const a = shim(old(`rm -rf ${w.victim}`), w.home);
    assert.equal(a.cancel, true);
    assert.ok(String(a.errorMessage).length > 0);
  });

  it('with the kill switch latched the task ends (cancel), reads included: what the person asked for', () => {
    const home = join(w.root, 'killed-home');
    const k = spawnSync(process.execPath, [CLI_JS, 'kill', '--reason', 'cline test'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home, AIRLOCK_HOME: join(home, 'airlock') } });
    assert.equal(k.status, 0, k.stderr);
    const read = structuredClone(recorded.payload) as { workspaceRoots: string[] };
    read.workspaceRoots = [w.proj];
    const a = shim(read, home);
    assert.equal(a.cancel, true);
    assert.match(String(a.errorMessage), /kill switch is latched \(cline test\)/);
  });

  it('an unknown tool of Cline 3.x is denied with cancel (its schema is not known to refuse the replaced input)', () => {
    const p = structuredClone(recorded.payload) as Record<string, unknown> & { tool_call: Record<string, unknown>; workspaceRoots: string[] };
    p.workspaceRoots = [w.proj];
    p.tool_call = { id: 'x', name: 'mystery_tool', input: { anything: 1 } };
    delete p.preToolUse;
    const a = shim(p, w.home);
    assert.equal(a.cancel, true);
  });
});
