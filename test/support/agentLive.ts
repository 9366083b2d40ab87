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
import { CLI_JS, REPO_ROOT } from './claudeRun';
import { startServe, type ServeProc } from './gateway';

interface AgentPackage {
  pkg: string;
  version: string;
  bin: string;
}

const CACHE = process.env.AIRLOCK_AGENTS_CACHE || join(REPO_ROOT, '.cache', 'agents');

/** The pinned package list (scripts/agent-packages.mjs), read without importing an .mjs into tsx's CJS. */
function packages(): Record<string, AgentPackage> {
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
  const p = packages()[name];
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
export function installHook(w: World, agent: string, extra: string[] = []): { file: string } {
  const r = airlock(w, ['hooks', 'install', agent, '--json', ...extra]);
  if (r.status !== 0) throw new Error(`airlock hooks install ${agent} failed: ${r.stdout}${r.stderr}`);
  const file = (JSON.parse(r.stdout) as Array<{ file: string }>)[0]!.file;
  if (process.env.AIRLOCK_RECORD_PAYLOADS) {
    const text = readFileSync(file, 'utf8');
    const hook = join(REPO_ROOT, 'dist', 'hook.js');
    writeFileSync(file, text.split(hook).join(join(REPO_ROOT, 'test', 'support', 'recordHook.cjs')));
  }
  return { file };
}

export async function startGate(w: World): Promise<ServeProc> {
  return startServe(['--ledger', w.ledger, '--ci', '--workspace', w.proj], { ...baseEnv(w) });
}

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
