// Usage, cost and budgets end to end: the real Claude Code against a scripted model, hooks AND
// telemetry installed by the real `airlock hooks install claude` into the temp HOME's
// ~/.claude/settings.json, reporting to the real `airlock serve` (bridge + OTLP receiver + ledger).
// Assertions are on ledger rows, files on disk, Claude Code's own JSON result and what the model saw.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { calcPrice } from '@pydantic/genai-prices';
import { startServe as startServeProc } from '../support/gateway';
import { CLAUDE_BIN, CLI_JS, runClaude, type ClaudeRunOutcome } from '../support/claudeRun';
import { ScriptedModel, type ScriptedTurn, type ScriptedUsage } from '../support/scriptedModel';
import { claudeTranscriptCalls, claudeTranscriptFiles } from '../../src/node/usage/transcripts';

let root: string;
let home: string;
let proj: string;
let airlockHome: string;
let ledger: string;
let serve: { info: { otlp: string | null; [k: string]: unknown }; stop: () => Promise<void>; stderr: () => string };

const U1: ScriptedUsage = { input_tokens: 1000, output_tokens: 200, cache_read_input_tokens: 500, cache_creation_input_tokens: 300 };
const U2: ScriptedUsage = { input_tokens: 2000, output_tokens: 400 };
const U3: ScriptedUsage = { input_tokens: 3000, output_tokens: 10 };

/** The table's price of one call, computed here straight from @pydantic/genai-prices (not through Airlock's code). */
function tablePrice(model: string, u: ScriptedUsage): number {
  const cr = u.cache_read_input_tokens ?? 0;
  const cw = u.cache_creation_input_tokens ?? 0;
  const r = calcPrice({ input_tokens: u.input_tokens + cr + cw, output_tokens: u.output_tokens, cache_read_tokens: cr, cache_write_tokens: cw }, model, { providerId: 'anthropic' });
  assert.ok(r, `genai-prices knows ${model}`);
  return r.total_price;
}

async function startServe(): Promise<typeof serve> {
  const s = await startServeProc(['--ledger', ledger, '--ci', '--workspace', proj], { PATH: process.env.PATH, HOME: home, AIRLOCK_HOME: airlockHome, AIRLOCK_OTLP_PORT: '0' });
  return { info: s.ready, stop: s.stop, stderr: s.stderr };
}

function query<T>(sql: string, ...args: unknown[]): T[] {
  const db = new Database(ledger, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
}

interface UsageRow {
  key: string;
  tool_use_id: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number | null;
  cost_source: string;
  priced_usd: number | null;
  source: string;
}

const usageOf = (sessionId: string) => query<UsageRow>('SELECT u.* FROM usage u JOIN runs r ON r.id = u.run_id WHERE r.session_id = ? ORDER BY u.at, u.key', sessionId);

/** Telemetry is exported on its own schedule (and flushed at exit): wait until `n` OTLP-reported calls are in. */
async function waitForOtlp(sessionId: string, n: number): Promise<UsageRow[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = usageOf(sessionId);
    if (rows.filter((r) => r.source.includes('otlp')).length >= n || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function scenario(turns: ScriptedTurn[]): Promise<{ model: ScriptedModel; run: ClaudeRunOutcome }> {
  const model = new ScriptedModel(turns);
  const url = await model.start();
  try {
    // No --settings file: Claude Code reads the hooks and the telemetry env that `airlock hooks install` wrote.
    const run = await runClaude({ cwd: proj, baseUrl: url, home, airlockHome, hookCommand: null, timeoutMs: 120_000, env: { DISABLE_TELEMETRY: '' } });
    assert.equal(run.timedOut, false, `claude timed out: ${run.stderr}`);
    assert.ok(run.json, `claude printed no JSON result (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
    return { model, run };
  } finally {
    await model.close();
  }
}

const turns = (): ScriptedTurn[] => [
  { tools: [{ name: 'Bash', input: { command: 'echo one > one.txt', description: 'first' }, id: 'toolu_one' }], usage: U1 },
  { tools: [{ name: 'Bash', input: { command: 'echo two > two.txt', description: 'second' }, id: 'toolu_two' }], usage: U2 },
  { text: 'done', usage: U3 },
];

before(async () => {
  assert.ok(existsSync(CLI_JS), 'dist/cli.js is missing: run npm run build');
  assert.equal(spawnSync(CLAUDE_BIN, ['--version'], { encoding: 'utf8' }).status, 0, 'Claude Code does not run');
  root = mkdtempSync(join(tmpdir(), 'airlock-usage-'));
  home = join(root, 'home');
  proj = join(root, 'proj');
  airlockHome = join(root, 'airlock');
  ledger = join(airlockHome, 'ledger.sqlite');
  mkdirSync(join(proj, '.airlock'), { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(proj, '.airlock', 'policy.json'), '{\n  "version": 1\n}\n');
  serve = await startServe();
  const port = new URL(serve.info.otlp!).port;
  const inst = spawnSync(process.execPath, [CLI_JS, 'hooks', 'install', 'claude'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home, AIRLOCK_HOME: airlockHome, AIRLOCK_OTLP_PORT: port } });
  assert.equal(inst.status, 0, inst.stderr);
  const settings = JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8')) as { env: Record<string, string>; hooks: unknown };
  assert.equal(settings.env.OTEL_EXPORTER_OTLP_ENDPOINT, serve.info.otlp);
  assert.equal(settings.env.CLAUDE_CODE_ENABLE_TELEMETRY, '1');
  assert.ok(settings.hooks, 'hooks installed too');
});

after(async () => {
  await serve?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('usage and cost from Claude Code telemetry', () => {
  it("records every model call with the agent's cost, equal to the table price and to Claude Code's total_cost_usd", async () => {
    rmSync(join(proj, 'one.txt'), { force: true });
    rmSync(join(proj, 'two.txt'), { force: true });
    const { run } = await scenario(turns());
    const sessionId = run.json!.session_id!;
    assert.equal(readFileSync(join(proj, 'two.txt'), 'utf8'), 'two\n', 'both tool calls ran');
    const rows = await waitForOtlp(sessionId, 3);
    assert.equal(rows.length, 3, JSON.stringify(rows, null, 1));
    const model = rows[0]!.model!;
    assert.match(model, /^claude-/);
    // One row per model call: tokens as scripted, attributed to the tool call that followed.
    const byTool = new Map(rows.map((r) => [r.tool_use_id, r]));
    const r1 = byTool.get('toolu_one')!;
    const r2 = byTool.get('toolu_two')!;
    const r3 = byTool.get(null)!;
    assert.deepEqual([r1.input_tokens, r1.output_tokens, r1.cache_read_tokens, r1.cache_write_tokens], [1000, 200, 500, 300]);
    assert.deepEqual([r2.input_tokens, r2.output_tokens, r2.cache_read_tokens, r2.cache_write_tokens], [2000, 400, 0, 0]);
    assert.deepEqual([r3.input_tokens, r3.output_tokens], [3000, 10]);
    // The agent reported its own dollar figure for every call: kept, and marked as such.
    assert.deepEqual(rows.map((r) => r.cost_source), ['agent', 'agent', 'agent']);
    // The transcript (read by the gate at each hook) and the OTLP event merged into one row per call.
    assert.ok(r1.source.includes('otlp') && r1.source.includes('transcript'), r1.source);
    // The table's price for the scripted usage, computed independently, equals what was stored...
    const expected = [tablePrice(model, U1), tablePrice(model, U2), tablePrice(model, U3)];
    for (const [i, r] of [r1, r2, r3].entries()) {
      assert.ok(Math.abs(r.priced_usd! - expected[i]!) < 1e-9, `call ${i + 1}: priced ${r.priced_usd} vs table ${expected[i]}`);
      assert.ok(Math.abs(r.cost_usd! - expected[i]!) < 1e-6, `call ${i + 1}: agent ${r.cost_usd} vs table ${expected[i]}`);
    }
    // ... and the run's cost in the ledger equals Claude Code's own total.
    const total = rows.reduce((s, r) => s + r.cost_usd!, 0);
    assert.ok(Math.abs(total - run.json!.total_cost_usd!) < 1e-6, `ledger ${total} vs claude ${run.json!.total_cost_usd}`);
    assert.ok(Math.abs(total - expected.reduce((a, b) => a + b, 0)) < 1e-6);
  });

  it('the transcript reader finds the real transcript and reads per-message usage with the tool ids', async () => {
    const runs = query<{ session_id: string }>("SELECT session_id FROM runs WHERE agent = 'claude' ORDER BY started_at");
    const files = claudeTranscriptFiles([join(home, '.claude')], runs[0]!.session_id);
    assert.equal(files.length, 1, 'the main transcript');
    const calls = claudeTranscriptCalls(readFileSync(files[0]!, 'utf8').split('\n'));
    assert.deepEqual(
      calls.map((c) => [c.toolUseId ?? null, c.tokens.input, c.tokens.output, c.tokens.cacheRead, c.tokens.cacheWrite]),
      [
        ['toolu_one', 1000, 200, 500, 300],
        ['toolu_two', 2000, 400, 0, 0],
        [null, 3000, 10, 0, 0],
      ],
    );
    // Same dedup keys as the OTLP events (the API request id), so the sources merge instead of doubling.
    assert.ok(calls.every((c) => c.key.startsWith(`claude:${runs[0]!.session_id}:req_`)), calls.map((c) => c.key).join(' '));
  });

  it('a run budget below the cost of the second step stops the run there: the second tool call is denied with the budget reason', async () => {
    rmSync(join(proj, 'one.txt'), { force: true });
    rmSync(join(proj, 'two.txt'), { force: true });
    const model = 'claude-opus-4-8';
    const first = tablePrice(model, U1);
    const both = first + tablePrice(model, U2);
    const budget = Number(((first + both) / 2).toFixed(6));
    assert.ok(first < budget && budget < both);
    // A workspace budget only tightens, so it applies without acknowledgement.
    writeFileSync(join(proj, '.airlock', 'policy.json'), `${JSON.stringify({ version: 1, budgets: { perRunUsd: budget } }, null, 2)}\n`);
    try {
      const { model: m, run } = await scenario(turns());
      assert.equal(readFileSync(join(proj, 'one.txt'), 'utf8'), 'one\n', 'the first step ran');
      assert.equal(existsSync(join(proj, 'two.txt')), false, `the second step did not run; usage: ${JSON.stringify(usageOf(run.json!.session_id!))}\n${serve.stderr()}`);
      assert.deepEqual((run.json!.permission_denials ?? []).map((d) => d.tool_use_id), ['toolu_two']);
      const tr = m.toolResult('toolu_two');
      assert.ok(tr?.is_error);
      assert.match(tr!.text, /budget reached: authorize in Airlock to continue/);
      const steps = query<{ tool_use_id: string; decision: string; rules_json: string; reasons_json: string }>(
        "SELECT s.* FROM steps s WHERE s.session_id = ? AND s.event = 'pre' ORDER BY s.seq",
        run.json!.session_id,
      );
      assert.deepEqual(steps.map((s) => [s.tool_use_id, s.decision]), [['toolu_one', 'allow'], ['toolu_two', 'deny']]);
      assert.ok((JSON.parse(steps[1]!.rules_json) as string[]).includes('budget.exhausted'));
    } finally {
      writeFileSync(join(proj, '.airlock', 'policy.json'), '{\n  "version": 1\n}\n');
    }
  });
});
