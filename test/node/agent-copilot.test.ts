// The real GitHub Copilot CLI (npm `@github/copilot`, installed by scripts/install-agents.mjs) in
// bring-your-own-key mode against the scripted Anthropic Messages model (no GitHub account, no
// network), gated by the user-level hook `airlock hooks install copilot` writes
// (~/.copilot/hooks/airlock.json) and the real headless gate.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../support/claudeRun';
import { agentBin, airlock, installHook, baseEnv, freshWorld, runAgent, runsOf, startGate, stepsOf, victimIntact, type AgentBin, type World } from '../support/agentLive';
import { ScriptedModel, type ScriptedTurn } from '../support/scriptedModel';
import type { ServeProc } from '../support/gateway';

const bin = agentBin('copilot');
const skip = typeof bin === 'string' ? bin : false;
// Copilot unpacks ~235 MB into XDG_CACHE_HOME on its first run: one shared cache, not one per test.
const XDG_CACHE = join(process.env.AIRLOCK_AGENTS_CACHE || join(REPO_ROOT, '.cache', 'agents'), 'copilot', 'xdg-cache');

async function copilotRun(w: World, b: AgentBin, turns: ScriptedTurn[]): Promise<ScriptedModel> {
  const model = new ScriptedModel(turns);
  const url = await model.start();
  try {
    mkdirSync(XDG_CACHE, { recursive: true });
    const env = {
      ...baseEnv(w),
      XDG_CACHE_HOME: XDG_CACHE,
      COPILOT_AUTO_UPDATE: 'false',
      COPILOT_OFFLINE: 'true',
      COPILOT_PROVIDER_TYPE: 'anthropic',
      COPILOT_PROVIDER_BASE_URL: url,
      COPILOT_PROVIDER_API_KEY: 'x',
      COPILOT_MODEL: 'claude-sonnet-4.5',
    };
    const run = await runAgent(b, ['-p', 'Do the scripted task.', '--allow-all-tools', '--disable-client-telemetry'], { cwd: w.proj, env, timeoutMs: 120_000 });
    assert.equal(run.timedOut, false, `copilot timed out: ${run.stderr.slice(-3000)}`);
    assert.equal(run.code, 0, `copilot exited ${run.code}: ${run.stdout.slice(-2000)} ${run.stderr.slice(-2000)}`);
    assert.ok(model.served >= turns.length, `copilot took ${model.served} of ${turns.length} turns: ${run.stderr.slice(-2000)}`);
    return model;
  } finally {
    await model.close();
  }
}

const rmTurn = (victim: string): ScriptedTurn => ({ tools: [{ name: 'bash', input: { command: `rm -rf ${victim}`, description: 'remove the folder' }, id: 'toolu_del' }] });
const readTurn = (proj: string): ScriptedTurn => ({ tools: [{ name: 'view', input: { path: join(proj, 'hello.txt') }, id: 'toolu_read' }] });

describe('Copilot CLI with no hook (control)', { skip }, () => {
  let w: World;
  before(() => (w = freshWorld('airlock-copilot-ctl-')));
  after(() => rmSync(w.root, { recursive: true, force: true }));
  it('really deletes the victim folder: the gated test below can fail', async () => {
    await copilotRun(w, bin as AgentBin, [rmTurn(w.victim), { text: 'done' }]);
    assert.equal(existsSync(w.victim), false);
  });
});

describe(`Copilot CLI ${typeof bin === 'string' ? '' : bin.version} gated by the hook from \`airlock hooks install copilot\``, { skip }, () => {
  let w: World;
  let gate: ServeProc;
  before(async () => {
    w = freshWorld('airlock-copilot-');
    installHook(w, 'copilot');
    assert.ok(existsSync(join(w.home, '.copilot', 'hooks', 'airlock.json')));
    gate = await startGate(w);
  });
  after(async () => {
    await gate?.stop();
    rmSync(w.root, { recursive: true, force: true });
  });

  it('denies rm -rf of the victim (it survives), the model reads why, and the read after it runs in the same session', async () => {
    const model = await copilotRun(w, bin as AgentBin, [rmTurn(w.victim), readTurn(w.proj), { text: 'done' }]);
    assert.ok(victimIntact(w), 'the victim folder survived');
    assert.match(model.toolResult('toolu_del')?.text ?? '', /Denied by preToolUse hook: .*destroys data outside the workspace/);
    assert.match(model.toolResult('toolu_read')?.text ?? '', /hello from the project/);
    const steps = stepsOf(w.ledger, 'copilot').filter((s) => s.event === 'pre');
    const del = steps.find((s) => s.tool === 'bash');
    const read = steps.find((s) => s.tool === 'view');
    assert.equal(del?.decision, 'deny', JSON.stringify(steps));
    assert.equal(del?.kind, 'shell');
    assert.equal(read?.decision, 'allow');
    assert.equal(read?.kind, 'file');
    assert.equal(del!.run_id, read!.run_id);
    assert.ok(runsOf(w.ledger, 'copilot').some((r) => r.id === del!.run_id && r.agent === 'copilot'));
  });
});
