/**
 * `airlock hooks status`: what is installed for each agent and scope, whether the agent will run it
 * (Codex hook trust, Gemini's and Copilot's trusted folders), and a canary that drives the installed
 * entry itself (the command, the script, or the plugin as its agent loads it) with a payload
 * recorded from the real agent: it must deny a destructive probe and let a read through.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { READ_PROBE_COMMAND, canarySource, judgeCanary, type HookAnswer } from '../../../core/hooks/canary';
import type { Recorded } from '../../../core/hooks/recorded';
import { codexTrustHash, codexTrustKey, readCodexTrust } from '../../../core/hooks/codexTrust';
import { AGENTS, JSON_LAYOUTS, clineScriptCommand, findJson, isObject, type Agent, type Scope } from '../../../core/hooks/installEntries';
import { pluginArgv } from './plugins';
import { HookConfigError, codexConfigToml, configPath, readJsonConfig, readText, type HookPaths } from './configFiles';
import { quote, type InstallerContext } from './context';

export type HookState = 'OK' | 'MISSING' | 'BROKEN';

export interface StatusRow {
  agent: Agent;
  scope: Scope;
  file: string;
  state: HookState;
  detail: string;
  command?: string;
  /** Plugin agents: the plugin's shim argv (the plugin itself is what the canary runs). */
  plugin?: string[];
  /**
   * Does the agent run this entry at all? Codex: the trust entry in config.toml; Gemini: the
   * project folder is trusted (Gemini loads no hooks, user ones included, in an untrusted folder);
   * Copilot and Qwen project hooks: the project folder is trusted. Absent where nothing gates it.
   */
  trusted?: boolean;
  /** The canary fired: the entry denied the destructive probe and let the read through. */
  fires?: boolean;
  /** The agent payload the canary used, and its version ("cline 3.0.65 (recorded from the real agent)"). */
  checkedAgainst?: string;
}

/** Runs the installed command itself with the agent's payload for `rm -rf ~`, as the agent would. */
export function runHookCommand(command: string, payload: unknown, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<HookAnswer> {
  return new Promise((resolveRun) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolveRun({ exitCode: null, stdout, stderr: stderr + String(e), timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ exitCode: code, stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => undefined); // a hook that exits without reading stdin
    child.stdin.end(JSON.stringify(payload));
  });
}

function inspect(agent: Agent, scope: Scope, ctx: HookPaths): StatusRow {
  let file = '';
  try {
    file = configPath(agent, scope, ctx);
  } catch (e) {
    return { agent, scope, file: (e as HookConfigError).path ?? '', state: 'MISSING', detail: (e as Error).message };
  }
  if (agent === 'cline') {
    const text = readText(file);
    const command = text === undefined ? undefined : clineScriptCommand(text);
    if (text === undefined) return { agent, scope, file, state: 'MISSING', detail: 'no PreToolUse script' };
    if (!command) return { agent, scope, file, state: 'MISSING', detail: 'a PreToolUse script exists but it is not Airlock’s' };
    // TaskComplete ends the run and reads the task's last model call; without it that call's usage waits for the next call.
    const end = readText(join(dirname(file), 'TaskComplete'));
    const detail = end !== undefined && clineScriptCommand(end) ? 'installed' : 'installed (no TaskComplete script: a task’s last model call is counted only at its next call; run airlock hooks install cline)';
    return { agent, scope, file, state: 'OK', detail, command };
  }
  if (agent === 'opencode' || agent === 'kilo') {
    const text = readText(file);
    if (text === undefined) return { agent, scope, file, state: 'MISSING', detail: 'no Airlock plugin' };
    const argv = pluginArgv(text, agent);
    if (!argv) return { agent, scope, file, state: 'MISSING', detail: 'a plugin file of that name exists but it is not Airlock’s' };
    return { agent, scope, file, state: 'OK', detail: 'plugin installed', plugin: argv, command: argv.map(quote).join(' ') };
  }
  let value;
  try {
    value = readJsonConfig(file).value;
  } catch (e) {
    return { agent, scope, file, state: 'BROKEN', detail: (e as Error).message };
  }
  const found = findJson(agent, value);
  if (found.length === 0) return { agent, scope, file, state: 'MISSING', detail: existsSync(file) ? 'no Airlock entry' : 'no config file' };
  const missingEvents = JSON_LAYOUTS[agent].events.filter((e) => !found.some((f) => f.event === e));
  const command = found[0]!.command;
  if (missingEvents.length > 0) return { agent, scope, file, state: 'BROKEN', detail: `Airlock entry missing for ${missingEvents.join(', ')}`, command };
  if (agent === 'codex') {
    const f = found[0]!;
    const key = codexTrustKey(file, f.group ?? 0, f.handler ?? 0);
    const recorded = readCodexTrust(readText(codexConfigToml(file)) ?? '', key);
    const trusted = recorded === codexTrustHash(command);
    if (!trusted) return { agent, scope, file, state: 'BROKEN', detail: `hook not trusted in ${codexConfigToml(file)} (Codex skips it silently): run airlock hooks install codex`, command, trusted };
    return { agent, scope, file, state: 'OK', detail: 'installed and trusted', command, trusted };
  }
  const row: StatusRow = { agent, scope, file, state: 'OK', detail: 'installed', command };
  const trust = folderTrust(agent, scope, ctx);
  if (trust) {
    row.trusted = trust.trusted;
    row.detail += `; ${trust.detail}`;
  }
  return row;
}

/** Folder trust that decides whether the agent runs the hook in the project folder at all. */
export function folderTrust(agent: Agent, scope: Scope, ctx: HookPaths): { trusted: boolean; detail: string } | undefined {
  const dir = resolve(ctx.projectDir);
  if (agent === 'gemini') {
    // Gemini CLI: no hooks at all (user hooks included) in a folder the person has not trusted.
    const file = join(ctx.home, '.gemini', 'trustedFolders.json');
    let rules: Record<string, unknown> = {};
    try {
      const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (isObject(v)) rules = v;
    } catch {
      /* no trust recorded */
    }
    const hit = Object.entries(rules).find(([folder, how]) => {
      const f = resolve(folder);
      if (how === 'TRUST_FOLDER') return dir === f || dir.startsWith(`${f}/`);
      if (how === 'TRUST_PARENT') return dir.startsWith(`${dirname(f)}/`) || dir === dirname(f);
      return false;
    });
    return hit
      ? { trusted: true, detail: `${dir} is trusted in ${file}` }
      : { trusted: false, detail: `${dir} is not trusted in ${file}: Gemini CLI loads no hooks there (trust the folder in Gemini first)` };
  }
  if (agent === 'copilot' && scope === 'project') {
    const file = join(ctx.home, '.copilot', 'config.json');
    let folders: unknown[] = [];
    try {
      const v = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      folders = Array.isArray(v.trusted_folders) ? v.trusted_folders : Array.isArray(v.trustedFolders) ? v.trustedFolders : [];
    } catch {
      /* none */
    }
    const ok = folders.some((f) => typeof f === 'string' && (dir === resolve(f) || dir.startsWith(`${resolve(f)}/`)));
    return ok ? { trusted: true, detail: `${dir} is a trusted folder in ${file}` } : { trusted: false, detail: `${dir} is not a trusted folder in ${file}: Copilot CLI ignores project hooks there` };
  }
  return undefined;
}

/** Runs an installed plugin (as its agent would load it) with the recorded arguments of its hook. */
const PLUGIN_RUNNER = String.raw`
const [file, agent, payloadJson] = process.argv.slice(1);
const print = (o) => process.stdout.write(JSON.stringify({ airlockPluginRun: true, ...o }) + '\n');
(async () => {
  const src = require('node:fs').readFileSync(file, 'utf8');
  const payload = JSON.parse(payloadJson);
  const mod = await import('data:text/javascript;base64,' + Buffer.from(src).toString('base64'));
  const plugin = Object.values(mod).find((x) => typeof x === 'function');
  const hooks = await plugin({ directory: process.cwd(), worktree: process.cwd() });
  try {
    await hooks['tool.execute.before'](payload.input, payload.output);
    print({ blocked: false });
  } catch (e) {
    print({ blocked: true, reason: String(e && e.message) });
  }
})().catch((e) => print({ error: String(e && e.stack || e) }));
`;

function runPlugin(row: StatusRow, payload: unknown, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number, nodePath: string): Promise<HookAnswer> {
  const argv = [nodePath, '-e', PLUGIN_RUNNER, row.file, row.agent, JSON.stringify(payload)];
  return runHookCommand(argv.map(quote).join(' '), {}, cwd, env, timeoutMs);
}

/**
 * The agents whose Airlock hook entries are installed and would run for work in `projectDir`: the
 * user-scope entry or the project's own, read from the agents' config files (no canary: cheap
 * enough for every judgement). An entry the agent skips (Codex without its trust entry, Gemini or
 * Copilot in a folder they do not trust) does not count. Never throws: an unreadable config is
 * not installed.
 */
export function installedAgents(p: HookPaths): Agent[] {
  const out: Agent[] = [];
  for (const agent of AGENTS) {
    for (const scope of ['user', 'project'] as const) {
      if (scope === 'project' && agent === 'codex') continue;
      let row: StatusRow;
      try {
        row = inspect(agent, scope, p);
      } catch {
        continue;
      }
      if (row.state === 'OK' && row.trusted !== false) {
        out.push(agent);
        break;
      }
    }
  }
  return out;
}

export interface StatusOptions {
  agents?: readonly Agent[];
  includeProject?: boolean;
  canaryTimeoutMs?: number;
  /** Replaces the recorded payload of an agent (tests feed one from another version). */
  recordedOverride?: Partial<Record<Agent, Recorded>>;
}

/** Every agent's user-scope state, plus project-scope rows that exist; canaries for the installed ones. */
export async function status(ctx: InstallerContext, opts: StatusOptions = {}): Promise<StatusRow[]> {
  const rows: StatusRow[] = [];
  for (const agent of opts.agents ?? AGENTS) {
    rows.push(inspect(agent, 'user', ctx));
    if (opts.includeProject !== false && agent !== 'codex') {
      const p = inspect(agent, 'project', ctx);
      if (p.state !== 'MISSING') rows.push(p);
    }
  }
  const env = { ...(ctx.env ?? process.env), AIRLOCK_HOME: ctx.airlockHome, AIRLOCK_CANARY: '1' };
  const killed = existsSync(join(ctx.airlockHome, 'killed'));
  const timeout = opts.canaryTimeoutMs ?? 20_000;
  await Promise.all(
    rows
      .filter((r) => r.state === 'OK' && r.command)
      .map(async (r) => {
        const cwd = ctx.projectDir && existsSync(ctx.projectDir) ? ctx.projectDir : dirname(r.file);
        const entry = r.plugin ? 'plugin' : r.agent === 'cline' ? 'script' : 'config';
        const override = opts.recordedOverride?.[r.agent];
        const bad = canarySource(r.agent, entry, cwd, undefined, override);
        const good = canarySource(r.agent, entry, cwd, READ_PROBE_COMMAND, override);
        r.checkedAgainst = bad.checkedAgainst;
        const run = (payload: unknown) => (r.plugin ? runPlugin(r, payload, cwd, env, timeout, ctx.nodePath) : runHookCommand(r.command!, payload, cwd, env, timeout));
        const [ba, ga] = await Promise.all([run(bad.payload), run(good.payload)]);
        const v = judgeCanary(r.agent, ba);
        const control = judgeCanary(r.agent, ga);
        const rejected = /malformed hook payload|not a [A-Za-z ]+ (hook|plugin) payload/.exec(`${v.detail} ${control.detail} ${ba.stderr} ${ga.stderr}`);
        r.fires = false;
        if (rejected) {
          r.state = 'BROKEN';
          r.detail = `${r.detail}; not working: the shim rejects ${bad.checkedAgainst}'s payload, so every call is refused (${control.detail.slice(0, 300)})`;
          return;
        }
        if (!v.denied) {
          r.state = 'BROKEN';
          r.detail = `${r.detail}; canary NOT denied: ${v.detail}${ba.stderr.trim() ? ` [stderr: ${ba.stderr.trim().split('\n')[0]!.slice(0, 200)}]` : ''}`;
          return;
        }
        if (control.denied && !killed) {
          r.state = 'BROKEN';
          r.detail = `${r.detail}; the hook denies even a read-only \`${READ_PROBE_COMMAND}\` (${control.detail}): it blocks everything instead of judging`;
          return;
        }
        r.fires = true;
        r.detail = `${r.detail}; canary denied (${v.detail})${killed ? '; kill switch latched: everything is denied' : ''}`;
      }),
  );
  return rows;
}
