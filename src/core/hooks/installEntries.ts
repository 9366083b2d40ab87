/**
 * Pure merge logic for Airlock's entries in each agent's hook configuration (INTEGRATIONS.md §1).
 * Input and output are parsed JSON values; the node adapter does the reading, backups and atomic
 * writes. Invariants the tests hold:
 *   - install never touches anything but Airlock's own entries (other keys, other hooks, their order);
 *   - install is idempotent (a second install changes nothing);
 *   - uninstall removes only Airlock's entries, and only prunes containers it emptied itself, so
 *     install + uninstall gives back the same value.
 * Airlock's entries are recognised by their command (`…dist/cli.js hook <agent>` or `airlock hook
 * <agent>`): no extra marker key, because agents validate their settings and may reject unknown keys.
 */

export const AGENTS = ['claude', 'copilot', 'cursor', 'codex', 'gemini', 'cline', 'qwen', 'opencode', 'kilo'] as const;
export type Agent = (typeof AGENTS)[number];
export type Scope = 'user' | 'project';

/** Agents Airlock reaches through a file of its own (a hook script or an in-process plugin), not a JSON config. */
export const FILE_AGENTS = ['cline', 'opencode', 'kilo'] as const;
export const PLUGIN_AGENTS = ['opencode', 'kilo'] as const;
export type FileAgent = (typeof FILE_AGENTS)[number];
export type JsonAgent = Exclude<Agent, FileAgent>;
export function isFileAgent(a: Agent): a is FileAgent {
  return (FILE_AGENTS as readonly string[]).includes(a);
}

export function isAgent(s: string): s is Agent {
  return (AGENTS as readonly string[]).includes(s);
}

/**
 * Hook timeouts written into the configs. Long enough for a person to answer an approval (the gate's
 * own deadline must stay below these), but bounded: most agents let a timed-out hook through.
 * Codex: no timeout is written, so its default (600 s) applies and the trust hash matches the
 * formula verified in RECIPES.md 2b. Cline's timeout is fixed at 30 s by Cline itself.
 */
export const HOOK_TIMEOUT_SEC = { claude: 120, copilot: 120, gemini: 120, codex: 600, qwen: 120, cline: 120, opencode: 120, kilo: 120 } as const;

/**
 * The hook timeout the agent will apply to the installed entry, in ms, passed to the shim as
 * `--timeout-ms` so it answers (deny at worst) before the agent gives up on it. Cursor has no
 * documented per-hook timeout: the shim's own default applies there. Cline waits 120 s for a
 * tool_call hook script; the plugins (Cline, OpenCode, Kilo) wait as long as the shim's budget.
 */
export function shimTimeoutMs(agent: Agent): number | undefined {
  return agent === 'cursor' ? undefined : HOOK_TIMEOUT_SEC[agent] * 1000;
}

/** True for a command that runs Airlock's shim. */
export function isAirlockCommand(cmd: unknown): boolean {
  if (typeof cmd !== 'string') return false;
  return /(?:^|[\s'"/\\])(?:dist[/\\](?:cli|hook)\.js|airlock)['"]?\s+hook\s+[a-z]+/.test(cmd);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How each JSON-configured agent lays out its hooks. */
interface JsonLayout {
  /** Event names Airlock hooks, in the agent's spelling. */
  events: string[];
  /** `grouped`: hooks[event] = [{matcher, hooks:[handler]}] (Claude shape); `flat`: hooks[event] = [handler]. */
  shape: 'grouped' | 'flat';
  /** Top-level keys set when Airlock creates the file (e.g. `version: 1`); never removed. */
  skeleton: Obj;
  /** The handler object for one event. */
  handler(command: string, event: string): Obj;
  /** Matcher for grouped layouts. */
  matcher?: string;
}

export const JSON_LAYOUTS: Record<JsonAgent, JsonLayout> = {
  claude: {
    // SessionEnd: the run ends when the session does (src/node/agents/sessionEnd.ts).
    events: ['PreToolUse', 'PostToolUse', 'SessionEnd'],
    shape: 'grouped',
    matcher: '*',
    skeleton: {},
    handler: (command) => ({ type: 'command', command, timeout: HOOK_TIMEOUT_SEC.claude }),
  },
  // Copilot CLI format (`~/.copilot/hooks/*.json`, `.github/hooks/*.json`); VS Code reads it too.
  copilot: {
    events: ['preToolUse', 'postToolUse', 'sessionEnd'],
    shape: 'flat',
    skeleton: { version: 1 },
    handler: (command) => ({ type: 'command', bash: command, timeoutSec: HOOK_TIMEOUT_SEC.copilot }),
  },
  cursor: {
    events: ['beforeShellExecution', 'beforeMCPExecution', 'beforeReadFile', 'preToolUse'],
    shape: 'flat',
    skeleton: { version: 1 },
    handler: (command) => ({ command }),
  },
  codex: {
    events: ['PreToolUse'],
    shape: 'grouped',
    matcher: '*',
    skeleton: {},
    handler: (command) => ({ type: 'command', command }),
  },
  gemini: {
    events: ['BeforeTool', 'SessionEnd'],
    shape: 'grouped',
    matcher: '.*',
    skeleton: {},
    handler: (command) => ({ type: 'command', command, timeout: HOOK_TIMEOUT_SEC.gemini * 1000 }),
  },
  // Qwen Code: Claude's layout, timeout in ms; matcher "*" matches every tool.
  qwen: {
    events: ['PreToolUse', 'PostToolUse'],
    shape: 'grouped',
    matcher: '*',
    skeleton: {},
    handler: (command) => ({ type: 'command', command, timeout: HOOK_TIMEOUT_SEC.qwen * 1000 }),
  },
};

/** The command a handler runs (`command`, or `bash` in the Copilot CLI format). */
export function handlerCommand(h: unknown): string | undefined {
  if (!isObject(h)) return undefined;
  if (typeof h.command === 'string') return h.command;
  if (typeof h.bash === 'string') return h.bash;
  return undefined;
}

export interface MergeResult {
  config: Obj;
  changed: boolean;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Adds (or updates in place) Airlock's handler for every event of the agent. */
export function installJson(agent: JsonAgent, existing: Record<string, unknown> | undefined, command: string): MergeResult {
  const layout = JSON_LAYOUTS[agent];
  const config: Obj = existing ? (clone(existing) as Obj) : clone(layout.skeleton);
  if (config.hooks !== undefined && !isObject(config.hooks)) throw new Error('"hooks" is not an object');
  const hooks: Obj = isObject(config.hooks) ? config.hooks : {};
  for (const event of layout.events) {
    const list = hooks[event];
    if (list !== undefined && !Array.isArray(list)) throw new Error(`"hooks.${event}" is not an array`);
    const arr: Json[] = Array.isArray(list) ? list : [];
    const want = layout.handler(command, event);
    let found = false;
    if (layout.shape === 'flat') {
      arr.forEach((h, i) => {
        if (!isAirlockCommand(handlerCommand(h))) return;
        if (!found) arr[i] = want;
        found = true;
      });
    } else {
      for (const g of arr) {
        if (!isObject(g) || !Array.isArray(g.hooks)) continue;
        const inner = g.hooks;
        inner.forEach((h, i) => {
          if (!isAirlockCommand(handlerCommand(h))) return;
          if (!found) inner[i] = want;
          found = true;
        });
      }
    }
    if (!found) arr.push(layout.shape === 'flat' ? want : { matcher: layout.matcher ?? '*', hooks: [want] });
    hooks[event] = arr;
  }
  config.hooks = hooks;
  const before = existing ?? undefined;
  return { config, changed: !sameJson(before, config) };
}

/** Removes Airlock's handlers; prunes only the groups, event lists and `hooks` object it emptied. */
export function uninstallJson(agent: JsonAgent, existing: Record<string, unknown>): MergeResult {
  const layout = JSON_LAYOUTS[agent];
  const config = clone(existing) as Obj;
  if (!isObject(config.hooks)) return { config, changed: false };
  const hooks = config.hooks;
  let changed = false;
  for (const event of Object.keys(hooks)) {
    const list = hooks[event];
    if (!Array.isArray(list)) continue;
    let removedHere = false;
    const kept: Json[] = [];
    for (const item of list) {
      if (layout.shape === 'flat' || !isObject(item) || !Array.isArray(item.hooks)) {
        if (isAirlockCommand(handlerCommand(item))) {
          removedHere = true;
          continue;
        }
        kept.push(item);
        continue;
      }
      const inner = item.hooks.filter((h) => !isAirlockCommand(handlerCommand(h)));
      if (inner.length === item.hooks.length) {
        kept.push(item);
        continue;
      }
      removedHere = true;
      if (inner.length > 0) kept.push({ ...item, hooks: inner });
    }
    if (!removedHere) continue;
    changed = true;
    if (kept.length > 0) hooks[event] = kept;
    else delete hooks[event];
  }
  if (changed && Object.keys(hooks).length === 0) delete config.hooks;
  return { config, changed };
}

/** Airlock's commands found in the config, per event (empty when not installed). */
export function findJson(agent: JsonAgent, config: unknown): { event: string; command: string; group?: number; handler?: number }[] {
  const layout = JSON_LAYOUTS[agent];
  const out: { event: string; command: string; group?: number; handler?: number }[] = [];
  if (!isObject(config) || !isObject(config.hooks)) return out;
  for (const event of layout.events) {
    const list = config.hooks[event];
    if (!Array.isArray(list)) continue;
    list.forEach((item, gi) => {
      if (layout.shape === 'flat') {
        const c = handlerCommand(item);
        if (c !== undefined && isAirlockCommand(c)) out.push({ event, command: c });
        return;
      }
      if (!isObject(item) || !Array.isArray(item.hooks)) return;
      item.hooks.forEach((h, hi) => {
        const c = handlerCommand(h);
        if (c !== undefined && isAirlockCommand(c)) out.push({ event, command: c, group: gi, handler: hi });
      });
    });
  }
  return out;
}

/** True when the config holds nothing but what Airlock would create for an empty file. */
export function isOnlySkeleton(agent: JsonAgent, config: Record<string, unknown>): boolean {
  return sameJson(config, JSON_LAYOUTS[agent].skeleton) || sameJson(config, {});
}

/** The indentation of a JSON text, so a rewrite keeps the user's formatting (default two spaces). */
export function detectIndent(text: string): string | number {
  const m = /^[{[][^\n]*\n([ \t]+)\S/.exec(text);
  if (!m) return 2;
  const ws = m[1]!;
  return ws.includes('\t') ? '\t' : ws.length;
}

/** Serialises like the original: same indentation, same trailing newline (default: one). */
export function formatJson(value: unknown, original: string | undefined): string {
  const indent = original === undefined ? 2 : detectIndent(original);
  const trailing = original === undefined || original.endsWith('\n') ? '\n' : '';
  return `${JSON.stringify(value, null, indent)}${trailing}`;
}

/** Cline's hook is an executable script named after the event; this marker line identifies Airlock's. */
export const CLINE_MARKER = '# airlock-hook: managed by `airlock hooks install cline`; remove with `airlock hooks uninstall cline`';

export function clineScript(command: string): string {
  return `#!/bin/sh\n${CLINE_MARKER}\nexec ${command}\n`;
}

/** The shim command inside a Cline script written by Airlock, or undefined when the script is not Airlock's. */
export function clineScriptCommand(text: string): string | undefined {
  if (!text.includes(CLINE_MARKER)) return undefined;
  const m = /^exec (.+)$/m.exec(text);
  return m && isAirlockCommand(m[1]) ? m[1] : undefined;
}
