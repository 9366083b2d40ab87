/**
 * Runs the real Claude Code (`node_modules/.bin/claude -p … --output-format json`) against a
 * scripted model, in a project folder, with a temporary HOME so the user's own config is never read
 * or written, and with Airlock's shim installed as its PreToolUse/PostToolUse hook.
 *
 * Permission mode: `bypassPermissions`, so Claude Code's OWN gate allows everything and Airlock's
 * hook is the only thing that can stop a call (observed with 2.1.197: in `default` mode Claude Code
 * itself blocks `rm` outside the working directory, which would hide a broken hook; under
 * `bypassPermissions` with no hook the victim folder really is deleted, and a hook `deny` still
 * blocks). Claude Code refuses bypass mode as root unless IS_SANDBOX=1, so that is set too.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest folder above this file (or the cwd) whose package.json is Airlock's. */
function findRepoRoot(): string {
  const starts = [typeof __dirname === 'string' ? __dirname : '', process.cwd()].filter(Boolean);
  for (const start of starts) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const pkg = join(dir, 'package.json');
      if (existsSync(pkg)) {
        try {
          if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'airlock') return dir;
        } catch {
          /* not ours: keep walking */
        }
      }
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error('cannot find the Airlock repository root (package.json named "airlock")');
}

export const REPO_ROOT = findRepoRoot();
export const CLAUDE_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'claude');
export const CLI_JS = join(REPO_ROOT, 'dist', 'cli.js');

/** The exact command Airlock installs for Claude Code: absolute node + absolute dist/cli.js. */
export function shimCommand(agent = 'claude'): string {
  return `${shellQuote(process.execPath)} ${shellQuote(CLI_JS)} hook ${agent}`;
}

export interface ClaudeResult {
  type?: string;
  subtype?: string;
  is_error?: boolean;
  result?: string;
  session_id?: string;
  num_turns?: number;
  total_cost_usd?: number;
  usage?: Record<string, unknown>;
  permission_denials?: Array<{ tool_name: string; tool_use_id: string; tool_input: Record<string, unknown> }>;
  [k: string]: unknown;
}

export interface ClaudeRunOptions {
  /** Project folder (the agent's cwd). */
  cwd: string;
  /** Base URL of the scripted model. */
  baseUrl: string;
  /** Temporary HOME for the agent (created if missing). */
  home: string;
  /** AIRLOCK_HOME for the shim (discovery file, kill flag). */
  airlockHome: string;
  task?: string;
  /**
   * Hook command for PreToolUse and PostToolUse (matcher "*"). Defaults to the Airlock shim.
   * `null` installs no hook at all (control runs).
   */
  hookCommand?: string | null;
  /** Where the hooks are installed: a `--settings` file (default) or the project's `.claude/settings.json`. */
  hookVia?: 'settings-flag' | 'project';
  permissionMode?: 'bypassPermissions' | 'default' | 'acceptEdits';
  timeoutMs?: number;
  /** Extra environment for the agent (and thus for the hook it spawns). */
  env?: Record<string, string>;
  /** Extra command-line arguments for `claude` (e.g. `--mcp-config FILE --strict-mcp-config`). */
  extraArgs?: string[];
}

export interface ClaudeRunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Parsed JSON result, when stdout held one. */
  json: ClaudeResult | undefined;
  /** The settings written for this run (hooks). */
  settingsFile: string | undefined;
}

export function hookSettings(command: string, timeoutSec = 30): Record<string, unknown> {
  const entry = [{ matcher: '*', hooks: [{ type: 'command', command, timeout: timeoutSec }] }];
  return { hooks: { PreToolUse: entry, PostToolUse: entry } };
}

export async function runClaude(o: ClaudeRunOptions): Promise<ClaudeRunOutcome> {
  mkdirSync(o.home, { recursive: true });
  mkdirSync(o.airlockHome, { recursive: true });
  const command = o.hookCommand === undefined ? shimCommand('claude') : o.hookCommand;
  const args = ['-p', o.task ?? 'Do the scripted task.', '--output-format', 'json', '--permission-mode', o.permissionMode ?? 'bypassPermissions', ...(o.extraArgs ?? [])];
  let settingsFile: string | undefined;
  if (command !== null) {
    const settings = hookSettings(command);
    if ((o.hookVia ?? 'settings-flag') === 'project') {
      mkdirSync(join(o.cwd, '.claude'), { recursive: true });
      settingsFile = join(o.cwd, '.claude', 'settings.json');
    } else {
      settingsFile = join(o.home, 'airlock-test-settings.json');
      args.push('--settings', settingsFile);
    }
    writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: o.home,
    USER: process.env.USER ?? 'airlock-test',
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    ANTHROPIC_BASE_URL: o.baseUrl,
    ANTHROPIC_API_KEY: 'test',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    IS_SANDBOX: '1',
    AIRLOCK_HOME: o.airlockHome,
    ...o.env,
  };
  const child = spawn(CLAUDE_BIN, args, { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const killGroup = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig); // the whole group: claude and any hook it spawned
    } catch {
      child.kill(sig);
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup('SIGKILL');
  }, o.timeoutMs ?? 90_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => {
    child.on('close', (c, s) => res([c, s]));
    child.on('error', (e) => {
      stderr += String(e);
      res([null, null]);
    });
  });
  clearTimeout(timer);
  killGroup('SIGKILL'); // leftovers (background shells) never outlive the run
  let json: ClaudeResult | undefined;
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (line) {
    try {
      json = JSON.parse(line) as ClaudeResult;
    } catch {
      json = undefined;
    }
  }
  return { code, signal, timedOut, stdout, stderr, json, settingsFile };
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
