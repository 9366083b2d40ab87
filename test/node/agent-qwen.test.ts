// The real Qwen Code (npm `@qwen-code/qwen-code`, installed by scripts/install-agents.mjs) against a
// scripted OpenAI-compatible model on loopback, gated by the hook `airlock hooks install qwen`
// merges into ~/.qwen/settings.json, and the real headless gate. Its model calls' tokens reach the
// run through the OpenTelemetry export that install points at Airlock's OTLP receiver, priced by the
// table: the scripted usage numbers are checked row by row.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentBin, airlock, assertLoggedUsage, assertScriptedUsage, installHook, baseEnv, freshWorld, otlpEnv, runAgent, runsOf, startGate, stepsOf, victimIntact, waitForUsage, type AgentBin, type ChatUsage, type World } from '../support/agentLive';
import { ScriptedChat, type ChatTurn } from '../support/scriptedChat';
import type { ServeProc } from '../support/gateway';

const bin = agentBin('qwen');
/** A model genai-prices knows, so the run's cost is the table's price of the scripted usage. */
const MODEL = 'gpt-4o-mini';
const skip = typeof bin === 'string' ? bin : false;

/** The person's own Qwen settings (OpenAI-compatible auth), written before Airlock merges its hook in. */
function writeSettings(w: World): void {
  const dir = join(w.home, '.qwen');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), `${JSON.stringify({ security: { auth: { selectedType: 'openai' } }, privacy: { usageStatisticsEnabled: false }, general: { enableAutoUpdate: false } }, null, 2)}\n`);
}

async function qwenRun(w: World, b: AgentBin, turns: ChatTurn[]): Promise<{ model: ScriptedChat; stdout: string }> {
  const model = new ScriptedChat(turns, { sideText: '{"next_speaker":"user","reasoning":"the task is done"}' });
  const url = await model.start();
  try {
    const env = { ...baseEnv(w), OPENAI_BASE_URL: url, OPENAI_API_KEY: 'x', OPENAI_MODEL: MODEL };
    const run = await runAgent(b, ['Do the scripted task.', '--approval-mode', 'yolo', '--output-format', 'json'], { cwd: w.proj, env, timeoutMs: 150_000 });
    assert.equal(run.timedOut, false, `qwen timed out: ${run.stderr.slice(-3000)}`);
    assert.equal(run.code, 0, `qwen exited ${run.code}: ${run.stdout.slice(-2000)} ${run.stderr.slice(-2000)}`);
    assert.ok(model.served >= turns.length, `qwen took ${model.served} of ${turns.length} turns: ${run.stderr.slice(-2000)}`);
    return { model, stdout: run.stdout };
  } finally {
    await model.close();
  }
}

const U_DEL: ChatUsage = { prompt_tokens: 1500, completion_tokens: 40, cached_tokens: 300 };
const U_READ: ChatUsage = { prompt_tokens: 2500, completion_tokens: 60 };
const U_DONE: ChatUsage = { prompt_tokens: 3100, completion_tokens: 9, cached_tokens: 1000 };
const rmTurn = (victim: string): ChatTurn => ({ calls: [{ name: 'run_shell_command', arguments: { command: `rm -rf ${victim}`, description: 'remove the folder' }, id: 'call_del' }], usage: U_DEL });
const readTurn = (proj: string): ChatTurn => ({ calls: [{ name: 'read_file', arguments: { file_path: join(proj, 'hello.txt') }, id: 'call_read' }], usage: U_READ });

describe('Qwen Code with no hook (control)', { skip }, () => {
  let w: World;
  before(() => {
    w = freshWorld('airlock-qwen-ctl-');
    writeSettings(w);
  });
  after(() => rmSync(w.root, { recursive: true, force: true }));
  it('really deletes the victim folder: the gated test below can fail', async () => {
    await qwenRun(w, bin as AgentBin, [rmTurn(w.victim), { text: 'done' }]);
    assert.equal(existsSync(w.victim), false);
  });
});

describe(`Qwen Code ${typeof bin === 'string' ? '' : bin.version} gated by the hook from \`airlock hooks install qwen\``, { skip }, () => {
  let w: World;
  let gate: ServeProc;
  before(async () => {
    w = freshWorld('airlock-qwen-');
    writeSettings(w);
    gate = await startGate(w);
    installHook(w, 'qwen', [], otlpEnv(gate));
    const s = JSON.parse(readFileSync(join(w.home, '.qwen', 'settings.json'), 'utf8')) as { security: unknown; hooks: { PreToolUse: unknown[] }; telemetry: { otlpEndpoint: string } };
    assert.deepEqual(s.security, { auth: { selectedType: 'openai' } }, 'the person’s settings stay');
    assert.equal(s.hooks.PreToolUse.length, 1);
    assert.equal(s.telemetry.otlpEndpoint, gate.ready.otlp, 'telemetry goes to this gate’s receiver');
  });
  after(async () => {
    await gate?.stop();
    rmSync(w.root, { recursive: true, force: true });
  });

  it('denies rm -rf of the victim (it survives), the model reads why, the read after it runs in the same session, and its tokens and cost are the run’s', async () => {
    const { model } = await qwenRun(w, bin as AgentBin, [rmTurn(w.victim), readTurn(w.proj), { text: 'done', usage: U_DONE }]);
    assert.ok(victimIntact(w), 'the victim folder survived');
    assert.match(model.toolMessage('call_del')?.text ?? '', /destroys data outside the workspace/);
    assert.match(model.toolMessage('call_read')?.text ?? '', /hello from the project/);
    const steps = stepsOf(w.ledger, 'qwen').filter((s) => s.event === 'pre');
    // Qwen Code names tool uses its own way (toolu_…), not after the model's call id.
    const del = steps.find((s) => s.tool === 'run_shell_command');
    const read = steps.find((s) => s.tool === 'read_file');
    assert.equal(del?.decision, 'deny', JSON.stringify(steps));
    assert.equal(del?.kind, 'shell');
    assert.equal(read?.decision, 'allow');
    assert.equal(read?.kind, 'file');
    assert.equal(del!.run_id, read!.run_id);
    assert.ok(runsOf(w.ledger, 'qwen').some((r) => r.id === del!.run_id && r.agent === 'qwen'));
    // Every main model call, as its telemetry reported it (side requests such as next-speaker checks are rows too).
    const rows = await waitForUsage(w.ledger, 'qwen', (r) => r.filter((x) => x.run_id === del!.run_id && x.output_tokens !== 3).length >= 3);
    assertScriptedUsage(rows, del!.run_id, MODEL, [U_DEL, U_READ, U_DONE], assert);
    // The run log shows the same tokens and cost for the run.
    assertLoggedUsage(w, del!.run_id, MODEL, assert);
    assert.ok(rows.every((r) => r.source === 'otlp'), JSON.stringify(rows));
  });

  it('hooks status drives the installed hook and reports it working', () => {
    const st = airlock(w, ['hooks', 'status', '--json']);
    const row = (JSON.parse(st.stdout) as Array<{ agent: string; state: string; fires?: boolean; detail: string }>).find((r) => r.agent === 'qwen');
    assert.equal(row?.state, 'OK', row?.detail);
    assert.equal(row?.fires, true);
  });
});
