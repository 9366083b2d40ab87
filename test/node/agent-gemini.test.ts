// The real Gemini CLI (npm `@google/gemini-cli`, installed by scripts/install-agents.mjs) against a
// scripted Gemini API on loopback, gated by the hook `airlock hooks install gemini` merges into
// ~/.gemini/settings.json and the real headless gate. Gemini loads no hooks in a folder the person
// has not trusted: the project is trusted in ~/.gemini/trustedFolders.json, and `hooks status`
// reports that trust.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentBin, airlock, installHook, baseEnv, freshWorld, runAgent, runsOf, startGate, stepsOf, victimIntact, type AgentBin, type World } from '../support/agentLive';
import { ScriptedGemini, type GeminiTurn } from '../support/scriptedGemini';
import type { ServeProc } from '../support/gateway';

const bin = agentBin('gemini');
const skip = typeof bin === 'string' ? bin : false;

function writeSettings(w: World): void {
  const dir = join(w.home, '.gemini');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), `${JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } }, general: { enableAutoUpdate: false, enableAutoUpdateNotification: false }, privacy: { usageStatisticsEnabled: false } }, null, 2)}\n`);
  writeFileSync(join(dir, 'trustedFolders.json'), `${JSON.stringify({ [w.proj]: 'TRUST_FOLDER' }, null, 2)}\n`);
}

async function geminiRun(w: World, b: AgentBin, turns: GeminiTurn[]): Promise<ScriptedGemini> {
  const model = new ScriptedGemini(turns);
  const url = await model.start();
  try {
    const env = { ...baseEnv(w), GOOGLE_GEMINI_BASE_URL: url, GEMINI_API_KEY: 'x' };
    const run = await runAgent(b, ['-p', 'Do the scripted task.', '--yolo', '--output-format', 'text'], { cwd: w.proj, env, timeoutMs: 120_000 });
    assert.equal(run.timedOut, false, `gemini timed out: ${run.stderr.slice(-3000)}`);
    assert.equal(run.code, 0, `gemini exited ${run.code}: ${run.stdout.slice(-2000)} ${run.stderr.slice(-2000)}`);
    assert.ok(model.served >= turns.length, `gemini took ${model.served} of ${turns.length} turns: ${run.stderr.slice(-2000)}`);
    return model;
  } finally {
    await model.close();
  }
}

const rmTurn = (victim: string): GeminiTurn => ({ calls: [{ name: 'run_shell_command', args: { command: `rm -rf ${victim}`, description: 'remove the folder' }, id: 'call_del' }] });
const readTurn = (proj: string): GeminiTurn => ({ calls: [{ name: 'read_file', args: { file_path: join(proj, 'hello.txt') }, id: 'call_read' }] });

describe('Gemini CLI with no hook (control)', { skip }, () => {
  let w: World;
  before(() => {
    w = freshWorld('airlock-gemini-ctl-');
    writeSettings(w);
  });
  after(() => rmSync(w.root, { recursive: true, force: true }));
  it('really deletes the victim folder: the gated test below can fail', async () => {
    await geminiRun(w, bin as AgentBin, [rmTurn(w.victim), { text: 'done' }]);
    assert.equal(existsSync(w.victim), false);
  });
});

describe(`Gemini CLI ${typeof bin === 'string' ? '' : bin.version} gated by the hook from \`airlock hooks install gemini\``, { skip }, () => {
  let w: World;
  let gate: ServeProc;
  before(async () => {
    w = freshWorld('airlock-gemini-');
    writeSettings(w);
    installHook(w, 'gemini', ['--no-telemetry']);
    gate = await startGate(w);
  });
  after(async () => {
    await gate?.stop();
    rmSync(w.root, { recursive: true, force: true });
  });

  it('denies rm -rf of the victim (it survives), the model reads why, and the read after it runs in the same session', async () => {
    const model = await geminiRun(w, bin as AgentBin, [rmTurn(w.victim), readTurn(w.proj), { text: 'done' }]);
    assert.ok(victimIntact(w), 'the victim folder survived');
    assert.match(model.functionResponse('run_shell_command') ?? '', /destroys data outside the workspace/);
    assert.match(model.functionResponse('read_file') ?? '', /hello from the project/);
    const steps = stepsOf(w.ledger, 'gemini').filter((s) => s.event === 'pre');
    const del = steps.find((s) => s.tool === 'run_shell_command');
    const read = steps.find((s) => s.tool === 'read_file');
    assert.equal(del?.decision, 'deny', JSON.stringify(steps));
    assert.equal(del?.kind, 'shell');
    assert.equal(read?.decision, 'allow');
    assert.equal(del!.run_id, read!.run_id);
    assert.ok(runsOf(w.ledger, 'gemini').some((r) => r.id === del!.run_id && r.agent === 'gemini'));
  });

  it('hooks status: installed, the project folder trusted, the canary fires; an untrusted folder is reported', () => {
    const st = airlock(w, ['hooks', 'status', '--json']);
    const row = (JSON.parse(st.stdout) as Array<{ agent: string; state: string; trusted?: boolean; fires?: boolean; detail: string }>).find((r) => r.agent === 'gemini');
    assert.equal(row?.state, 'OK', row?.detail);
    assert.equal(row?.trusted, true);
    assert.equal(row?.fires, true);
    writeFileSync(join(w.home, '.gemini', 'trustedFolders.json'), '{}\n');
    const st2 = airlock(w, ['hooks', 'status', '--json']);
    const row2 = (JSON.parse(st2.stdout) as Array<{ agent: string; trusted?: boolean; detail: string }>).find((r) => r.agent === 'gemini');
    assert.equal(row2?.trusted, false);
    assert.match(row2?.detail ?? '', /loads no hooks there/);
  });
});
