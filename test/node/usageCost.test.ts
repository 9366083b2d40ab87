// One cost per run, end to end: the real Claude Code against a scripted model, hooks (and, where
// the case needs it, telemetry) installed by the real `airlock hooks install claude`, reporting to a
// real `airlock serve` started IN THE PROJECT FOLDER WITH NO FLAGS (so the project's own
// .airlock/policy.json must apply). The run's cost is read back through `airlock log --json` and
// validated with the exported schema; it must equal Claude Code's own total_cost_usd within 2 %
// whatever the source: OTLP metrics with cumulative temporality alone, OTLP log events alone, the
// transcript alone, and telemetry plus transcript without a shared request id (the double count).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startServe, type ServeProc } from '../support/gateway';
import { CLAUDE_BIN, CLI_JS, runClaude, type ClaudeRunOutcome } from '../support/claudeRun';
import { ScriptedModel, type ScriptedTurn } from '../support/scriptedModel';
import { LogRunDetail, LogRuns, type LogRun } from '../../src/core/protocol/runLog';
import { Ledger } from '../../src/node/ledger/ledger';
import { UsageStore } from '../../src/node/usage/usage';
import type { Decoded } from '../../src/node/usage/otlp/decode';

let root: string;

before(() => {
  assert.ok(existsSync(CLI_JS), 'dist/cli.js is missing: run npm run build');
  assert.equal(spawnSync(CLAUDE_BIN, ['--version'], { encoding: 'utf8' }).status, 0, 'Claude Code does not run');
  root = realpathSync(mkdtempSync(join(tmpdir(), 'airlock-cost-')));
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Setup {
  home: string;
  proj: string;
  airlockHome: string;
  ledger: string;
  serve: ServeProc;
}

let n = 0;
/**
 * A project with its policy, `airlock serve` started in it with no flags, hooks installed by
 * `airlock hooks install claude` (telemetry unless `telemetry: false`). `transcripts: false` points
 * the gate's transcript reader at an empty Claude config folder (telemetry is then the only source).
 */
async function setup(policy: Record<string, unknown>, o: { telemetry?: boolean; transcripts?: boolean; hooks?: boolean } = {}): Promise<Setup> {
  n += 1;
  const base = join(root, `case${n}`);
  const home = join(base, 'home');
  const proj = join(base, 'proj');
  const airlockHome = join(base, 'airlock');
  mkdirSync(join(proj, '.airlock'), { recursive: true });
  mkdirSync(home, { recursive: true });
  mkdirSync(airlockHome, { recursive: true });
  writeFileSync(join(proj, '.airlock', 'policy.json'), `${JSON.stringify({ version: 1, ...policy }, null, 2)}\n`);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, AIRLOCK_HOME: airlockHome, AIRLOCK_OTLP_PORT: '0', ...(o.transcripts === false ? { CLAUDE_CONFIG_DIR: join(base, 'no-transcripts') } : {}) };
  const serve = await startServe([], env, proj);
  const port = new URL(serve.ready.otlp).port;
  if (o.hooks === false) return { home, proj, airlockHome, ledger: serve.ready.ledger, serve };
  const inst = spawnSync(process.execPath, [CLI_JS, 'hooks', 'install', 'claude', ...(o.telemetry === false ? ['--no-telemetry'] : [])], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home, AIRLOCK_HOME: airlockHome, AIRLOCK_OTLP_PORT: port } });
  assert.equal(inst.status, 0, inst.stderr);
  return { home, proj, airlockHome, ledger: serve.ready.ledger, serve };
}

async function claude(s: Setup, turns: ScriptedTurn[], env: Record<string, string> = {}, requestIds = true): Promise<{ model: ScriptedModel; run: ClaudeRunOutcome; total: number; sessionId: string }> {
  const model = new ScriptedModel(turns, { requestIds });
  const url = await model.start();
  try {
    const run = await runClaude({ cwd: s.proj, baseUrl: url, home: s.home, airlockHome: s.airlockHome, hookCommand: null, timeoutMs: 120_000, env: { DISABLE_TELEMETRY: '', ...env } });
    assert.equal(run.timedOut, false, `claude timed out: ${run.stderr}`);
    assert.ok(run.json?.session_id && typeof run.json.total_cost_usd === 'number', `claude printed no JSON result (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
    return { model, run, total: run.json.total_cost_usd, sessionId: run.json.session_id };
  } finally {
    await model.close();
  }
}

/** Claude Code's telemetry switched on by hand with no exporter yet (the settings `airlock hooks install` writes would turn both on). */
const telemetryEnv = (s: Setup): Record<string, string> => ({ CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: s.serve.ready.otlp });

function airlockLog(s: Setup, args: string[] = []): unknown {
  const r = spawnSync(process.execPath, [CLI_JS, 'log', '--json', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: s.home, AIRLOCK_HOME: s.airlockHome } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

/** The run of a session as `airlock log --json` reports it (validated by the exported schema). */
function loggedRun(s: Setup, sessionId: string): LogRun {
  const runs = LogRuns.parse(airlockLog(s)).runs.filter((r) => r.sessionId === sessionId);
  assert.equal(runs.length, 1, `one run for session ${sessionId}`);
  return runs[0]!;
}

/** Telemetry arrives on its own schedule (metrics at exit): wait until the logged cost settles at `want`, or time out. */
async function settledRun(s: Setup, sessionId: string, want: number): Promise<LogRun> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = loggedRun(s, sessionId);
    if ((r.usage.costUsd !== null && Math.abs(r.usage.costUsd - want) <= want * 0.02) || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
}

const within2 = (got: number | null, want: number, what: string): void => {
  assert.ok(got !== null, `${what}: cost unknown`);
  assert.ok(Math.abs(got - want) <= want * 0.02, `${what}: Airlock says $${got}, Claude Code says $${want}`);
};

const bashTurns = (count: number, prefix: string): ScriptedTurn[] => [
  ...Array.from({ length: count }, (_, i): ScriptedTurn => ({
    tools: [{ name: 'Bash', input: { command: `echo ${i} > ${prefix}${i}.txt`, description: `step ${i}` }, id: `toolu_${prefix}_${i}` }],
    usage: { input_tokens: 1000 + 500 * i, output_tokens: 100, cache_read_input_tokens: 200 * i, cache_creation_input_tokens: i === 0 ? 300 : 0 },
  })),
  { text: 'done', usage: { input_tokens: 800, output_tokens: 20 } },
];

describe('the project budget with `airlock serve` started in the project, no flags', () => {
  it("stops the run once exceeded; every denial states a cost not above Claude Code's own total and says how to raise it; airlock log shows the same total; the run ends with the session", async () => {
    // Claude Code's per-call costs for these turns (claude-opus-4-8 prices): 0.0075+ (with cache write), 0.0101, 0.0127, 0.0153, ...
    const s = await setup({ budgets: { perRunUsd: 0.03 } });
    try {
      const { run, total, sessionId, model } = await claude(s, bashTurns(6, 'b'));
      // The project's policy was loaded by the gate started in the project without --workspace.
      assert.match(s.serve.stderr(), new RegExp(`policy loaded \\(hash [0-9a-f]{12}\\): ${s.proj.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.airlock/policy\\.json \\(file sha256 [0-9a-f]{12}\\) in force`), s.serve.stderr());
      const db = new Database(s.ledger, { readonly: true });
      const steps = db.prepare("SELECT tool_use_id, decision, rules_json, reasons_json FROM steps WHERE session_id = ? AND event = 'pre' ORDER BY seq").all(sessionId) as Array<{ tool_use_id: string; decision: string; rules_json: string; reasons_json: string }>;
      db.close();
      const denied = steps.filter((x) => (JSON.parse(x.rules_json) as string[]).includes('budget.exhausted'));
      assert.ok(denied.length > 0, `the budget stopped the run: ${JSON.stringify(steps)}\n${s.serve.stderr()}`);
      const firstDenied = steps.findIndex((x) => x.decision === 'deny');
      assert.ok(firstDenied >= 1, 'the calls within the budget ran');
      // Calls after the budget was reached did not run.
      for (let i = 0; i < 6; i++) assert.equal(existsSync(join(s.proj, `b${i}.txt`)), i < firstDenied, `step ${i}`);
      for (const d of denied) {
        const reason = (JSON.parse(d.reasons_json) as string[])[0]!;
        const m = /this run has cost \$(\d+\.\d+) \(([^)]*)\)/.exec(reason);
        assert.ok(m, reason);
        assert.ok(Number(m[1]) <= total + 0.00005, `denial states $${m[1]}, Claude Code's own total is $${total}: ${reason}`);
        assert.match(reason, /per-run budget of \$0\.0300/);
        assert.match(reason, /agent-reported|priced from tokens/);
        assert.match(reason, /Airlock: Raise Budget for This Run/);
        assert.match(reason, /airlock budget raise --run [0-9a-f-]{36} --usd/);
        // The agent saw the same explanation.
        assert.match(model.toolResult(d.tool_use_id)?.text ?? '', /per-run budget of \$0\.0300/);
      }
      assert.deepEqual((run.json!.permission_denials ?? []).map((x) => x.tool_use_id).sort(), denied.map((d) => d.tool_use_id).sort());
      // airlock log: the run's total equals Claude Code's own.
      const logged = await settledRun(s, sessionId, total);
      within2(logged.usage.costUsd, total, 'airlock log');
      assert.ok(Math.abs(logged.usage.costUsd! - total) < 1e-6, `${logged.usage.costUsd} vs ${total}`);
      assert.equal(logged.usage.costSource, 'agent');
      assert.deepEqual(logged.models, ['claude-opus-4-8']);
      assert.equal(logged.denials, denied.length);
      // The run ended with the session (Claude Code's SessionEnd hook), with the reason recorded.
      assert.equal(logged.status, 'ended', JSON.stringify(logged));
      assert.match(logged.endReason ?? '', /session ended \(SessionEnd/);
      assert.ok(logged.endedAt && logged.durationMs !== null && logged.durationMs >= 0);
      // --run: per step, the model call behind each step; the steps plus the rest add up to the run.
      const detail = LogRunDetail.parse(airlockLog(s, ['--run', logged.id.slice(0, 8)]));
      const perStep = detail.steps.reduce((a, x) => a + (x.usage?.costUsd ?? 0), 0) + (detail.unattributed?.costUsd ?? 0);
      assert.ok(Math.abs(perStep - total) < 1e-6, `steps ${perStep} vs ${total}`);
      assert.ok(detail.steps.every((x) => x.usage !== null && x.usage.calls === 1), 'each step has its model call');
      // The text form shows the same total.
      const text = spawnSync(process.execPath, [CLI_JS, 'log'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: s.home, AIRLOCK_HOME: s.airlockHome } }).stdout;
      assert.ok(text.includes(`$${total.toFixed(4)}`), text);
    } finally {
      await s.serve.stop();
    }
  });

  it('a per-day budget holds across runs; its denial says so; a person raises it with `airlock budget raise --day` and the next run goes on', async () => {
    const s = await setup({ budgets: { perDayUsd: 0.012 } });
    try {
      const first = await claude(s, bashTurns(2, 'd'));
      assert.equal(existsSync(join(s.proj, 'd0.txt')), true, 'the first call fits the day');
      assert.equal(existsSync(join(s.proj, 'd1.txt')), false, 'the second one does not');
      const second = await claude(s, bashTurns(1, 'e'));
      assert.notEqual(second.sessionId, first.sessionId);
      assert.equal(existsSync(join(s.proj, 'e0.txt')), false, "another run on the same day is over the day's budget too");
      const reason = second.model.toolResult('toolu_e_0')?.text ?? '';
      assert.match(reason, /per-day budget of \$0\.0120 \(UTC day \d{4}-\d{2}-\d{2}, all runs and agents\)/);
      assert.match(reason, /airlock budget raise --day \d{4}-\d{2}-\d{2} --usd/);
      const r = spawnSync(process.execPath, [CLI_JS, 'budget', 'raise', '--day', '--usd', '1'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: s.home, AIRLOCK_HOME: s.airlockHome } });
      assert.equal(r.status, 0, r.stderr);
      await claude(s, bashTurns(1, 'f'));
      assert.equal(existsSync(join(s.proj, 'f0.txt')), true, 'after the raise the next run goes on');
    } finally {
      await s.serve.stop();
    }
  });
});

describe("the run's cost equals Claude Code's own within 2 %, per source", () => {
  it('OTLP metrics alone, cumulative temporality (no log events, no transcript)', async () => {
    // No hooks either: the hook payload names the transcript, which the gate would then read.
    const s = await setup({}, { transcripts: false, telemetry: false, hooks: false });
    try {
      const { total, sessionId } = await claude(s, bashTurns(3, 'm'), { ...telemetryEnv(s), OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'cumulative', OTEL_METRIC_EXPORT_INTERVAL: '300' });
      const r = await settledRun(s, sessionId, total);
      assert.equal(r.usage.calls, 0, 'no per-call source');
      within2(r.usage.costUsd, total, 'cumulative metric');
      assert.equal(r.usage.costSource, 'agent');
      const db = new Database(s.ledger, { readonly: true });
      const t = db.prepare("SELECT DISTINCT temporality FROM usage_series WHERE metric = 'cost'").all() as Array<{ temporality: number }>;
      db.close();
      assert.deepEqual(t.map((x) => x.temporality), [2], 'the metric really was cumulative');
    } finally {
      await s.serve.stop();
    }
  });

  it('OTLP log events alone (no metrics, no transcript)', async () => {
    const s = await setup({}, { transcripts: false, telemetry: false, hooks: false });
    try {
      const { total, sessionId } = await claude(s, bashTurns(3, 'l'), { ...telemetryEnv(s), OTEL_LOGS_EXPORTER: 'otlp', OTEL_LOGS_EXPORT_INTERVAL: '300' });
      const r = await settledRun(s, sessionId, total);
      assert.equal(r.usage.calls, 4);
      within2(r.usage.costUsd, total, 'log events');
      const db = new Database(s.ledger, { readonly: true });
      const sources = (db.prepare('SELECT DISTINCT source FROM usage').all() as Array<{ source: string }>).map((x) => x.source);
      db.close();
      assert.deepEqual(sources, ['otlp']);
    } finally {
      await s.serve.stop();
    }
  });

  it('the transcript alone (no telemetry): priced from tokens with genai-prices, said to be an estimate', async () => {
    const s = await setup({}, { telemetry: false });
    try {
      const { total, sessionId } = await claude(s, bashTurns(3, 't'));
      // The last model call (the final answer) follows the last hook: the next reader of the run reads it.
      const r = await settledRun(s, sessionId, total);
      within2(r.usage.costUsd, total, 'transcript');
      assert.equal(r.usage.costSource, 'genai-prices');
      assert.equal(r.usage.costEstimate, true);
    } finally {
      await s.serve.stop();
    }
  });

  it("the transcript where the agent says it is (its own HOME, not the gate's: the editor's demo run), priced from tokens", async () => {
    const s = await setup({}, { telemetry: false, transcripts: false });
    try {
      const { total, sessionId } = await claude(s, bashTurns(2, 'p'));
      const r = await settledRun(s, sessionId, total);
      within2(r.usage.costUsd, total, "transcript from the hook's transcript_path");
      assert.equal(r.usage.costEstimate, true);
      assert.equal(r.usage.calls, 3);
    } finally {
      await s.serve.stop();
    }
  });

  it('telemetry and transcript without a shared request id: each call counted once, not summed', async () => {
    const s = await setup({ budgets: { perRunUsd: 10 } });
    try {
      const { total, sessionId } = await claude(s, bashTurns(4, 'x'), {}, false);
      const r = await settledRun(s, sessionId, total);
      within2(r.usage.costUsd, total, 'both sources, no request id');
      assert.equal(r.usage.calls, 5, 'one row per model call');
      const db = new Database(s.ledger, { readonly: true });
      const sources = (db.prepare('SELECT source FROM usage u JOIN runs r ON r.id = u.run_id WHERE r.session_id = ?').all(sessionId) as Array<{ source: string }>).map((x) => x.source);
      db.close();
      assert.ok(sources.filter((x) => x === 'otlp+transcript').length >= 4, sources.join(' '));
    } finally {
      await s.serve.stop();
    }
  });
});

describe('metric temporality (decoded OTLP points into the usage store)', () => {
  const point = (value: number, start: string, time: string, temporality: number, session = 'sess-t'): Decoded => ({
    logs: [],
    spans: [],
    metrics: [{ name: 'claude_code.cost.usage', unit: 'USD', value, attributes: { 'session.id': session, model: 'claude-opus-4-8' }, resource: { 'service.name': 'claude-code' }, timeUnixNano: time, startTimeUnixNano: start, temporality }],
  });

  it('cumulative: each export replaces its series (a restart, with a new start, adds); delta: each window once, resends not added', () => {
    const ledger = Ledger.open(join(root, 'temporality.sqlite'));
    try {
      const usage = new UsageStore(ledger);
      for (const [v, t] of [[0.1, '2'], [0.25, '3'], [0.4, '4'], [0.4, '4']] as const) usage.ingestOtlp('metrics', point(v, '1', t, 2));
      const run = ledger.runs().find((r) => r.session_id === 'sess-t')!;
      assert.equal(usage.runCost(run.id).usd, 0.4);
      usage.ingestOtlp('metrics', point(0.05, '10', '11', 2)); // the agent restarted in the same session
      assert.ok(Math.abs(usage.runCost(run.id).usd! - 0.45) < 1e-12);
      for (const [v, st, t] of [[0.1, '1', '2'], [0.2, '2', '3'], [0.2, '2', '3'], [0.05, '3', '4']] as const) usage.ingestOtlp('metrics', point(v, st, t, 1, 'sess-d'));
      const d = ledger.runs().find((r) => r.session_id === 'sess-d')!;
      assert.ok(Math.abs(usage.runCost(d.id).usd! - 0.35) < 1e-12);
      assert.equal(usage.runCost(d.id).source, 'agent');
      assert.equal(usage.runCost(d.id).basis, 'metric');
    } finally {
      ledger.close();
    }
  });
});
