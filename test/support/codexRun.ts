/**
 * Runs the real OpenAI Codex CLI (`node node_modules/@openai/codex/bin/codex.js exec …`, observed
 * 0.169.0) against a scripted Responses server (scriptedResponses.ts), with a temporary HOME and
 * CODEX_HOME so the user's own config is never read or written (RECIPES.md 2b).
 *
 * The provider config puts Codex's OWN gates out of the way (`approval_policy = "never"`,
 * `sandbox_mode = "danger-full-access"`), so a hook is the only thing that can stop a call: the
 * control run with no hook really deletes the victim folder. Hooks are not written here: the tests
 * install them with the real `airlock hooks install codex` (hooks.json + the trust entry that
 * Codex requires before it runs a user hook at all).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './claudeRun';

export const CODEX_JS = join(REPO_ROOT, 'node_modules', '@openai', 'codex', 'bin', 'codex.js');

/** The scripted-model part of config.toml (written before `airlock hooks install codex` appends its trust). */
export function providerToml(baseUrl: string): string {
  return [
    '# written by the Airlock test suite: a scripted model on loopback',
    'model = "gpt-mock"',
    'model_provider = "mock"',
    'approval_policy = "never"',
    'sandbox_mode = "danger-full-access"',
    '',
    '[model_providers.mock]',
    'name = "scripted"',
    `base_url = "${baseUrl}"`,
    'wire_api = "responses"',
    'env_key = "MOCK_KEY"',
    '',
  ].join('\n');
}

/**
 * Points config.toml at a (new) scripted server: replaces the base_url line, keeping everything
 * else (the trust entries Airlock wrote) byte for byte; writes the provider config when absent.
 */
export function pointCodexAt(codexHome: string, baseUrl: string): void {
  mkdirSync(codexHome, { recursive: true });
  const file = join(codexHome, 'config.toml');
  if (!existsSync(file)) {
    writeFileSync(file, providerToml(baseUrl));
    return;
  }
  const text = readFileSync(file, 'utf8');
  const next = text.replace(/^base_url = ".*"$/m, `base_url = "${baseUrl}"`);
  if (next === text && !text.includes(`base_url = "${baseUrl}"`)) throw new Error(`no base_url line in ${file}`);
  writeFileSync(file, next);
}

export interface CodexRunOptions {
  cwd: string;
  home: string;
  codexHome: string;
  airlockHome: string;
  task?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

export interface CodexRunOutcome {
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** From Codex's banner ("session id: …"): the session_id its hooks receive. */
  sessionId: string | undefined;
}

export async function runCodex(o: CodexRunOptions): Promise<CodexRunOutcome> {
  mkdirSync(o.home, { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: o.home,
    USER: process.env.USER ?? 'airlock-test',
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    CODEX_HOME: o.codexHome,
    MOCK_KEY: 'test',
    AIRLOCK_HOME: o.airlockHome,
    ...o.env,
  };
  const args = [CODEX_JS, 'exec', '--skip-git-repo-check', o.task ?? 'Do the scripted task.'];
  // stdin closed: `codex exec` otherwise waits for more prompt text on a pipe.
  const child = spawn(process.execPath, args, { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL'); // codex, its shells and any hook it spawned
    } catch {
      /* already gone */
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, o.timeoutMs ?? 90_000);
  const code = await new Promise<number | null>((res) => {
    child.on('close', (c) => res(c));
    child.on('error', (e) => {
      stderr += String(e);
      res(null);
    });
  });
  clearTimeout(timer);
  killGroup();
  const sessionId = /^session id: (\S+)$/m.exec(stderr)?.[1];
  return { code, timedOut, stdout, stderr, sessionId };
}
