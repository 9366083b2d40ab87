/**
 * T52: agents started by agents. An agent CLI started from the shell is a sub-agent: its own tool
 * calls reach the gate only if its hooks are installed, and in an unguarded mode (skip permissions,
 * yolo, full auto…) it approves its own actions. The table lists, per agent, the package names it
 * is launched by and the options that switch its prompts off.
 *
 * - unguarded mode, child known not to be gated (Environment.gatedAgents lists the agents whose
 *   hooks are installed): `escapesGate` → deny;
 * - unguarded mode, gating unknown or child gated: exec of unknown work, `unknown` → ask, never cached;
 * - normal (prompting) mode: exec with the `exec` flag → ask;
 * - `--version`, `--help`, listing subcommands: read.
 */
import { plain } from '../shellContext.js';
import type { ShWord } from '../shellWords.js';
import { launched, packageName } from './common.js';
import type { Family } from './types.js';

interface AgentSpec {
  /** Canonical agent id (matches Environment.gatedAgents). */
  id: string;
  packages: string[];
  /** Options (or `option value` pairs as "opt=value") that switch approvals off. */
  unguarded: Array<string | RegExp>;
  /** Subcommands that run the agent headless with its own approvals off. */
  unguardedSub?: string[];
  /** Subcommands that only print or manage local state. */
  readSub?: string[];
}

const AGENTS: Record<string, AgentSpec> = {
  claude: { id: 'claude', packages: ['@anthropic-ai/claude-code'], unguarded: ['--dangerously-skip-permissions', '--allow-dangerously-skip-permissions', '--permission-mode=bypasspermissions'], readSub: ['doctor', 'config', 'update'] },
  codex: { id: 'codex', packages: ['@openai/codex'], unguarded: ['--full-auto', '--dangerously-bypass-approvals-and-sandbox', '--yolo', '-a=never', '--ask-for-approval=never', '-s=danger-full-access', '--sandbox=danger-full-access', /approval_policy\s*=\s*"?never/i, /sandbox_mode\s*=\s*"?danger-full-access/i], readSub: ['login', 'logout', 'completion'] },
  gemini: { id: 'gemini', packages: ['@google/gemini-cli'], unguarded: ['--yolo', '-y', '--approval-mode=yolo'] },
  qwen: { id: 'qwen', packages: ['@qwen-code/qwen-code'], unguarded: ['--yolo', '-y', '--approval-mode=yolo'] },
  copilot: { id: 'copilot', packages: ['@github/copilot'], unguarded: ['--allow-all-tools', '--allow-all', '--yolo', '--allow-all-paths'] },
  'cursor-agent': { id: 'cursor', packages: [], unguarded: ['-f', '--force', '--yolo'] },
  aider: { id: 'aider', packages: ['aider-chat'], unguarded: ['--yes-always', '--yes'] },
  opencode: { id: 'opencode', packages: ['opencode-ai'], unguarded: [], unguardedSub: ['run'] },
  goose: { id: 'goose', packages: [], unguarded: [], unguardedSub: ['run'] },
  amp: { id: 'amp', packages: ['@sourcegraph/amp'], unguarded: ['--dangerously-allow-all'] },
  crush: { id: 'crush', packages: ['@charmland/crush'], unguarded: ['--yolo', '-y'] },
  cline: { id: 'cline', packages: ['cline'], unguarded: ['--yolo', '-y'] },
  droid: { id: 'droid', packages: [], unguarded: ['--skip-permissions-unsafe', '--auto=high'] },
  q: { id: 'amazon-q', packages: [], unguarded: ['--trust-all-tools'] },
  'kiro-cli': { id: 'kiro', packages: [], unguarded: ['--trust-all-tools'] },
  cn: { id: 'continue', packages: ['@continuedev/cli'], unguarded: ['--auto', '--allow=*'] },
};
const BY_PACKAGE = new Map<string, string>(Object.entries(AGENTS).flatMap(([k, s]) => s.packages.map((p) => [p, k] as [string, string])));

function matchesUnguarded(spec: AgentSpec, args: ShWord[]): string | undefined {
  const t = args.map((a) => a.text);
  for (let i = 0; i < t.length; i++) {
    const a = t[i]!;
    const lower = a.toLowerCase();
    for (const u of spec.unguarded) {
      if (u instanceof RegExp) {
        if (u.test(a)) return a;
        continue;
      }
      const [opt, val] = u.split('=') as [string, string | undefined];
      if (val === undefined) {
        if (lower === opt) return a;
        continue;
      }
      if (lower === `${opt}=${val}` || (lower === opt && (t[i + 1] ?? '').toLowerCase() === val)) return val === undefined ? a : `${a} ${val}`;
    }
  }
  const sub = t.find((a) => !a.startsWith('-'))?.toLowerCase();
  if (sub && spec.unguardedSub?.includes(sub)) return sub;
  return undefined;
}

export const agentCli: Family = (c) => {
  let key: string | undefined = AGENTS[c.name] ? c.name : undefined;
  let args = c.args;
  if (!key) {
    const l = launched(c.name, c.args);
    const viaPkg = l ? BY_PACKAGE.get(packageName(l.tool)) ?? (AGENTS[l.tool] ? l.tool : undefined) : undefined;
    if (!viaPkg || !l) return false;
    key = viaPkg;
    args = l.args;
  }
  const spec = AGENTS[key]!;
  const t = args.map((a) => a.text);
  if (t.length === 1 && /^(--version|-v|-V|--help|-h|version|help)$/.test(t[0]!)) {
    plain(c.ctx, key, 'read', 'read', `${key} ${t[0]}`);
    return true;
  }
  const sub = t.find((a) => !a.startsWith('-'))?.toLowerCase();
  if (sub && spec.readSub?.includes(sub) && t.length <= 2) {
    plain(c.ctx, key, 'read', 'read', `${key} ${sub}`);
    return true;
  }
  const why = matchesUnguarded(spec, args);
  const gated = c.ctx.env.gatedAgents;
  if (why !== undefined) {
    if (gated && !gated.includes(spec.id)) {
      plain(c.ctx, key, 'exec', 'unknown', `starts the ${key} agent with its approvals switched off (${why}) and without Airlock's hooks: a sub-agent outside the gate`, { exec: true, escapesGate: true });
    } else {
      plain(c.ctx, key, 'exec', 'unknown', `starts the ${key} agent with its approvals switched off (${why}): a sub-agent that approves its own actions${gated ? ' (its hooks are installed)' : ' (whether its hooks are installed is not known here)'}`, { exec: true });
    }
    return true;
  }
  plain(c.ctx, key, 'exec', 'recoverable', `starts the ${key} agent: a sub-agent whose actions are gated only if its hooks are installed`, { exec: true });
  return true;
};
