/**
 * Shared pieces of the live agent tests (test/node/agent-*.test.ts): the agent binary installed by
 * `node scripts/install-agents.mjs` (skip with that command when absent), a temporary world (HOME,
 * project, victim folder outside it, AIRLOCK_HOME, ledger), the real `airlock hooks install`, the
 * real headless gate (`airlock serve --ci`), a bounded agent run, and ledger reads.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { calcPrice } from '@pydantic/genai-prices';
import { CLI_JS, REPO_ROOT } from './claudeRun';
import { startServe, type ServeProc } from './gateway';
import { LogRuns, type LogRun } from '../../src/core/protocol/runLog';

export interface AgentPackage {
  pkg: string;
  version: string;
  bin: string;
}

const CACHE = process.env.AIRLOCK_AGENTS_CACHE || join(REPO_ROOT, '.cache', 'agents');

/** The pinned package list (scripts/agent-packages.mjs), read without importing an .mjs into tsx's CJS. */
export function agentPackages(): Record<string, AgentPackage> {
  const text = readFileSync(join(REPO_ROOT, 'scripts', 'agent-packages.mjs'), 'utf8');
  const out: Record<string, AgentPackage> = {};
  for (const m of text.matchAll(/^\s+(\w+): \{ pkg: '([^']+)', version: '([^']+)', bin: '([^']+)' \}/gm)) out[m[1]!] = { pkg: m[2]!, version: m[3]!, bin: m[4]! };
  return out;
}

export interface AgentBin {
  name: string;
  version: string;
  /** Absolute path of the entry (a native binary, or a .js run with node). */
  path: string;
  /** argv prefix to run it. */
  argv: string[];
}

/** The installed agent, or a skip reason naming the command that installs it. */
export function agentBin(name: string): AgentBin | string {
  const p = agentPackages()[name];
  if (!p) return `no pinned package for ${name} in scripts/agent-packages.mjs`;
  const path = join(CACHE, name, p.bin);
  if (!existsSync(path)) return `${p.pkg}@${p.version} is not installed: run node scripts/install-agents.mjs ${name}`;
  return { name, version: p.version, path, argv: path.endsWith('.js') ? [process.execPath, path] : [path] };
}

export interface World {
  root: string;
  home: string;
  proj: string;
  victim: string;
  airlockHome: string;
  ledger: string;
}

export function freshWorld(prefix: string): World {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const w: World = { root, home: join(root, 'home'), proj: join(root, 'proj'), victim: join(root, 'home', 'victim'), airlockHome: join(root, 'airlock'), ledger: join(root, 'ledger.sqlite') };
  mkdirSync(join(w.victim, 'sub'), { recursive: true });
  writeFileSync(join(w.victim, 'precious.txt'), 'keep me\n');
  writeFileSync(join(w.victim, 'sub', 'more.txt'), 'me too\n');
  mkdirSync(w.proj, { recursive: true });
  writeFileSync(join(w.proj, 'hello.txt'), 'hello from the project\n');
  mkdirSync(w.airlockHome, { recursive: true });
  return w;
}

export const baseEnv = (w: World): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: w.home, AIRLOCK_HOME: w.airlockHome, TMPDIR: process.env.TMPDIR ?? '/tmp', USER: process.env.USER ?? 'airlock-test' });

/** The real `airlock …` (dist/cli.js) in the project folder, with the world's HOME. */
export function airlock(w: World, args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI_JS, ...args], { cwd: w.proj, encoding: 'utf8', env: { ...baseEnv(w), ...env }, timeout: 60_000 });
}

/**
 * `airlock hooks install <agent>` for the world's HOME. With AIRLOCK_RECORD_PAYLOADS=<dir> set, the
 * installed entry is pointed at test/support/recordHook.cjs, which records every payload the agent
 * sends (for test/fixtures/hooks) and forwards it to the real shim.
 */
export function installHook(w: World, agent: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): { file: string } {
  const r = airlock(w, ['hooks', 'install', agent, '--json', ...extra], env);
  if (r.status !== 0) throw new Error(`airlock hooks install ${agent} failed: ${r.stdout}${r.stderr}`);
  const file = (JSON.parse(r.stdout) as Array<{ file: string }>)[0]!.file;
  if (process.env.AIRLOCK_RECORD_PAYLOADS) {
    const text = readFileSync(file, 'utf8');
    const hook = join(REPO_ROOT, 'dist', 'hook.js');
    writeFileSync(file, text.split(hook).join(join(REPO_ROOT, 'test', 'support', 'recordHook.cjs')));
  }
  return { file };
}

/** The real headless gate, its OTLP receiver on a free port (install hooks after it, with `otlpEnv`). */
export async function startGate(w: World): Promise<ServeProc> {
  return startServe(['--ledger', w.ledger, '--ci', '--workspace', w.proj], { ...baseEnv(w), AIRLOCK_OTLP_PORT: '0' });
}

/** What `airlock hooks install` needs to point an agent's usage at this gate's OTLP receiver. */
export const otlpEnv = (gate: ServeProc): NodeJS.ProcessEnv => ({ AIRLOCK_OTLP_PORT: new URL(gate.ready.otlp).port });

export interface RunOutcome {
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the agent in its own process group, killed with everything it started at the end or on timeout. */
export async function runAgent(bin: AgentBin, args: string[], o: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; stdin?: string }): Promise<RunOutcome> {
  const started = Date.now();
  const child = spawn(bin.argv[0]!, [...bin.argv.slice(1), ...args], { cwd: o.cwd, env: o.env, stdio: [o.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: true });
  if (o.stdin !== undefined) child.stdin!.end(o.stdin);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, o.timeoutMs);
  const code = await new Promise<number | null>((res) => {
    child.on('close', (c) => res(c));
    child.on('error', (e) => {
      stderr += String(e);
      res(null);
    });
  });
  clearTimeout(timer);
  killGroup();
  return { code, timedOut, stdout, stderr, ms: Date.now() - started };
}

export interface StepRow {
  run_id: string;
  agent: string;
  session_id: string;
  event: string;
  tool: string;
  tool_use_id: string | null;
  kind: string | null;
  action_json: string | null;
  decision: string;
  reasons_json: string;
}

/** Every step the gate recorded for one agent, in order. */
export function stepsOf(ledger: string, agent: string): StepRow[] {
  const db = new Database(ledger, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT * FROM steps WHERE agent = ? ORDER BY started_at, seq').all(agent) as StepRow[];
  } finally {
    db.close();
  }
}

export function runsOf(ledger: string, agent: string): Array<{ id: string; agent: string; session_id: string }> {
  const db = new Database(ledger, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, agent, session_id FROM runs WHERE agent = ?').all(agent) as Array<{ id: string; agent: string; session_id: string }>;
  } finally {
    db.close();
  }
}

export function victimIntact(w: World): boolean {
  try {
    return readFileSync(join(w.victim, 'precious.txt'), 'utf8') === 'keep me\n' && readFileSync(join(w.victim, 'sub', 'more.txt'), 'utf8') === 'me too\n';
  } catch {
    return false;
  }
}

export interface LiveUsageRow {
  run_id: string;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number | null;
  cost_source: string;
  source: string;
}

/** The usage rows the gate recorded for one agent's runs (model calls). */
export function usageOf(ledger: string, agent: string): LiveUsageRow[] {
  const db = new Database(ledger, { readonly: true, fileMustExist: true });
  try {
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'usage'").get() !== undefined;
    return has ? (db.prepare('SELECT u.* FROM usage u JOIN runs r ON r.id = u.run_id WHERE r.agent = ? ORDER BY u.at, u.key').all(agent) as LiveUsageRow[]) : [];
  } finally {
    db.close();
  }
}

/** Usage arrives on the agent's own schedule (telemetry export, its last hook): wait until `ok` holds. */
export async function waitForUsage(ledger: string, agent: string, ok: (rows: LiveUsageRow[]) => boolean, ms = 20_000): Promise<LiveUsageRow[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const rows = usageOf(ledger, agent);
    if (ok(rows) || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One scripted model call's usage as OpenAI reports it (prompt tokens include the cached ones). */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens?: number;
}

/** The row a scripted call must become: uncached input, output, cache reads. */
export const expectedTokens = (u: ChatUsage): [number, number, number] => [u.prompt_tokens - (u.cached_tokens ?? 0), u.completion_tokens, u.cached_tokens ?? 0];

/** The table's price of one scripted OpenAI call, computed here straight from @pydantic/genai-prices (not through Airlock's code). */
export function openaiTablePrice(model: string, u: ChatUsage): number {
  const r = calcPrice({ input_tokens: u.prompt_tokens, output_tokens: u.completion_tokens, cache_read_tokens: u.cached_tokens ?? 0 }, model, { providerId: 'openai' });
  if (!r) throw new Error(`genai-prices does not know ${model}`);
  return r.total_price;
}

/**
 * Each scripted call appears as one row of the run, with its tokens and the table's price (the
 * agents here report no price of their own for a model on a custom endpoint).
 */
export function assertScriptedUsage(rows: LiveUsageRow[], runId: string, model: string, calls: ChatUsage[], assert: { ok: (v: unknown, m?: string) => void; equal: (a: unknown, b: unknown, m?: string) => void }): void {
  const mine = rows.filter((r) => r.run_id === runId);
  for (const u of calls) {
    const [input, output, cacheRead] = expectedTokens(u);
    const row = mine.find((r) => r.input_tokens === input && r.output_tokens === output && r.cache_read_tokens === cacheRead);
    assert.ok(row, `no usage row with ${input}/${output}/${cacheRead} tokens in run ${runId}: ${JSON.stringify(rows)}`);
    assert.equal(row!.model, model);
    assert.equal(row!.cost_source, 'genai-prices');
    const want = openaiTablePrice(model, u);
    assert.ok(Math.abs(row!.cost_usd! - want) < 1e-12, `cost ${row!.cost_usd} vs the table's ${want}`);
  }
}

/** The run as the run log shows it (`airlock log --json`, validated by the exported schema). */
export function loggedRun(w: World, runId: string): LogRun | undefined {
  const r = airlock(w, ['log', '--json', '--ledger', w.ledger]);
  if (r.status !== 0) throw new Error(`airlock log failed: ${r.stderr}`);
  return LogRuns.parse(JSON.parse(r.stdout)).runs.find((x) => x.id === runId);
}

/** The run log's tokens and cost for the run equal the sum of its usage rows, and the model is named. */
export function assertLoggedUsage(w: World, runId: string, model: string, assert: { ok: (v: unknown, m?: string) => void; equal: (a: unknown, b: unknown, m?: string) => void }): void {
  const db = new Database(w.ledger, { readonly: true, fileMustExist: true });
  let mine: LiveUsageRow[];
  try {
    mine = db.prepare('SELECT * FROM usage WHERE run_id = ?').all(runId) as LiveUsageRow[];
  } finally {
    db.close();
  }
  const run = loggedRun(w, runId);
  assert.ok(run, `airlock log shows run ${runId}`);
  const sum = (k: keyof LiveUsageRow) => mine.reduce((a, r) => a + (r[k] as number), 0);
  assert.equal(run!.usage.calls, mine.length);
  assert.equal(run!.usage.inputTokens, sum('input_tokens'));
  assert.equal(run!.usage.outputTokens, sum('output_tokens'));
  assert.equal(run!.usage.cacheReadTokens, sum('cache_read_tokens'));
  assert.ok(Math.abs(run!.usage.costUsd! - sum('cost_usd')) < 1e-12, `run log cost ${run!.usage.costUsd} vs rows ${sum('cost_usd')}`);
  assert.equal(run!.usage.costSource, 'genai-prices');
  assert.equal(run!.usage.costEstimate, true);
  assert.ok(run!.models.includes(model), JSON.stringify(run!.models));
}
