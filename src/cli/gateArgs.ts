/** Argument parsing for `airlock serve`, `hook`, `kill`, `unkill` (strict: unknown flags are errors). */
import { strictArgs, UsageError } from './usageError';

export interface ServeArgs {
  ledger?: string;
  policy?: string;
  port?: number;
  ci: boolean;
  workspaces: string[];
}

export function parseServeArgs(argv: string[]): ServeArgs {
  const { values } = strictArgs('serve', argv, { ledger: { type: 'string' }, policy: { type: 'string' }, port: { type: 'string' }, ci: { type: 'boolean' }, workspace: { type: 'string', multiple: true } });
  const out: ServeArgs = { ci: values.ci === true, workspaces: Array.isArray(values.workspace) ? values.workspace.filter((x): x is string => typeof x === 'string') : [] };
  if (typeof values.ledger === 'string') out.ledger = values.ledger;
  if (typeof values.policy === 'string') out.policy = values.policy;
  if (typeof values.port === 'string') {
    const n = Number(values.port);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError('--port takes a port number (0-65535)');
    out.port = n;
  }
  return out;
}

export interface HookArgs {
  agent: string;
  /** The agent's configured hook timeout; the shim answers by 80% of it. */
  timeoutMs?: number;
}

export function parseHookArgs(argv: string[]): HookArgs {
  const { values, positionals } = installedHookArgs(argv) ?? strictArgs('hook', argv, { 'timeout-ms': { type: 'string' } }, true);
  const [agent, ...extra] = positionals;
  if (!agent) throw new UsageError('hook: name the agent (claude, copilot, cursor, codex, gemini, cline)');
  if (extra.length) throw new UsageError(`hook: unexpected arguments: ${extra.join(' ')}`);
  const out: HookArgs = { agent };
  if (typeof values['timeout-ms'] === 'string') {
    const n = Number(values['timeout-ms']);
    if (!Number.isInteger(n) || n < 100 || n > 3_600_000) throw new UsageError('--timeout-ms takes the hook timeout in ms (100-3600000)');
    out.timeoutMs = n;
  }
  return out;
}

/**
 * The two shapes `airlock hooks install` writes (`hook <agent>`, `hook <agent> --timeout-ms N`), read
 * without node:util's parseArgs, a module of its own to load on every tool call. Anything else is
 * left to strictArgs (the same values for these shapes, and its errors for the rest).
 */
function installedHookArgs(argv: string[]): { values: Record<string, unknown>; positionals: string[] } | undefined {
  const agent = argv[0];
  if (agent === undefined || !/^[a-z][a-z0-9-]*$/.test(agent)) return undefined;
  if (argv.length === 1) return { values: {}, positionals: [agent] };
  if (argv.length === 3 && argv[1] === '--timeout-ms' && /^[0-9]+$/.test(argv[2]!)) return { values: { 'timeout-ms': argv[2] }, positionals: [agent] };
  return undefined;
}

export function parseKillArgs(argv: string[]): { reason: string } {
  const { values } = strictArgs('kill', argv, { reason: { type: 'string' } });
  return { reason: typeof values.reason === 'string' && values.reason ? values.reason.slice(0, 2000) : 'kill switch pulled from the command line' };
}

export function parseNoArgs(cmd: string, argv: string[]): void {
  if (argv.length) throw new UsageError(`airlock ${cmd} takes no arguments (got ${argv.join(' ')})`);
}
