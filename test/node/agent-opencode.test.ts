// The real OpenCode (npm `opencode-ai`) and Kilo Code CLI (`@kilocode/cli`, an OpenCode fork), each
// installed by scripts/install-agents.mjs, against a scripted OpenAI-compatible model on loopback,
// gated by the plugin that `airlock hooks install opencode|kilo` writes and the real headless gate.
// The plugin's tool.execute.before throws on a denial: that one call fails with Airlock's reason,
// and the session goes on (the read scripted after it runs). The same plugin reports each finished
// model call's tokens and cost to Airlock's OTLP receiver: the scripted usage numbers are checked row
// by row, priced by the table (OpenCode reports a cost of 0 for a model it has no price for).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentBin, airlock, assertLoggedUsage, assertScriptedUsage, installHook, baseEnv, freshWorld, otlpEnv, runAgent, runsOf, startGate, stepsOf, victimIntact, waitForUsage, type AgentBin, type ChatUsage, type World } from '../support/agentLive';
import { ScriptedChat, type ChatTurn } from '../support/scriptedChat';
import type { ServeProc } from '../support/gateway';

interface Flavor {
  agent: 'opencode' | 'kilo';
  /** The user config folder under HOME, and the config file name. */
  configDir: string[];
  configFile: string;
  env: Record<string, string>;
}

/** A model genai-prices knows, so the run's cost is the table's price of the scripted usage. */
const MODEL = 'gpt-4o-mini';

const FLAVORS: Flavor[] = [
  {
    agent: 'opencode',
    configDir: ['.config', 'opencode'],
    configFile: 'opencode.json',
    env: { OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_SHARE: '1', OPENCODE_DISABLE_MODELS_FETCH: '1', OPENCODE_DISABLE_LSP_DOWNLOAD: '1', OPENCODE_DISABLE_DEFAULT_PLUGINS: '1' },
  },
  {
    agent: 'kilo',
    configDir: ['.config', 'kilo'],
    configFile: 'kilo.json',
    env: { KILO_DISABLE_AUTOUPDATE: '1', KILO_DISABLE_SHARE: '1', KILO_DISABLE_MODELS_FETCH: '1', KILO_DISABLE_LSP_DOWNLOAD: '1', KILO_DISABLE_DEFAULT_PLUGINS: '1', KILO_TELEMETRY_DISABLED: '1' },
  },
];

function writeConfig(w: World, f: Flavor, url: string): void {
  const dir = join(w.home, ...f.configDir);
  mkdirSync(dir, { recursive: true });
  const config = {
    $schema: 'https://opencode.ai/config.json',
    provider: { scripted: { npm: '@ai-sdk/openai-compatible', name: 'Scripted', options: { baseURL: url, apiKey: 'x' }, models: { [MODEL]: { name: MODEL, tool_call: true } } } },
    model: `scripted/${MODEL}`,
    permission: 'allow',
    autoupdate: false,
    share: 'disabled',
  };
  writeFileSync(join(dir, f.configFile), `${JSON.stringify(config, null, 2)}\n`);
}

async function session(w: World, f: Flavor, b: AgentBin, turns: ChatTurn[]): Promise<{ model: ScriptedChat; stdout: string }> {
  const model = new ScriptedChat(turns);
  const url = await model.start();
  try {
    writeConfig(w, f, url);
    const env = { ...baseEnv(w), XDG_CONFIG_HOME: join(w.home, '.config'), XDG_DATA_HOME: join(w.home, '.local', 'share'), XDG_CACHE_HOME: join(w.home, '.cache'), XDG_STATE_HOME: join(w.home, '.local', 'state'), ...f.env };
    const run = await runAgent(b, ['run', 'Do the scripted task.', '--format', 'json'], { cwd: w.proj, env, timeoutMs: 150_000 });
    assert.equal(run.timedOut, false, `${f.agent} timed out: ${run.stderr.slice(-3000)}`);
    assert.equal(run.code, 0, `${f.agent} exited ${run.code}: ${run.stdout.slice(-2000)} ${run.stderr.slice(-2000)}`);
    assert.ok(model.served >= turns.length, `${f.agent} took ${model.served} of ${turns.length} turns: ${run.stderr.slice(-2000)}`);
    return { model, stdout: run.stdout };
  } finally {
    await model.close();
  }
}

const U_DEL: ChatUsage = { prompt_tokens: 1500, completion_tokens: 40, cached_tokens: 300 };
const U_READ: ChatUsage = { prompt_tokens: 2500, completion_tokens: 60 };
const U_DONE: ChatUsage = { prompt_tokens: 3100, completion_tokens: 9, cached_tokens: 1000 };
const rmTurn = (victim: string): ChatTurn => ({ calls: [{ name: 'bash', arguments: { command: `rm -rf ${victim}`, description: 'remove the folder' }, id: 'call_del' }], usage: U_DEL });
const readTurn = (proj: string): ChatTurn => ({ calls: [{ name: 'read', arguments: { filePath: join(proj, 'hello.txt') }, id: 'call_read' }], usage: U_READ });

for (const f of FLAVORS) {
  const bin = agentBin(f.agent);
  const skip = typeof bin === 'string' ? bin : false;

  describe(`${f.agent} with no plugin (control)`, { skip }, () => {
    let w: World;
    before(() => (w = freshWorld(`airlock-${f.agent}-ctl-`)));
    after(() => rmSync(w.root, { recursive: true, force: true }));
    it('really deletes the victim folder: the gated test below can fail', async () => {
      await session(w, f, bin as AgentBin, [rmTurn(w.victim), { text: 'done' }]);
      assert.equal(existsSync(w.victim), false);
    });
  });

  describe(`${f.agent} ${typeof bin === 'string' ? '' : bin.version} gated by the plugin from \`airlock hooks install ${f.agent}\``, { skip }, () => {
    let w: World;
    let gate: ServeProc;
    before(async () => {
      w = freshWorld(`airlock-${f.agent}-`);
      gate = await startGate(w);
      installHook(w, f.agent, [], otlpEnv(gate));
      assert.ok(existsSync(join(w.home, ...f.configDir, 'plugins', 'airlock.js')));
    });
    after(async () => {
      await gate?.stop();
      rmSync(w.root, { recursive: true, force: true });
    });

    it('denies rm -rf of the victim (it survives), the model reads why, the read after it runs in the same session, and its tokens and cost are the run’s', async () => {
      const { model } = await session(w, f, bin as AgentBin, [rmTurn(w.victim), readTurn(w.proj), { text: 'done', usage: U_DONE }]);
      assert.ok(victimIntact(w), 'the victim folder survived');
      assert.match(model.toolMessage('call_del')?.text ?? '', /destroys data outside the workspace/);
      assert.match(model.toolMessage('call_read')?.text ?? '', /hello from the project/);
      const steps = stepsOf(w.ledger, f.agent).filter((s) => s.event === 'pre');
      const del = steps.find((s) => s.tool_use_id === 'call_del');
      const read = steps.find((s) => s.tool_use_id === 'call_read');
      assert.equal(del?.decision, 'deny', JSON.stringify(steps));
      assert.equal(del?.kind, 'shell');
      assert.equal(read?.decision, 'allow');
      assert.equal(read?.kind, 'file');
      assert.equal(del!.run_id, read!.run_id);
      assert.ok(runsOf(w.ledger, f.agent).some((r) => r.id === del!.run_id && r.agent === f.agent));
      const rows = await waitForUsage(w.ledger, f.agent, (r) => r.filter((x) => x.run_id === del!.run_id && x.output_tokens !== 3).length >= 3);
      assertScriptedUsage(rows, del!.run_id, MODEL, [U_DEL, U_READ, U_DONE], assert);
      // The run log shows the same tokens and cost for the run.
      assertLoggedUsage(w, del!.run_id, MODEL, assert);
      assert.ok(rows.every((r) => r.source === 'otlp'), JSON.stringify(rows));
    });

    it('hooks status runs the installed plugin and reports it working', () => {
      const st = airlock(w, ['hooks', 'status', '--json']);
      const row = (JSON.parse(st.stdout) as Array<{ agent: string; state: string; fires?: boolean; detail: string; checkedAgainst?: string }>).find((r) => r.agent === f.agent);
      assert.equal(row?.state, 'OK', row?.detail);
      assert.equal(row?.fires, true);
    });
  });
}
